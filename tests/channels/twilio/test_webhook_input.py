"""Bad webhooks: unsigned or forged ones are refused with 403 and store nothing, a missing
field is a 400 that names it, and nothing a caller sends can inject TwiML or markup."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import aiohttp
import pytest

from hub.errors import ConfigError
from hub.settings import load_settings
from hub.settings.secrets import require_channel_secrets
from storage import open_store
from tests.channels.twilio.conftest import (
    ACCOUNT,
    CUSTOMER,
    OUR_NUMBER,
    TOKEN,
    TwilioSide,
    parse_twiml,
    start_hub,
    twilio_config,
)
from tests.channels.twilio.standin import TwilioStandIn
from tests.channels.twilio.test_sms import messages_of
from tests.harness import RunningHub, connect_agent

Standin = tuple[TwilioStandIn, str]
SMS = {
    "MessageSid": "SM" + "1" * 32,
    "AccountSid": ACCOUNT,
    "From": CUSTOMER,
    "To": OUR_NUMBER,
    "Body": "hello",
    "NumMedia": "0",
}


async def stored_events(hub: RunningHub) -> list[str]:
    """Every event the hub has written (presence changes aside)."""
    async with open_store(hub.settings.database_url) as store:
        envelopes = await store.events.after(0)
    return [e.event.type for e in envelopes if e.event.type != "presence"]


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/twilio/sms", SMS),
        ("/twilio/sms/status", {"MessageSid": "SM1", "MessageStatus": "delivered"}),
        ("/twilio/voice", {"CallSid": "CA1", "From": CUSTOMER, "To": OUR_NUMBER}),
        ("/twilio/voice/recorded", {"CallSid": "CA1", "RecordingUrl": "https://x"}),
    ],
)
async def test_unsigned_and_forged_webhooks_get_403_and_store_nothing(
    tmp_path: Path,
    sqlite_url: str,
    standin: Standin,
    http: aiohttp.ClientSession,
    path: str,
    params: dict[str, str],
) -> None:
    hub = await start_hub(tmp_path, sqlite_url, standin[1])
    try:
        twilio = TwilioSide(http, hub)
        forger = TwilioSide(http, hub, token="not-the-auth-token")
        assert (await twilio.post(path, params, signature=""))[0] == 403
        assert (await twilio.post(path, params, signature=forger.sign(path, params)))[0] == 403
        tampered = params | {next(iter(params)): "changed"}
        assert (await twilio.post(path, tampered, signature=twilio.sign(path, params)))[0] == 403
        # Signed for another URL (a replay against a different endpoint) fails too.
        other = twilio.sign("/twilio/other", params)
        assert (await twilio.post(path, params, signature=other))[0] == 403
        assert await stored_events(hub) == []
    finally:
        await hub.stop()


async def test_missing_fields_get_400_naming_them(
    tmp_path: Path, sqlite_url: str, standin: Standin, http: aiohttp.ClientSession
) -> None:
    hub = await start_hub(tmp_path, sqlite_url, standin[1])
    try:
        twilio = TwilioSide(http, hub)
        without_from = {k: v for k, v in SMS.items() if k != "From"}
        assert await twilio.post("/twilio/sms", without_from) == (400, "missing field From\n")
        status, text = await twilio.post("/twilio/sms", SMS | {"NumMedia": "2"})
        assert status == 400 and "MediaUrl0" in text
        status, text = await twilio.post("/twilio/sms", SMS | {"From": "not a number"})
        assert status == 400 and "not a phone number" in text
        status, text = await twilio.post("/twilio/voice/wait", {"CallSid": "CA1"})
        assert (status, text) == (400, "missing field QueuePosition\n")
        status, text = await twilio.post(
            "/twilio/voice/wait", {"CallSid": "CA-unknown", "QueuePosition": "1", "QueueTime": "2"}
        )
        assert (status, text) == (400, "unknown CallSid CA-unknown\n")
        # The hub keeps serving after bad input.
        assert parse_twiml(await twilio.sms(SMS["MessageSid"], "still here")) is not None
    finally:
        await hub.stop()


async def test_status_callbacks_for_unknown_calls_are_acknowledged_and_change_nothing(
    tmp_path: Path, sqlite_url: str, standin: Standin, http: aiohttp.ClientSession
) -> None:
    hub = await start_hub(tmp_path, sqlite_url, standin[1])
    try:
        twilio = TwilioSide(http, hub)
        root = await twilio.twiml("/twilio/voice/status", CallSid="CA404", CallStatus="completed")
        assert list(root) == []
        assert await stored_events(hub) == []
    finally:
        await hub.stop()


async def test_markup_and_twiml_in_a_text_stay_text(
    tmp_path: Path, sqlite_url: str, standin: Standin, http: aiohttp.ClientSession
) -> None:
    hub = await start_hub(tmp_path, sqlite_url, standin[1])
    try:
        agent = await connect_agent(http, hub, await hub.add_agent("Tom"))
        twilio = TwilioSide(http, hub)
        evil = "</Message></Response><Response><Dial>+19005550000</Dial><script>alert(1)</script>"
        answer = await twilio.sms("SM" + "7" * 32, evil)
        assert list(parse_twiml(answer)) == []
        help_answer = parse_twiml(await twilio.sms("SM" + "8" * 32, "HELP"))
        assert [e.tag for e in help_answer] == ["Message"]
        conversation = (await agent.accept_next())["conversation"]
        texts = [m["text"] for m in await messages_of(http, hub, agent, conversation["id"])]
        assert texts == [evil, "HELP"]  # stored verbatim; the console renders it as text
    finally:
        await hub.stop()


def test_twilio_config_errors_name_the_key(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(twilio_config("http://127.0.0.1:9"))
    unset = load_settings(path, env={})  # loads: only running the channel needs the token
    with pytest.raises(ConfigError) as missing:
        require_channel_secrets(unset.channels)
    assert missing.value.key == "channels.twilio.auth_token_env"
    path.write_text(twilio_config("http://127.0.0.1:9") + f'auth_token = "{TOKEN}"\n')
    with pytest.raises(ConfigError) as in_file:
        load_settings(path, env={"CONTACTHUB_TEST_TWILIO_TOKEN": TOKEN})
    assert in_file.value.key == "channels.twilio.auth_token"
    path.write_text(twilio_config("ftp://nowhere"))
    with pytest.raises(ConfigError) as bad_url:
        load_settings(path, env={"CONTACTHUB_TEST_TWILIO_TOKEN": TOKEN})
    assert bad_url.value.key == "channels.twilio.api_base_url"


async def test_storage_down_is_a_503_so_twilio_retries_and_nothing_is_lost(
    tmp_path: Path, sqlite_url: str, standin: Standin, http: aiohttp.ClientSession
) -> None:
    hub = await start_hub(tmp_path, sqlite_url, standin[1])
    try:
        twilio = TwilioSide(http, hub)
        # Another process holds the database's write lock past the busy timeout.
        blocker = sqlite3.connect(sqlite_url.split("///", 1)[1], isolation_level=None)
        blocker.execute("BEGIN EXCLUSIVE")
        try:
            status, text = await twilio.post("/twilio/sms", SMS)
        finally:
            blocker.execute("ROLLBACK")
            blocker.close()
        assert (status, text) == (503, "storage unavailable, retry later\n")
        assert await stored_events(hub) == []
        await twilio.sms(SMS["MessageSid"], SMS["Body"])  # Twilio's retry
        await twilio.sms(SMS["MessageSid"], SMS["Body"])
        assert await stored_events(hub) == ["conversation_opened", "message"]
    finally:
        await hub.stop()


async def test_a_text_with_characters_no_database_stores_is_kept_clean(
    tmp_path: Path, database_url: str, standin: Standin, http: aiohttp.ClientSession
) -> None:
    """A text is the customer's words from the provider, so it is stored, not refused: the
    NUL (which PostgreSQL cannot store) dropped, and the message says so."""
    hub = await start_hub(tmp_path, database_url, standin[1])
    try:
        body = "my order\x00 #12 arrived\x00 broken"
        status, text = await TwilioSide(http, hub).post(
            "/twilio/sms", SMS | {"Body": body, "MessageSid": "SM" + "7" * 32}
        )
        assert status == 200, text
        async with open_store(hub.settings.database_url) as store:
            [conversation] = await store.reader.unresolved()
            [message] = await store.reader.messages(conversation.id)
        assert message.text == "my order #12 arrived broken"
        assert message.meta["replaced_characters"] == 2
    finally:
        await hub.stop()
