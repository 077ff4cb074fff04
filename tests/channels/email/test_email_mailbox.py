"""The mailbox side through a running hub: a restart loses and duplicates nothing, a new
UIDVALIDITY resyncs by Message-ID, machine mail opens nothing, mail that cannot be parsed is
kept and marked, polling works where IDLE is off, and the supervisor sees the mailbox."""

from __future__ import annotations

import asyncio
from pathlib import Path

import aiohttp

from channels.email.channel import reply_tokens
from hub.services.auth import load_or_create_secret
from hub.settings import Settings
from storage import open_store
from tests.channels.email import shapes
from tests.channels.email.dovecot import Dovecot
from tests.channels.email.hubs import SUPPORT, HubView, cursor, email_settings, eventually
from tests.channels.email.mailbox import TestMailbox
from tests.channels.email.smtp_server import SmtpServer
from tests.harness import RunningHub, login


def mail(n: int) -> bytes:
    return shapes.first_mail(
        f"Customer {n} <c{n}@customer.test>",
        f"Question {n}",
        f"Text {n}",
        message_id=f"<q{n}@customer.test>",
    )


async def wait_cursor(settings: Settings, last_uid: int, uidvalidity: int | None = None) -> None:
    async def check() -> bool:
        found = await cursor(settings)
        return found is not None and found[1] == last_uid and uidvalidity in (None, found[0])

    await eventually(check)


async def test_restart_loses_nothing_and_imports_nothing_twice(
    tmp_path: Path,
    database_url: str,
    dovecot: Dovecot,
    mailbox: TestMailbox,
    smtp_server: SmtpServer,
) -> None:
    settings = email_settings(tmp_path, database_url, dovecot, smtp_server)
    view = HubView(settings)
    hub = await RunningHub(settings).start()
    try:
        for n in (1, 2):
            await mailbox.deliver(mail(n))
        await view.wait_conversations(2)
    finally:
        await hub.stop()
    for n in (3, 4):  # arrive while the hub is down
        await mailbox.deliver(mail(n))
    # As if the hub had died after committing and before it moved the cursor or flagged:
    uidvalidity, _ = await cursor(settings) or (0, 0)
    async with open_store(settings.database_url) as store:
        await store.email.save_cursor("support", uidvalidity, 0)
    await mailbox.client.select("INBOX")
    await mailbox.client.uid("store", "1:*", "-FLAGS.SILENT", r"(\Seen)")

    hub = await RunningHub(settings).start()
    try:
        await wait_cursor(settings, 4, uidvalidity)
        conversations = await view.conversations()
        assert sorted(c.subject or "" for c in conversations) == [
            f"Question {n}" for n in (1, 2, 3, 4)
        ]
        assert len(await view.all_messages()) == 4
        assert all(r"\Seen" in flags for flags in (await mailbox.flags()).values())
    finally:
        await hub.stop()


async def test_uidvalidity_change_resyncs_by_message_id(
    tmp_path: Path,
    sqlite_url: str,
    dovecot: Dovecot,
    mailbox: TestMailbox,
    smtp_server: SmtpServer,
) -> None:
    settings = email_settings(tmp_path, sqlite_url, dovecot, smtp_server)
    view = HubView(settings)
    hub = await RunningHub(settings).start()
    try:
        for n in (1, 2):
            await mailbox.deliver(mail(n))
        await view.wait_conversations(2)
    finally:
        await hub.stop()
    new_validity = dovecot.change_uidvalidity()
    await mailbox.deliver(mail(3))
    hub = await RunningHub(settings).start()
    try:
        await wait_cursor(settings, 3, new_validity)
        assert len(await view.conversations()) == 3
        assert sorted(m.text for m in await view.all_messages()) == ["Text 1", "Text 2", "Text 3"]
    finally:
        await hub.stop()


def _machine_mail() -> list[bytes]:
    def with_header(header: str, sender: str = "robot@customer.test", n: int = 0) -> bytes:
        return (
            f"From: {sender}\r\nTo: support@example.com\r\nSubject: Automatic {n}\r\n"
            f"Message-ID: <auto{n}@customer.test>\r\n{header}\r\n\r\nI am away.\r\n"
        ).encode()

    return [
        with_header("Auto-Submitted: auto-replied", n=1),
        with_header("Precedence: bulk", n=2),
        with_header("X-Autoreply: yes", n=3),
        with_header("List-Unsubscribe: <mailto:leave@news.test>", n=4),
        with_header("X-Note: plain", sender="MAILER-DAEMON@mx.customer.test", n=5),
    ]


