"""Our Twilio requests against Twilio's own OpenAPI description, checked in process by
openapi-core in front of the local stand-in: an outbound SMS with its StatusCallback and a
call redirect, through the hub's real client code (the senders the outbox uses) and through
a running hub."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import aiohttp
import pytest
from twilio.base.exceptions import TwilioRestException

from channels.twilio.client import CallRedirectSender, SmsSender, TwilioApi
from channels.twilio.media import MediaLinks
from hub.outbox.items import CallRedirectPayload, OutboxItem, OutboxPayload, SmsPayload
from hub.settings import TwilioNumber, TwilioSettings
from tests.channels.twilio.conftest import (
    ACCOUNT,
    CUSTOMER,
    OUR_NUMBER,
    PUBLIC,
    TOKEN,
    TwilioSide,
    serving,
    start_hub,
)
from tests.channels.twilio.openapi_contract import ContractCheck, TwilioSpec
from tests.channels.twilio.standin import TwilioStandIn
from tests.harness import connect_agent

CALL = "CA" + "1" * 32


@dataclass
class CheckedTwilio:
    standin: TwilioStandIn
    check: ContractCheck
    url: str


@pytest.fixture
async def twilio(twilio_spec: TwilioSpec) -> AsyncIterator[CheckedTwilio]:
    fake = TwilioStandIn(ACCOUNT, TOKEN)
    check = ContractCheck(twilio_spec)
    async with serving(fake.app(middlewares=[check.middleware])) as url:
        yield CheckedTwilio(fake, check, url)


def settings(api_url: str) -> TwilioSettings:
    return TwilioSettings(
        enabled=True,
        account_sid=ACCOUNT,
        public_base_url=PUBLIC,
        api_base_url=api_url,
        numbers=(TwilioNumber(number=OUR_NUMBER),),
    )


def item(payload: OutboxPayload) -> OutboxItem:
    return OutboxItem(
        id="1", idempotency_key="k", payload=payload, next_attempt_at=datetime.now(UTC)
    )


async def test_sms_and_call_redirect_match_twilios_spec(twilio: CheckedTwilio) -> None:
    async with TwilioApi(settings(twilio.url), TOKEN) as api:
        media = MediaLinks("secret", PUBLIC, Path("unused"), 3600)
        sms = SmsSender(api, settings(twilio.url), f"{PUBLIC}/twilio/sms/status", media)
        text = SmsPayload(to=CUSTOMER, sender=OUR_NUMBER, text="Hi!")
        sent = await sms.send(item(text), text)
        assert sent.provider_id is not None and sent.provider_id.startswith("SM")
        redirect = CallRedirectSender(api)
        url = f"{PUBLIC}/twilio/voice/connect?call=CA1&agent=a1"
        move = CallRedirectPayload(call_sid=CALL, url=url)
        moved = await redirect.send(item(move), move)
        assert moved.provider_id is not None and moved.provider_id.startswith("CA")
    assert twilio.check.violations == []
    # Both were checked and then reached the stand-in, StatusCallback included.
    (message,) = twilio.standin.of("/Messages.json")
    assert message.one("StatusCallback") == f"{PUBLIC}/twilio/sms/status"
    (redirected,) = twilio.standin.of(f"/Calls/{CALL}.json")
    assert redirected.one("Url") == url


async def test_the_spec_refuses_what_twilio_would(twilio: CheckedTwilio) -> None:
    """The check has teeth: a request Twilio's spec forbids comes back as a failure."""
    async with TwilioApi(settings(twilio.url), TOKEN) as api:
        call = api.client.calls(CALL)
        with pytest.raises(TwilioRestException) as refused:
            await call.update_async(url=f"{PUBLIC}/x", method="BREW")  # not an HTTP method
        assert 400 <= refused.value.status < 500
    why = "'BREW' is not one of ['GET', 'POST']"
    assert why in refused.value.msg
    (violation,) = twilio.check.violations
    assert violation.startswith(f"request POST /2010-04-01/Accounts/{ACCOUNT}/Calls/{CALL}.json")
    assert why in violation
    assert twilio.standin.requests == []  # refused before the stand-in saw it


@pytest.mark.parametrize(
    ("path", "form", "why"),
    [
        pytest.param(
            f"/2010-04-01/Accounts/{ACCOUNT}/Messages.json",
            {"From": OUR_NUMBER, "Body": "Hi!"},
            "'To' is a required property",
            id="message-without-To",
        ),
        pytest.param(
            f"/2010-04-01/Accounts/{ACCOUNT}/Calls/{CALL}.json",
            {"Url": f"{PUBLIC}/x", "StatusCallback": f"{PUBLIC}/s", "StatusCallbackMethod": "BREW"},
            "'BREW' is not one of ['GET', 'POST']",
            id="call-with-bad-StatusCallbackMethod",
        ),
        pytest.param(
            "/2010-04-01/Accounts/AC1/Messages.json",
            {"To": CUSTOMER, "From": OUR_NUMBER, "Body": "Hi!"},
            "'AC1' does not match '^AC[0-9a-fA-F]{32}$'",
            id="malformed-AccountSid",
        ),
    ],
)
async def test_the_validator_names_what_is_wrong(
    twilio: CheckedTwilio, path: str, form: dict[str, str], why: str
) -> None:
    credentials = base64.b64encode(f"{ACCOUNT}:{TOKEN}".encode()).decode("ascii")
    async with (
        aiohttp.ClientSession() as http,
        http.post(
            twilio.url + path, data=form, headers={"Authorization": f"Basic {credentials}"}
        ) as response,
    ):
        assert response.status == 400
        assert why in (await response.json())["message"]
    (violation,) = twilio.check.violations
    assert violation.startswith(f"request POST {path}: ") and why in violation
    assert twilio.standin.requests == []


async def test_a_reply_goes_out_through_the_hub_within_the_spec(
    tmp_path: Path, sqlite_url: str, twilio: CheckedTwilio
) -> None:
    hub = await start_hub(tmp_path, sqlite_url, twilio.url)
    try:
        async with aiohttp.ClientSession() as http:
            agent = await connect_agent(http, hub, await hub.add_agent("Pia"))
            await TwilioSide(http, hub).sms("SM" + "5" * 32, "hello")
            conversation = (await agent.accept_next())["conversation"]
            await agent.send(
                type="reply",
                conversation_id=conversation["id"],
                client_id="p1",
                text="Hello from the hub",
            )
            delivery = await agent.expect("delivery", timeout=30)
            assert twilio.check.violations == []
            assert delivery["status"] == "queued" and delivery["error"] is None
            assert delivery["external_id"].startswith("SM")
    finally:
        await hub.stop()
    (sent,) = twilio.standin.of("/Messages.json")
    assert sent.one("Body") == "Hello from the hub"
