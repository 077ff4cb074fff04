"""Our Twilio requests against Twilio's own OpenAPI description, served by Prism: an outbound
SMS with its StatusCallback and a call redirect, through the hub's real client code (the
senders the outbox uses) and through a running hub."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import aiohttp
import pytest
from twilio.base.exceptions import TwilioRestException

from channels.twilio.client import CallRedirectSender, SmsSender, TwilioApi
from hub.outbox.items import OutboxItem
from hub.settings import TwilioNumber, TwilioSettings
from tests.channels.twilio.conftest import (
    ACCOUNT,
    CUSTOMER,
    OUR_NUMBER,
    PUBLIC,
    TOKEN,
    TwilioSide,
    start_hub,
)
from tests.channels.twilio.prism import running_prism
from tests.harness import connect_agent


@pytest.fixture
async def prism() -> AsyncIterator[str]:
    async with running_prism() as url:
        yield url


def settings(api_url: str) -> TwilioSettings:
    return TwilioSettings(
        enabled=True,
        account_sid=ACCOUNT,
        public_base_url=PUBLIC,
        api_base_url=api_url,
        numbers=(TwilioNumber(number=OUR_NUMBER),),
    )


def item(kind: str, payload: dict[str, object]) -> OutboxItem:
    return OutboxItem(
        id="1", idempotency_key="k", kind=kind, payload=payload, next_attempt_at=datetime.now(UTC)
    )


async def test_sms_and_call_redirect_match_twilios_spec(prism: str) -> None:
    async with TwilioApi(settings(prism), TOKEN) as api:
        sms = SmsSender(api, settings(prism), f"{PUBLIC}/twilio/sms/status")
        sent = await sms.send(item("sms", {"to": CUSTOMER, "from": OUR_NUMBER, "text": "Hi!"}))
        assert sent.provider_id is not None and sent.provider_id.startswith("SM")
        redirect = CallRedirectSender(api)
        url = f"{PUBLIC}/twilio/voice/connect?call=CA1&agent=a1"
        moved = await redirect.send(
            item("call_redirect", {"call_sid": "CA" + "1" * 32, "url": url})
        )
        assert moved.provider_id is not None and moved.provider_id.startswith("CA")


async def test_prism_refuses_what_twilio_would(prism: str) -> None:
    """The check has teeth: a request Twilio's spec forbids comes back as a failure."""
    async with TwilioApi(settings(prism), TOKEN) as api:
        call = api.client.calls("CA" + "1" * 32)
        with pytest.raises(TwilioRestException) as refused:
            await call.update_async(url=f"{PUBLIC}/x", method="BREW")  # not an HTTP method
        assert 400 <= refused.value.status < 500


async def test_a_reply_goes_out_through_the_hub_to_prism(
    tmp_path: Path, sqlite_url: str, prism: str
) -> None:
    hub = await start_hub(tmp_path, sqlite_url, prism)
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
            assert delivery["status"] == "queued" and delivery["error"] is None
            assert delivery["external_id"].startswith("SM")
    finally:
        await hub.stop()
