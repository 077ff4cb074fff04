"""Which queue texts and calls enter when the number has no queue of its own: SMS and voice
are separate channels, each with its own default (the first queue listing that channel, or
`sms_queue` / `voice_queue`), decided once when the channel is built."""

from __future__ import annotations

from pathlib import Path

import aiohttp

from hub.models import Conversation
from storage import open_store
from tests.channels.twilio.conftest import CUSTOMER, OUR_NUMBER, TwilioSide, start_hub
from tests.channels.twilio.standin import TwilioStandIn
from tests.harness import RunningHub

Standin = tuple[TwilioStandIn, str]
BY_CHANNEL = """
[[queues]]
name = "calls"
channels = ["voice"]

[[queues]]
name = "texts"
channels = ["sms"]

[[queues]]
name = "general"
channels = ["webchat", "email"]
"""


async def text_and_call(http: aiohttp.ClientSession, hub: RunningHub) -> dict[str, str]:
    """Send a text and place a call to our number; the queue each conversation entered."""
    twilio = TwilioSide(http, hub)
    await twilio.sms("SMQ1", "my order is late")
    call = {"CallSid": "CAQ1", "From": CUSTOMER, "To": OUR_NUMBER, "CallStatus": "ringing"}
    await twilio.twiml("/twilio/voice", **call)
    async with open_store(hub.settings.database_url) as store:
        unresolved: list[Conversation] = await store.reader.unresolved()
    return {c.channel: c.queue for c in unresolved}


async def test_texts_and_calls_enter_the_queue_of_their_own_channel(
    tmp_path: Path, database_url: str, standin: Standin, http: aiohttp.ClientSession
) -> None:
    hub = await start_hub(tmp_path, database_url, standin[1], extra=BY_CHANNEL)
    try:
        assert await text_and_call(http, hub) == {"sms": "texts", "voice": "calls"}
    finally:
        await hub.stop()


async def test_sms_queue_and_voice_queue_name_them_outright(
    tmp_path: Path, database_url: str, standin: Standin, http: aiohttp.ClientSession
) -> None:
    named = 'sms_queue = "general"\nvoice_queue = "texts"\n' + BY_CHANNEL
    hub = await start_hub(tmp_path, database_url, standin[1], extra=named)
    try:
        assert await text_and_call(http, hub) == {"sms": "general", "voice": "texts"}
    finally:
        await hub.stop()
