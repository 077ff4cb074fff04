"""SMS end to end: a signed webhook in, routed to an agent, the reply sent through the outbox
to the Twilio stand-in, and status callbacks moving it to delivered, all on the timeline."""

from __future__ import annotations

import asyncio
from pathlib import Path

import aiohttp

from tests.channels.twilio.conftest import (
    ACCOUNT,
    CUSTOMER,
    OUR_NUMBER,
    PUBLIC,
    TwilioSide,
    parse_twiml,
    start_hub,
)
from tests.channels.twilio.standin import TwilioStandIn
from tests.harness import Agent, RunningHub, connect_agent

Standin = tuple[TwilioStandIn, str]


async def timeline_kinds(
    http: aiohttp.ClientSession, hub: RunningHub, agent: Agent, customer_id: str
) -> list[dict]:  # type: ignore[type-arg]
    async with http.get(
        f"{hub.url}/api/v1/customers/{customer_id}/timeline",
        headers={"Authorization": f"Bearer {agent.token}"},
    ) as response:
        assert response.status == 200, await response.text()
        return list((await response.json())["entries"])


async def messages_of(
    http: aiohttp.ClientSession, hub: RunningHub, agent: Agent, conversation_id: str
) -> list[dict]:  # type: ignore[type-arg]
    async with http.get(
        f"{hub.url}/api/v1/conversations/{conversation_id}",
        headers={"Authorization": f"Bearer {agent.token}"},
    ) as response:
        assert response.status == 200, await response.text()
        return list((await response.json())["messages"])


async def sent_requests(fake: TwilioStandIn, count: int) -> None:
    for _ in range(200):
        if len(fake.of("/Messages.json")) >= count:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"expected {count} Messages.json requests, saw {fake.requests}")


async def test_sms_in_reply_out_and_receipts_to_delivered(
    tmp_path: Path, database_url: str, standin: Standin, http: aiohttp.ClientSession
) -> None:
    fake, api_url = standin
    hub = await start_hub(tmp_path, database_url, api_url)
    try:
        agent = await connect_agent(http, hub, await hub.add_agent("Ana"))
        twilio = TwilioSide(http, hub)
        answer = await twilio.sms(
            "SM" + "a" * 32,
            "My order is late",
            sender="+1 (555) 000-1111",
            NumMedia="1",
            MediaUrl0="https://api.twilio.com/media/ME1",
            MediaContentType0="image/jpeg",
        )
        assert list(parse_twiml(answer)) == []  # an empty <Response/>: no auto-reply
        assigned = await agent.accept_next()
        conversation = assigned["conversation"]
        assert conversation["channel"] == "sms" and conversation["contact"] == CUSTOMER
        (inbound,) = await messages_of(http, hub, agent, conversation["id"])
        assert inbound["attachments"][0]["url"] == "https://api.twilio.com/media/ME1"

        await agent.send(
            type="reply",
            conversation_id=conversation["id"],
            client_id="r1",
            text="Sorry! It ships today.",
        )
        ack = await agent.expect("ack", lambda f: f.get("client_id") == "r1")
        await sent_requests(fake, 1)
        (request,) = fake.of("/Messages.json")
        assert request.path == f"/2010-04-01/Accounts/{ACCOUNT}/Messages.json"
        assert request.one("To") == CUSTOMER and request.one("From") == OUR_NUMBER
        assert request.one("Body") == "Sorry! It ships today."
        assert request.one("StatusCallback") == f"{PUBLIC}/twilio/sms/status"
        queued = await agent.expect("delivery", lambda f: f["message_id"] == ack["message_id"])
        sid = queued["external_id"]
        assert queued["status"] == "queued" and sid.startswith("SM")

        for status in ("sent", "delivered"):
            code, _ = await twilio.post(
                "/twilio/sms/status",
                {"MessageSid": sid, "MessageStatus": status, "AccountSid": ACCOUNT},
            )
            assert code == 200
            await agent.expect("delivery", lambda f, s=status: f["status"] == s)

        entries = await timeline_kinds(http, hub, agent, conversation["customer_id"])
        steps = [e["payload"]["status"] for e in entries if e["kind"] == "delivery"]
        assert steps == ["queued", "sent", "delivered"]
        messages = await messages_of(http, hub, agent, conversation["id"])
        assert [m["delivery_status"] for m in messages] == [None, "delivered"]
    finally:
        await hub.stop()


async def test_a_retried_webhook_makes_no_duplicate(
    tmp_path: Path, sqlite_url: str, standin: Standin, http: aiohttp.ClientSession
) -> None:
    hub = await start_hub(tmp_path, sqlite_url, standin[1])
    try:
        agent = await connect_agent(http, hub, await hub.add_agent("Ben"))
        twilio = TwilioSide(http, hub)
        for _ in range(3):  # Twilio retries when it saw no answer in time
            await twilio.sms("SM" + "b" * 32, "hello?")
        assigned = await agent.accept_next()
        messages = await messages_of(http, hub, agent, assigned["conversation"]["id"])
        assert [m["text"] for m in messages] == ["hello?"]
    finally:
        await hub.stop()


