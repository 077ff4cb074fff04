"""Voice end to end against the hub: TwiML parsed as XML at every step, the Calls API
redirect seen by the Twilio stand-in, and each step of a call on the customer's timeline."""

from __future__ import annotations

import asyncio
from pathlib import Path
from xml.etree import ElementTree

import aiohttp

from storage import open_store
from tests.channels.twilio.conftest import (
    ACCOUNT,
    CUSTOMER,
    OUR_NUMBER,
    PUBLIC,
    TwilioSide,
    start_hub,
)
from tests.channels.twilio.standin import TwilioStandIn
from tests.channels.twilio.test_sms import messages_of, timeline_kinds
from tests.harness import RunningHub, connect_agent

Standin = tuple[TwilioStandIn, str]
# A CallSid as Twilio makes them: the Calls API refuses any other shape (its OpenAPI
# description, which the stand-in checks every request against).
QUEUED = "CA" + "10" * 16


def call_params(sid: str, status: str = "ringing") -> dict[str, str]:
    return {
        "CallSid": sid,
        "From": CUSTOMER,
        "To": OUR_NUMBER,
        "CallStatus": status,
        "Direction": "inbound",
    }


async def ring(twilio: TwilioSide, sid: str) -> None:
    greeting = await twilio.twiml("/twilio/voice", **call_params(sid))
    say, redirect = list(greeting)
    assert say.tag == "Say" and "Thank you for calling" in (say.text or "")
    assert redirect.tag == "Redirect" and redirect.text == f"{PUBLIC}/twilio/voice/route"


def only(root: ElementTree.Element, tag: str) -> ElementTree.Element:
    (found,) = root.iter(tag)
    return found


async def call_steps(
    http: aiohttp.ClientSession, hub: RunningHub, token: str, customer_id: str
) -> list[str]:
    agent = type("A", (), {"token": token})()
    entries = await timeline_kinds(http, hub, agent, customer_id)  # type: ignore[arg-type]
    return [e["payload"]["status"] for e in entries if e["kind"] == "call"]


async def test_a_call_with_an_agent_available_is_dialled_to_them(
    tmp_path: Path, database_url: str, standin: Standin, http: aiohttp.ClientSession
) -> None:
    hub = await start_hub(tmp_path, database_url, standin[1])
    try:
        ana = await hub.add_agent("Ana", voice_target="+15550102000")
        agent = await connect_agent(http, hub, ana)
        twilio = TwilioSide(http, hub)
        await ring(twilio, "CA1")
        # While the greeting plays, the router offers the call; then Twilio asks /route.
        offer = await agent.expect("offer")
        routed = asyncio.create_task(twilio.twiml("/twilio/voice/route", CallSid="CA1"))
        await asyncio.sleep(0.2)  # the route request is waiting on the offer
        await agent.send(type="accept", offer_id=offer["offer_id"])
        assigned = await agent.expect("assigned")
        conversation = assigned["conversation"]
        assert conversation["channel"] == "voice" and conversation["contact"] == CUSTOMER
        dial = only(await routed, "Dial")
        number = only(dial, "Number")
        assert number.text == "+15550102000"
        assert number.get("statusCallback") == f"{PUBLIC}/twilio/voice/agent-leg?agent={ana['id']}"
        assert dial.get("action") == f"{PUBLIC}/twilio/voice/dial-status?agent={ana['id']}"

        leg = {"ParentCallSid": "CA1", "CallSid": "CA2", "CallStatus": "in-progress"}
        code, _ = await twilio.post(f"/twilio/voice/agent-leg?agent={ana['id']}", leg)
        assert code == 200
        answered = await agent.expect("call", lambda f: f["status"] == "in-progress")
        assert answered["agent_name"] == "Ana"
        done = await twilio.twiml(
            f"/twilio/voice/dial-status?agent={ana['id']}",
            CallSid="CA1",
            DialCallStatus="completed",
            DialCallDuration="42",
        )
        assert [e.tag for e in done] == ["Say", "Hangup"]
        await twilio.twiml(
            "/twilio/voice/status", **call_params("CA1", "completed"), CallDuration="47"
        )
        steps = await call_steps(http, hub, agent.token, conversation["customer_id"])
        assert steps == ["ringing", "connecting", "in-progress", "completed", "completed"]
        entries = await timeline_kinds(http, hub, agent, conversation["customer_id"])
        durations = [e["payload"]["duration_seconds"] for e in entries if e["kind"] == "call"]
        assert durations[-2:] == [42, 47]
    finally:
        await hub.stop()


