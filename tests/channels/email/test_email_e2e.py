"""The email channel through a running hub: Dovecot in, aiosmtpd out."""

from __future__ import annotations

from pathlib import Path

import aiohttp

from tests.channels.email import shapes
from tests.channels.email.dovecot import Dovecot
from tests.channels.email.hubs import DOMAIN, SUPPORT, email_settings
from tests.channels.email.mailbox import TestMailbox
from tests.channels.email.smtp_server import SmtpServer
from tests.harness import RunningHub, connect_agent, login

CAROL = "carol@customer.test"


async def test_idle_delivery_reply_out_and_threaded_answer(
    tmp_path: Path, sqlite_url: str, dovecot: Dovecot, mailbox: TestMailbox, smtp_server: SmtpServer
) -> None:
    settings = email_settings(tmp_path, sqlite_url, dovecot, smtp_server)
    hub = await RunningHub(settings).start()
    ann = await hub.add_agent("Ann")
    async with aiohttp.ClientSession() as http:
        try:
            agent = await connect_agent(http, hub, ann)
            uid = await mailbox.deliver(
                shapes.first_mail(f"Carol Customer <{CAROL}>", message_id="<c1@customer.test>")
            )
            offer = await agent.expect("offer")
            conversation = offer["conversation"]
            assert conversation["channel"] == "email"
            assert conversation["contact"] == CAROL and conversation["via"] == SUPPORT
            assert conversation["subject"] == "My order has not arrived"
            assert (await mailbox.flags())[uid] >= {r"\Seen"}
            await agent.send(type="accept", offer_id=offer["offer_id"])
            await agent.expect("assigned")
            await agent.send(
                type="reply",
                conversation_id=conversation["id"],
                client_id="r1",
                text="Hello Carol,\n\nIt ships today.",
            )
            ack = await agent.expect("ack")
            (sent,) = await smtp_server.wait_for(1)
            msg = sent.message
            assert sent.recipients == [CAROL]
            (sender,) = msg["From"].addresses
            assert (sender.display_name, sender.addr_spec) == ("Ann via Example Support", SUPPORT)
            assert msg["To"] == CAROL
            assert msg["Subject"] == f"Re: My order has not arrived [#{conversation['id']}]"
            assert msg["In-Reply-To"] == "<c1@customer.test>"
            assert msg["References"] == "<c1@customer.test>"
            assert msg["Message-ID"].startswith(f"<{ack['message_id']}.{conversation['id']}-")
            assert msg["Message-ID"].endswith(f"@{DOMAIN}>")
            assert msg["Reply-To"].startswith(f"support+{conversation['id']}-")
            assert msg.get_body(("plain",)).get_content().startswith("Hello Carol,")
            assert "<p>Hello Carol,</p>" in msg.get_body(("html",)).get_content()
            delivered = await agent.expect("delivery", lambda f: f["status"] == "sent")
            our_id = msg["Message-ID"].strip("<>")
            assert delivered["external_id"] == our_id

            # Carol answers from Gmail: In-Reply-To is our Message-ID.
            await mailbox.deliver(
                shapes.gmail_reply(
                    CAROL,
                    msg["Reply-To"],
                    msg["Subject"],
                    our_id,
                    ["c1@customer.test", our_id],
                    "Great, thanks!",
                )
            )
            frame = await agent.expect("message", lambda f: f["text"] == "Great, thanks!")
            assert frame["conversation_id"] == conversation["id"]
            assert frame["meta"]["thread_rule"] == "in-reply-to"
            assert frame["meta"]["quoted"].startswith("On Mon, 23 Nov 2026")
            token = await login(http, hub, ann)
            async with http.get(
                f"{hub.url}/api/v1/conversations/{conversation['id']}",
                headers={"Authorization": f"Bearer {token}"},
            ) as response:
                body = await response.json()
            texts = [m["text"] for m in body["messages"]]
            assert texts[1:] == ["Hello Carol,\n\nIt ships today.", "Great, thanks!"]
            assert body["messages"][1]["external_id"] == our_id
            assert body["messages"][1]["delivery_status"] == "sent"

            # The second reply answers Carol's latest mail and lists the whole chain, as
            # plain ids (no encoded words, which clients would not thread by).
            await agent.send(
                type="reply", conversation_id=conversation["id"], client_id="r2", text="Bye"
            )
            second = (await smtp_server.wait_for(2))[1]
            carol_id = body["messages"][2]["external_id"]
            assert second.message["In-Reply-To"] == f"<{carol_id}>"
            chain = f"<c1@customer.test> <{our_id}> <{carol_id}>"
            (references,) = [
                line for line in second.data.split(b"\r\n") if line.startswith(b"References:")
            ]
            assert references.decode() == f"References: {chain}"
            assert second.message["Subject"] == msg["Subject"]
        finally:
            await hub.stop()
