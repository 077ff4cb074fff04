"""Replies through the outbox: SMTP 4xx retried until it succeeds, 5xx marks the message
failed where the agent sees it, a bounce marks the message it names failed, and agents
send and receive attachments."""

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


async def test_smtp_4xx_is_retried_then_sent(
    tmp_path: Path, sqlite_url: str, dovecot: Dovecot, mailbox: TestMailbox, smtp_server: SmtpServer
) -> None:
    settings = email_settings(tmp_path, sqlite_url, dovecot, smtp_server)
    hub = await RunningHub(settings).start()
    smtp_server.handler.answers = ["451 4.3.0 Try again later", "421 4.7.0 Busy"]
    async with aiohttp.ClientSession() as http:
        try:
            agent = await connect_agent(http, hub, await hub.add_agent("Ann"))
            await mailbox.deliver(shapes.first_mail(CAROL))
            conversation = await accepted_conversation(agent)
            await agent.send(
                type="reply", conversation_id=conversation["id"], client_id="r", text="Hi"
            )
            retrying = await agent.expect("delivery", lambda f: f["status"] == "queued")
            assert "451 4.3.0 Try again later" in retrying["error"]
            sent = await agent.expect("delivery", lambda f: f["status"] == "sent")
            assert sent["attempts"] == 3
            (received,) = await smtp_server.wait_for(1)
            assert received.message["Message-ID"].strip("<>") == sent["external_id"]
            assert smtp_server.handler.attempts == 3
        finally:
            await hub.stop()


async def test_smtp_5xx_marks_the_reply_failed(
    tmp_path: Path, sqlite_url: str, dovecot: Dovecot, mailbox: TestMailbox, smtp_server: SmtpServer
) -> None:
    settings = email_settings(tmp_path, sqlite_url, dovecot, smtp_server)
    hub = await RunningHub(settings).start()
    view = HubView(settings)
    smtp_server.handler.answers = ["550 5.7.1 Message rejected as spam"]
    async with aiohttp.ClientSession() as http:
        try:
            agent = await connect_agent(http, hub, await hub.add_agent("Ann"))
            await mailbox.deliver(shapes.first_mail(CAROL))
            conversation = await accepted_conversation(agent)
            await agent.send(
                type="reply", conversation_id=conversation["id"], client_id="r", text="Hi"
            )
            failed = await agent.expect("delivery", lambda f: f["status"] == "failed")
            assert failed["error"] == "SMTP 550 5.7.1 Message rejected as spam"
            assert failed["error_code"] == "550"
            message = await view.wait_message(conversation["id"], direction="out")
            assert message.delivery_status == "failed"
            assert message.delivery_error == "SMTP 550 5.7.1 Message rejected as spam"
            assert smtp_server.received == [] and smtp_server.handler.attempts == 1
        finally:
            await hub.stop()


def _bounce(original_id: str) -> bytes:
    return (
        "From: Mail Delivery System <MAILER-DAEMON@mx.customer.test>\r\n"
        "To: support@example.com\r\nSubject: Undelivered Mail Returned to Sender\r\n"
        "Message-ID: <bounce1@mx.customer.test>\r\nAuto-Submitted: auto-replied\r\n"
        "MIME-Version: 1.0\r\nContent-Type: multipart/report; report-type=delivery-status; "
        'boundary="B"\r\n\r\n--B\r\nContent-Type: text/plain\r\n\r\nDelivery failed.\r\n'
        "--B\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx\r\n\r\n"
        f"Final-Recipient: rfc822; {CAROL}\r\nAction: failed\r\nStatus: 5.1.1\r\n"
        "Diagnostic-Code: smtp; 550 5.1.1 No such user\r\n\r\n--B\r\n"
        "Content-Type: text/rfc822-headers\r\n\r\nFrom: support@example.com\r\n"
        f"Message-ID: <{original_id}>\r\n\r\n--B--\r\n"
    ).encode()


async def test_bounce_marks_the_sent_reply_failed(
    tmp_path: Path, sqlite_url: str, dovecot: Dovecot, mailbox: TestMailbox, smtp_server: SmtpServer
) -> None:
    settings = email_settings(tmp_path, sqlite_url, dovecot, smtp_server)
    hub = await RunningHub(settings).start()
    view = HubView(settings)
    async with aiohttp.ClientSession() as http:
        try:
            agent = await connect_agent(http, hub, await hub.add_agent("Ann"))
            await mailbox.deliver(shapes.first_mail(CAROL))
            conversation = await accepted_conversation(agent)
            await agent.send(
                type="reply", conversation_id=conversation["id"], client_id="r", text="Hi"
            )
            sent = await agent.expect("delivery", lambda f: f["status"] == "sent")
            uid = await mailbox.deliver(_bounce(sent["external_id"]))
            failed = await agent.expect("delivery", lambda f: f["status"] == "failed")
            assert failed["error"] == "bounced: 5.1.1 550 5.1.1 No such user"
            assert failed["message_id"] == sent["message_id"]
            assert len(await view.conversations()) == 1  # the bounce opened nothing
            assert r"\Seen" in (await mailbox.flags())[uid]
        finally:
            await hub.stop()


async def test_attachments_in_and_out(
    tmp_path: Path, sqlite_url: str, dovecot: Dovecot, mailbox: TestMailbox, smtp_server: SmtpServer
) -> None:
    settings = email_settings(tmp_path, sqlite_url, dovecot, smtp_server)
    hub = await RunningHub(settings).start()
    ann = await hub.add_agent("Ann")
    async with aiohttp.ClientSession() as http:
        try:
            agent = await connect_agent(http, hub, ann)
            auth = {"Authorization": f"Bearer {agent.token}"}
            msg = shapes.EmailMessage()
            msg["From"], msg["To"], msg["Subject"] = CAROL, shapes.SUPPORT, "Receipt"
            msg["Message-ID"] = "<att1@customer.test>"
            msg.set_content("Receipt attached.")
            msg.add_attachment(
                b"%PDF-1.4 receipt", maintype="application", subtype="pdf", filename="receipt.pdf"
            )
            await mailbox.deliver(msg.as_bytes())
            conversation = await accepted_conversation(agent)
            async with http.get(
                f"{hub.url}/api/v1/conversations/{conversation['id']}", headers=auth
            ) as response:
                (message,) = (await response.json())["messages"]
            (attachment,) = message["attachments"]
            assert attachment["name"] == "receipt.pdf" and attachment["size"] == 16
            async with http.get(hub.url + attachment["url"], headers=auth) as response:
                assert response.status == 200 and await response.read() == b"%PDF-1.4 receipt"
                assert response.headers["Content-Disposition"].startswith("attachment")
            async with http.get(hub.url + attachment["url"]) as response:
                assert response.status == 401  # agents only

            form = aiohttp.FormData()
            form.add_field("file", b"label bytes", filename="label.txt", content_type="text/plain")
            async with http.post(f"{hub.url}/api/v1/attachments", data=form, headers=auth) as r:
                uploaded = await r.json()
            await agent.send(
                type="reply",
                conversation_id=conversation["id"],
                client_id="r",
                text="Here is the label.",
                attachments=[{k: uploaded[k] for k in ("sha256", "name", "content_type")}],
            )
            (sent,) = await smtp_server.wait_for(1)
            (part,) = sent.message.iter_attachments()
            assert part.get_filename() == "label.txt"
            assert part.get_content() == "label bytes"
        finally:
            await hub.stop()