async def test_a_queued_call_is_redirected_when_an_agent_accepts(
    tmp_path: Path, sqlite_url: str, standin: Standin, http: aiohttp.ClientSession
) -> None:
    fake, api_url = standin
    hub = await start_hub(tmp_path, sqlite_url, api_url)
    try:
        ben = await hub.add_agent("Ben")
        twilio = TwilioSide(http, hub)
        await ring(twilio, QUEUED)
        enqueue = only(await twilio.twiml("/twilio/voice/route", CallSid=QUEUED), "Enqueue")
        assert enqueue.text == "contacthub-general"
        assert enqueue.get("waitUrl") == f"{PUBLIC}/twilio/voice/wait"
        assert enqueue.get("action") == f"{PUBLIC}/twilio/voice/queue-result"
        holding = await twilio.twiml(
            "/twilio/voice/wait", CallSid=QUEUED, QueuePosition="1", QueueTime="3"
        )
        assert [e.tag for e in holding] == ["Leave"]  # nobody online at all: to voicemail

        agent = await connect_agent(http, hub, ben)  # an agent frees up
        holding = await twilio.twiml(
            "/twilio/voice/wait", CallSid=QUEUED, QueuePosition="1", QueueTime="9"
        )
        assert [e.tag for e in holding] == ["Say", "Play"]
        assert "number 1" in (holding[0].text or "")
        await agent.accept_next()
        for _ in range(100):
            if fake.of(f"/Calls/{QUEUED}.json"):
                break
            await asyncio.sleep(0.05)
        (redirect,) = fake.of(f"/Calls/{QUEUED}.json")
        assert redirect.path == f"/2010-04-01/Accounts/{ACCOUNT}/Calls/{QUEUED}.json"
        url = redirect.one("Url")
        assert url == f"{PUBLIC}/twilio/voice/connect?call={QUEUED}&agent={ben['id']}"
        assert redirect.one("Method") == "POST"
        connected = await twilio.twiml(url.removeprefix(PUBLIC), CallSid=QUEUED)
        assert only(only(connected, "Dial"), "Client").text == ben["id"]
        status = await call_steps(
            http, hub, agent.token, (await agent.expect("call"))["customer_id"]
        )
        assert status[:3] == ["ringing", "queued", "connecting"]
    finally:
        await hub.stop()


async def test_the_maximum_wait_leads_to_voicemail_and_its_transcription(
    tmp_path: Path, sqlite_url: str, standin: Standin, http: aiohttp.ClientSession
) -> None:
    hub = await start_hub(tmp_path, sqlite_url, standin[1])
    try:
        cal = await hub.add_agent("Cal")
        agent = await connect_agent(http, hub, cal, available=False)
        await agent.send(type="presence", status="away")  # online, but not taking work
        await agent.expect("presence", lambda f: f["status"] == "away")
        twilio = TwilioSide(http, hub)
        await ring(twilio, "CA20")
        await twilio.twiml("/twilio/voice/route", CallSid="CA20")
        held = await twilio.twiml(
            "/twilio/voice/wait", CallSid="CA20", QueuePosition="1", QueueTime="30"
        )
        assert [e.tag for e in held] == ["Say", "Play"]
        left = await twilio.twiml(
            "/twilio/voice/wait", CallSid="CA20", QueuePosition="1", QueueTime="60"
        )
        assert [e.tag for e in left] == ["Leave"]
        prompt = await twilio.twiml(
            "/twilio/voice/queue-result", CallSid="CA20", QueueResult="leave"
        )
        record = only(prompt, "Record")
        assert record.get("transcribe") == "true"
        assert record.get("transcribeCallback") == f"{PUBLIC}/twilio/voice/transcription"
        assert record.get("action") == f"{PUBLIC}/twilio/voice/recorded"
        recording = "https://api.twilio.com/2010-04-01/Accounts/AC/Recordings/RE1"
        bye = await twilio.twiml(
            "/twilio/voice/recorded",
            CallSid="CA20",
            RecordingSid="RE1",
            RecordingUrl=recording,
            RecordingDuration="14",
        )
        assert [e.tag for e in bye] == ["Say", "Hangup"]
        await twilio.twiml(
            "/twilio/voice/transcription",
            CallSid="CA20",
            RecordingSid="RE1",
            TranscriptionStatus="completed",
            TranscriptionText="Hi, please call me about invoice 42.",
        )
        await twilio.twiml("/twilio/voice/status", **call_params("CA20", "completed"))

        await agent.send(type="presence", status="available")
        conversation = (await agent.accept_next())["conversation"]
        texts = [m["text"] for m in await messages_of(http, hub, agent, conversation["id"])]
        assert texts == [
            f"Incoming call from {CUSTOMER}",
            f"Voicemail (14 s): {recording}",
            "Voicemail transcription: Hi, please call me about invoice 42.",
        ]
        steps = await call_steps(http, hub, agent.token, conversation["customer_id"])
        assert steps == ["ringing", "queued", "voicemail-prompt", "voicemail", "completed"]
    finally:
        await hub.stop()


