"""An address a web chat visitor typed is an unverified claim: real mail from that address is
never filed under the visitor, and agents see the claim as unverified."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import aiohttp

from tests.channels.email import shapes
from tests.channels.email.dovecot import Dovecot
from tests.channels.email.hubs import HubView, email_settings
from tests.channels.email.mailbox import TestMailbox
from tests.channels.email.smtp_server import SmtpServer
from tests.harness import RunningHub, connect_customer, login

CAROL = "carol@customer.test"


async def _customer(http: aiohttp.ClientSession, hub: RunningHub, token: str, cid: str) -> Any:
    url = f"{hub.url}/api/v1/customers/{cid}/timeline"
    async with http.get(url, headers={"Authorization": f"Bearer {token}"}) as response:
        return (await response.json())["customer"]


async def test_mail_from_a_typed_address_is_not_filed_under_the_visitor(
    tmp_path: Path, sqlite_url: str, dovecot: Dovecot, mailbox: TestMailbox, smtp_server: SmtpServer
) -> None:
    hub = await RunningHub(email_settings(tmp_path, sqlite_url, dovecot, smtp_server)).start()
    view = HubView(hub.settings)
    ann = await hub.add_agent("Ann")
    async with aiohttp.ClientSession() as http:
        try:
            impostor = await connect_customer(http, hub, name="Mallory", email=CAROL.upper())
            await impostor.say("I am Carol, honest")
            (chat,) = await view.wait_conversations(1)
            await mailbox.deliver(shapes.first_mail(f"Carol Customer <{CAROL}>"))
            _, mail = await view.wait_conversations(2)
            assert mail.channel == "email" and mail.customer_id != chat.customer_id

            token = await login(http, hub, ann)
            visitor = await _customer(http, hub, token, chat.customer_id)
            claims = [i for i in visitor["identities"] if i["kind"] == "email"]
            assert claims == [
                {"kind": "email", "address": CAROL, "verified": False, "opted_out_at": None}
            ]
            assert visitor["email"] is None  # the customer's email is a verified one only
            carol = await _customer(http, hub, token, mail.customer_id)
            assert carol["identities"] == [
                {"kind": "email", "address": CAROL, "verified": True, "opted_out_at": None}
            ]
            assert carol["email"] == CAROL
            await impostor.close()
        finally:
            await hub.stop()