async def test_stop_refuses_sends_and_start_allows_them_again(
    tmp_path: Path, sqlite_url: str, standin: Standin, http: aiohttp.ClientSession
) -> None:
    fake, api_url = standin
    hub = await start_hub(tmp_path, sqlite_url, api_url)
    try:
        agent = await connect_agent(http, hub, await hub.add_agent("Cal"))
        twilio = TwilioSide(http, hub)
        await twilio.sms("SM" + "c" * 32, "Where is my refund")
        conversation = (await agent.accept_next())["conversation"]
        await twilio.sms("SM" + "d" * 32, "stop")
        consent = await agent.expect("consent")
        assert consent["opted_out"] is True and consent["address"] == CUSTOMER
        assert consent["conversation_id"] == conversation["id"]
        await agent.send(
            type="reply", conversation_id=conversation["id"], client_id="x1", text="Are you there?"
        )
        error = await agent.expect("error", lambda f: f.get("client_id") == "x1")
        assert error["code"] == "opted_out" and "STOP" in error["message"]

        await twilio.sms("SM" + "e" * 32, "START")
        assert (await agent.expect("consent"))["opted_out"] is False
        await agent.send(
            type="reply", conversation_id=conversation["id"], client_id="x2", text="Welcome back"
        )
        await agent.expect("ack", lambda f: f.get("client_id") == "x2")
        await sent_requests(fake, 1)
        assert [r.one("Body") for r in fake.of("/Messages.json")] == ["Welcome back"]
        texts = [m["text"] for m in await messages_of(http, hub, agent, conversation["id"])]
        assert texts == ["Where is my refund", "Welcome back"]  # keywords are not messages
    finally:
        await hub.stop()


async def test_rate_limit_retries_and_an_invalid_number_fails_visibly(
    tmp_path: Path, sqlite_url: str, standin: Standin, http: aiohttp.ClientSession
) -> None:
    fake, api_url = standin
    hub = await start_hub(tmp_path, sqlite_url, api_url)
    try:
        agent = await connect_agent(http, hub, await hub.add_agent("Dee"))
        twilio = TwilioSide(http, hub)
        await twilio.sms("SM" + "f" * 32, "hi")
        conversation = (await agent.accept_next())["conversation"]

        fake.fail_next("messages", 429, 20429, "Too Many Requests")
        await agent.send(
            type="reply", conversation_id=conversation["id"], client_id="a", text="first"
        )
        retrying = await agent.expect("delivery", lambda f: f["status"] == "queued")
        assert "429" in retrying["error"] and retrying["attempts"] == 1
        sent = await agent.expect("delivery", lambda f: f.get("external_id") is not None)
        assert sent["attempts"] == 2 and sent["error"] is None
        assert len(fake.of("/Messages.json")) == 2

        fake.fail_next("messages", 400, 21211, "The 'To' number +15550001111 is not valid.")
        await agent.send(
            type="reply", conversation_id=conversation["id"], client_id="b", text="second"
        )
        failed = await agent.expect("delivery", lambda f: f["status"] == "failed")
        assert failed["error_code"] == "21211" and "not valid" in failed["error"]
        await asyncio.sleep(0.5)  # the relay polls every 0.1 s: nothing more is tried
        assert len(fake.of("/Messages.json")) == 3
    finally:
        await hub.stop()


async def test_status_for_an_unknown_message_is_acknowledged_and_ignored(
    tmp_path: Path, sqlite_url: str, standin: Standin, http: aiohttp.ClientSession
) -> None:
    hub = await start_hub(tmp_path, sqlite_url, standin[1])
    try:
        twilio = TwilioSide(http, hub)
        status, text = await twilio.post(
            "/twilio/sms/status", {"MessageSid": "SM" + "0" * 32, "MessageStatus": "delivered"}
        )
        assert status == 200 and list(parse_twiml(text)) == []
    finally:
        await hub.stop()


async def test_a_file_attached_to_a_text_goes_out_as_a_link_twilio_can_fetch(
    tmp_path: Path, sqlite_url: str, standin: Standin, http: aiohttp.ClientSession
) -> None:
    """An upload is for signed-in agents only, which Twilio is not: the MMS carries an
    absolute, signed, expiring link under public_base_url instead of the console's URL."""
    fake, api_url = standin
    hub = await start_hub(tmp_path, sqlite_url, api_url)
    try:
        ann = await hub.add_agent("Ann")
        agent = await connect_agent(http, hub, ann)
        await TwilioSide(http, hub).sms("SM" + "8" * 32, "can you send the invoice?")
        conversation = (await agent.accept_next())["conversation"]
        auth = {"Authorization": f"Bearer {agent.token}"}
        form = aiohttp.FormData()
        form.add_field(
            "file", b"%PDF-1.4 invoice", filename="invoice.pdf", content_type="application/pdf"
        )
        async with http.post(f"{hub.url}/api/v1/attachments", data=form, headers=auth) as r:
            uploaded = await r.json()
        await agent.send(
            type="reply",
            conversation_id=conversation["id"],
            client_id="inv",
            text="Here it is.",
            attachments=[{k: uploaded[k] for k in ("sha256", "name", "content_type")}],
        )
        await sent_requests(fake, 1)
        (sent,) = fake.of("/Messages.json")
        (link,) = sent.form["MediaUrl"]
        assert link.startswith(f"{PUBLIC}/twilio/media/{uploaded['sha256']}/invoice.pdf?")
        local = hub.url + link.removeprefix(PUBLIC)
        async with http.get(local) as response:  # Twilio fetches it, with no session
            assert response.status == 200 and await response.read() == b"%PDF-1.4 invoice"
            assert response.headers["Content-Type"] == "application/pdf"
        async with http.get(local.replace("expires=", "expires=1")) as response:
            assert response.status == 403  # the expiry is signed
        async with http.get(local.replace(uploaded["sha256"], "0" * 64)) as response:
            assert response.status == 403  # so is the file
    finally:
        await hub.stop()
