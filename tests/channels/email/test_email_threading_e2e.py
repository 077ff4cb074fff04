"""Threading rules through a running hub, with replies shaped like Outlook, Gmail and Apple
Mail send them (docs/protocol.md, "Threading rules")."""

from __future__ import annotations

from pathlib import Path

import aiohttp

from tests.channels.email import shapes
from tests.channels.email.dovecot import Dovecot
from tests.channels.email.hubs import HubView, accepted_conversation, email_settings
from tests.channels.email.mailbox import TestMailbox
from tests.channels.email.smtp_server import SmtpServer
from tests.harness import RunningHub, connect_agent

CAROL = "carol@customer.test"
DAN = "dan@customer.test"


async def test_threading_rules(
    tmp_path: Path,
    database_url: str,
    dovecot: Dovecot,
    mailbox: TestMailbox,
    smtp_server: SmtpServer,
) -> None:
    settings = email_settings(tmp_path, database_url, dovecot, smtp_server)
    view = HubView(settings)
    hub = await RunningHub(settings).start()
    async with aiohttp.ClientSession() as http:
        try:
            agent = await connect_agent(http, hub, await hub.add_agent("Ann"))
            await mailbox.deliver(
                shapes.first_mail(
                    f"Carol <{CAROL}>",
                    "Broken kettle",
                    "It leaks.",
                    cc=DAN,
                    message_id="<k1@customer.test>",
                )
            )
            conversation = await accepted_conversation(agent)
            cid = conversation["id"]
            await agent.send(type="reply", conversation_id=cid, client_id="r1", text="Sorry!")
            (ours,) = await smtp_server.wait_for(1)
            assert ours.recipients == [CAROL, DAN]  # the CC'd participant is copied
            assert ours.message["Cc"] == DAN
            reply_to, subject = ours.message["Reply-To"], ours.message["Subject"]
            our_id = ours.message["Message-ID"].strip("<>")

            async def rule_of(text: str) -> tuple[str, str]:
                frame = await agent.expect("message", lambda f: f["text"].startswith(text))
                return frame["conversation_id"], frame["meta"]["thread_rule"]

            # Outlook, no In-Reply-To or References: the reply address carries the token.
            await mailbox.deliver(shapes.outlook_reply(CAROL, reply_to, subject, "Outlook says"))
            assert await rule_of("Outlook says") == (cid, "reply-address token")
            # Dan, CC'd on the first mail, answers the tagged subject: he is a participant.
            await mailbox.deliver(shapes.outlook_reply(DAN, shapes.SUPPORT, subject, "Dan here"))
            assert await rule_of("Dan here") == (cid, "subject tag")
            # Apple Mail, References only, and a new subject: still the same thread.
            await mailbox.deliver(
                shapes.apple_reply(
                    CAROL,
                    shapes.SUPPORT,
                    "Another question",
                    "gone@x.test",
                    ["k1@customer.test", "gone@x.test"],
                    "Apple asks",
                )
            )
            assert await rule_of("Apple asks") == (cid, "references")
            # Frank, BCC'd by Carol, answers our mail: he joins, Carol stays the customer.
            await mailbox.deliver(
                shapes.gmail_reply(
                    "frank@else.test", shapes.SUPPORT, subject, our_id, [our_id], "Frank, BCC"
                )
            )
            assert await rule_of("Frank, BCC") == (cid, "in-reply-to")
            assert (await view.conversation(cid)).contact == CAROL  # type: ignore[union-attr]

            # Mallory quotes the ticket tag: a new conversation, linked to Carol's.
            await mailbox.deliver(
                shapes.first_mail("mallory@evil.test", subject, "Let me in", message_id="<m@e>")
            )
            linked = await agent.expect("offer")
            assert linked["conversation"]["linked_to"] == cid
            assert linked["conversation"]["contact"] == "mallory@evil.test"

            # Resolved, then Carol answers from Gmail: the conversation reopens.
            await agent.send(type="resolve", conversation_id=cid)
            await agent.expect("status", lambda f: f["status"] == "resolved")
            await mailbox.deliver(
                shapes.gmail_reply(CAROL, reply_to, subject, our_id, [our_id], "One more")
            )
            reopened = await agent.expect("offer", lambda f: f["conversation"]["id"] == cid)
            assert reopened["conversation"]["status"] == "pending"
            texts = [m.text for m in await view.wait_messages(cid, 7)]
            assert texts[-1] == "One more" and len(texts) == 7
        finally:
            await hub.stop()


async def test_resolved_past_the_reopen_window_opens_a_linked_conversation(
    tmp_path: Path,
    sqlite_url: str,
    dovecot: Dovecot,
    mailbox: TestMailbox,
    smtp_server: SmtpServer,
) -> None:
    settings = email_settings(tmp_path, sqlite_url, dovecot, smtp_server, email="reopen_days = 0")
    hub = await RunningHub(settings).start()
    async with aiohttp.ClientSession() as http:
        try:
            agent = await connect_agent(http, hub, await hub.add_agent("Ann"))
            await mailbox.deliver(shapes.first_mail(CAROL, message_id="<old@customer.test>"))
            conversation = await accepted_conversation(agent)
            await agent.send(type="resolve", conversation_id=conversation["id"])
            await agent.expect("status", lambda f: f["status"] == "resolved")
            await mailbox.deliver(
                shapes.apple_reply(
                    CAROL,
                    shapes.SUPPORT,
                    "x",
                    "old@customer.test",
                    ["old@customer.test"],
                    "Weeks later",
                )
            )
            offer = await agent.expect("offer")
            assert offer["conversation"]["id"] != conversation["id"]
            assert offer["conversation"]["linked_to"] == conversation["id"]
        finally:
            await hub.stop()