async def test_a_missed_call_becomes_a_callback_task(
    tmp_path: Path, sqlite_url: str, standin: Standin, http: aiohttp.ClientSession
) -> None:
    hub = await start_hub(tmp_path, sqlite_url, standin[1])
    try:
        dee = await hub.add_agent("Dee")
        twilio = TwilioSide(http, hub)
        await ring(twilio, "CA30")
        await twilio.twiml("/twilio/voice/route", CallSid="CA30")
        await twilio.twiml("/twilio/voice/queue-result", CallSid="CA30", QueueResult="hangup")
        await twilio.twiml("/twilio/voice/status", **call_params("CA30", "completed"))

        agent = await connect_agent(http, hub, dee)
        offer = await agent.expect("offer")
        steps = await call_steps(http, hub, agent.token, offer["conversation"]["customer_id"])
        assert steps == ["ringing", "queued", "missed", "completed"]  # missed once
        assert offer["conversation"]["subject"] == f"Call back {CUSTOMER}"
        assert offer["preview"] == f"Missed call: please call back {CUSTOMER}"
        assert offer["conversation"]["contact"] == CUSTOMER
    finally:
        await hub.stop()


async def test_an_agent_on_a_call_gets_no_chat_offers(
    tmp_path: Path, sqlite_url: str, standin: Standin, http: aiohttp.ClientSession
) -> None:
    hub = await start_hub(tmp_path, sqlite_url, standin[1])
    try:
        agent = await connect_agent(http, hub, await hub.add_agent("Eve"))
        twilio = TwilioSide(http, hub)
        await ring(twilio, "CA40")
        offer = await agent.expect("offer")
        routed = asyncio.create_task(twilio.twiml("/twilio/voice/route", CallSid="CA40"))
        await agent.send(type="accept", offer_id=offer["offer_id"])
        only(await routed, "Dial")
        await twilio.sms("SM" + "9" * 32, "a text while she is on the phone", sender="+15550009999")
        await asyncio.sleep(0.5)
        assert len(agent.of_type("offer")) == 1  # only the call
    finally:
        await hub.stop()


async def test_a_withheld_number_still_reaches_an_agent(
    tmp_path: Path, sqlite_url: str, standin: Standin, http: aiohttp.ClientSession
) -> None:
    hub = await start_hub(tmp_path, sqlite_url, standin[1])
    try:
        agent = await connect_agent(http, hub, await hub.add_agent("Flo"))
        twilio = TwilioSide(http, hub)
        for sid in ("CA50", "CA51"):
            params = call_params(sid) | {"From": "anonymous"}
            greeting = await twilio.twiml("/twilio/voice", **params)
            assert [e.tag for e in greeting] == ["Say", "Redirect"]
        offer = await agent.expect("offer")
        assert offer["conversation"]["customer_name"] == "Withheld number"
        async with open_store(hub.settings.database_url) as store:
            first, second = [await store.calls.call(sid) for sid in ("CA50", "CA51")]
        assert first is not None and second is not None
        assert first.customer_id != second.customer_id  # two strangers, not one customer
    finally:
        await hub.stop()