def _our_own(settings: Settings) -> bytes:
    """One of our replies come back (a customer's forwarding rule): its Message-ID is signed."""
    secret = load_or_create_secret(settings.auth.secret, settings.server.data_dir)
    tokens = reply_tokens(secret, settings.channels.email.message_id_domain)
    return shapes.first_mail(message_id=f"<{tokens.message_id('0001', '0005f1a2b3c4d5e6')}>")


async def test_machine_mail_opens_no_conversation(
    tmp_path: Path,
    sqlite_url: str,
    dovecot: Dovecot,
    mailbox: TestMailbox,
    smtp_server: SmtpServer,
) -> None:
    settings = email_settings(
        tmp_path,
        sqlite_url,
        dovecot,
        smtp_server,
        email='auto_ack_template = "We got your mail, {name}."',
    )
    view = HubView(settings)
    hub = await RunningHub(settings).start()
    try:
        for raw in [*_machine_mail(), _our_own(settings)]:
            await mailbox.deliver(raw)
        await mailbox.deliver(mail(1))
        await wait_cursor(settings, 7)
        (conversation,) = await view.conversations()
        assert conversation.subject == "Question 1"
        assert all(r"\Seen" in flags for flags in (await mailbox.flags()).values())
        (ack,) = await smtp_server.wait_for(1)  # only the person gets an acknowledgement
        assert ack.recipients == ["c1@customer.test"]
        assert ack.message["Auto-Submitted"] == "auto-replied"
        (sender,) = ack.message["From"].addresses  # the company alone, not "X via X"
        assert (sender.display_name, sender.addr_spec) == ("Example Support", SUPPORT)
        assert (
            ack.message.get_body(("plain",)).get_content().strip()
            == "We got your mail, Customer 1."
        )
        # It went through the outbox: a system message on the conversation, sent.
        for _ in range(100):
            messages = await view.messages(conversation.id)
            if messages[-1].delivery_status == "sent":
                break
            await asyncio.sleep(0.05)
        assert [(m.author, m.direction) for m in messages] == [
            ("customer", "in"),
            ("system", "out"),
        ]
        assert messages[-1].delivery_status == "sent"
        assert f"<{messages[-1].external_id}>" == ack.message["Message-ID"]
    finally:
        await hub.stop()


async def test_unparseable_mail_is_kept_marked_and_the_poller_goes_on(
    tmp_path: Path,
    sqlite_url: str,
    dovecot: Dovecot,
    mailbox: TestMailbox,
    smtp_server: SmtpServer,
) -> None:
    settings = email_settings(tmp_path, sqlite_url, dovecot, smtp_server)
    view = HubView(settings)
    hub = await RunningHub(settings).start()
    try:
        await mailbox.deliver(
            b"From: g@customer.test\r\nSubject: \xff\xfe\r\n\r\n\x00garbage\xff\r\n"
        )
        await mailbox.deliver(
            b"From: h@customer.test\r\nMessage-ID: <broken@customer.test>\r\nMIME-Version: 1.0"
            b'\r\nContent-Type: multipart/mixed; boundary="X"\r\n\r\n--X\r\nContent-Type: text/'
            b"plain; charset=x-nonsense\r\nContent-Transfer-Encoding: base64\r\n\r\n!!!\r\n--X"
        )
        await mailbox.deliver(mail(1))
        conversations = await view.wait_conversations(3)
        marked = [
            m for c in conversations for m in await view.messages(c.id) if "parse_error" in m.meta
        ]
        assert len(marked) == 2
        assert any("no Message-ID" in m.meta["parse_error"] for m in marked)
        for message in marked:  # the raw mail is kept, downloadable
            sha = message.meta["raw"].split("/")[4]
            assert (settings.server.data_dir / "attachments" / sha).is_file()
    finally:
        await hub.stop()


async def test_polling_without_idle_and_mailbox_state_for_supervisors(
    tmp_path: Path,
    sqlite_url: str,
    dovecot: Dovecot,
    mailbox: TestMailbox,
    smtp_server: SmtpServer,
) -> None:
    settings = email_settings(
        tmp_path, sqlite_url, dovecot, smtp_server, mailbox="idle = false\npoll_seconds = 0.2"
    )
    view = HubView(settings)
    hub = await RunningHub(settings).start()
    sue = await hub.add_agent("Sue", role="supervisor")
    async with aiohttp.ClientSession() as http:
        try:
            await mailbox.deliver(mail(1))
            await view.wait_conversations(1)
            token = await login(http, hub, sue)
            ws = await http.ws_connect(
                f"{hub.ws_url}/ws/supervisor", headers={"Authorization": f"Bearer {token}"}
            )
            snapshot = await ws.receive_json(timeout=10)
            (state,) = snapshot["mailboxes"]
            assert state["name"] == "support" and state["address"] == "support@example.com"
            assert state["connection"] in ("polling", "syncing")
            assert state["imported"] == 1 and state["last_uid"] == 1
            await ws.close()
        finally:
            await hub.stop()


async def test_reconnects_after_the_server_restarts(
    tmp_path: Path,
    sqlite_url: str,
    dovecot: Dovecot,
    mailbox: TestMailbox,
    smtp_server: SmtpServer,
) -> None:
    settings = email_settings(tmp_path, sqlite_url, dovecot, smtp_server)
    view = HubView(settings)
    hub = await RunningHub(settings).start()
    try:
        await mailbox.deliver(mail(1))
        await view.wait_conversations(1)
        dovecot.stop()  # the poller's IDLE connection drops
        dovecot.start()  # same port, same maildir
        async with TestMailbox(dovecot) as again:
            await again.deliver(mail(2))
            await view.wait_conversations(2)
            assert all(r"\Seen" in flags for flags in (await again.flags()).values())
    finally:
        await hub.stop()


async def test_first_run_imports_unread_mail_only(
    tmp_path: Path,
    sqlite_url: str,
    dovecot: Dovecot,
    mailbox: TestMailbox,
    smtp_server: SmtpServer,
) -> None:
    await mailbox.deliver(mail(1), flags=r"\Seen")  # history someone already read
    await mailbox.deliver(mail(2))
    await mailbox.deliver(mail(4), flags=r"\Seen")
    settings = email_settings(tmp_path, sqlite_url, dovecot, smtp_server)
    view = HubView(settings)
    hub = await RunningHub(settings).start()
    try:
        await wait_cursor(settings, 3)
        (conversation,) = await view.conversations()
        assert conversation.subject == "Question 2"
        await mailbox.deliver(mail(3))  # from then on, everything after the cursor
        await wait_cursor(settings, 4)
        assert len(await view.conversations()) == 2
    finally:
        await hub.stop()


async def test_mail_with_nul_characters_is_stored_on_every_database(
    tmp_path: Path,
    database_url: str,
    dovecot: Dovecot,
    mailbox: TestMailbox,
    smtp_server: SmtpServer,
) -> None:
    """PostgreSQL cannot store NUL: mail carrying one (raw, or quoted-printable =00) is kept
    with it dropped and the count recorded, and the next mail still arrives."""
    settings = email_settings(tmp_path, database_url, dovecot, smtp_server)
    view = HubView(settings)
    hub = await RunningHub(settings).start()
    try:
        await mailbox.deliver(
            b"From: n@customer.test\r\nMessage-ID: <nul1@customer.test>\r\nSubject: Null\x00ed"
            b"\r\nContent-Type: text/plain; charset=utf-8\r\n"
            b"Content-Transfer-Encoding: quoted-printable\r\n\r\nmy parcel=00 is late\r\n"
        )
        await mailbox.deliver(mail(2))
        conversations = await view.wait_conversations(2)
        messages = [m for c in conversations for m in await view.messages(c.id)]
        [nul] = [m for m in messages if m.external_id == "nul1@customer.test"]
        assert nul.text.strip() == "my parcel is late"
        assert "\x00" not in nul.meta["subject"] and nul.meta["replaced_characters"] >= 1
    finally:
        await hub.stop()
