"""A hub with the Twilio channel on, pointed at the local Twilio stand-in, and a client that
sends webhooks the way Twilio does: form-encoded, signed with X-Twilio-Signature for the
public URL (not the local one, as behind a proxy)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import aiohttp
import pytest
from aiohttp import web
from twilio.request_validator import RequestValidator

from hub.settings import Settings, load_settings
from tests.channels.twilio.openapi_contract import ContractCheck, TwilioSpec, load_spec
from tests.channels.twilio.standin import TwilioStandIn
from tests.harness import RunningHub

ACCOUNT = "AC" + "0" * 31 + "1"
TOKEN = "test-auth-token-0123456789abcdef"
PUBLIC = "https://hub.example.test"
OUR_NUMBER = "+15559990000"
CUSTOMER = "+15550001111"


def twilio_config(api_base_url: str, extra: str = "") -> str:
    return f"""
[routing]
offer_timeout_seconds = 20

[outbox]
poll_seconds = 0.1
backoff_base_seconds = 0.1

[channels.twilio]
enabled = true
account_sid = "{ACCOUNT}"
auth_token_env = "CONTACTHUB_TEST_TWILIO_TOKEN"
public_base_url = "{PUBLIC}"
api_base_url = "{api_base_url}"
numbers = [{{ number = "{OUR_NUMBER}" }}]
ring_seconds = 5
max_queue_wait_seconds = 60
{extra}
"""


def hub_settings(tmp_path: Path, database_url: str, config: str) -> Settings:
    path = tmp_path / "config.toml"
    path.write_text(config)
    env = {
        "CONTACTHUB_SERVER__DATA_DIR": str(tmp_path / "data"),
        "CONTACTHUB_SERVER__PORT": "0",
        "CONTACTHUB_DATABASE__URL": database_url,
        "CONTACTHUB_TEST_TWILIO_TOKEN": TOKEN,
    }
    return load_settings(path, env=env)


class TwilioSide:
    """Plays Twilio toward the hub: signed webhooks in."""

    def __init__(self, http: aiohttp.ClientSession, hub: RunningHub, token: str = TOKEN) -> None:
        self.http = http
        self.hub = hub
        self.validator = RequestValidator(token)

    def sign(self, path: str, params: dict[str, str]) -> str:
        return str(self.validator.compute_signature(PUBLIC + path, params))

    async def post(
        self, path: str, params: dict[str, str], signature: str | None = None
    ) -> tuple[int, str]:
        headers = {
            "X-Twilio-Signature": self.sign(path, params) if signature is None else signature
        }
        if signature == "":
            headers = {}
        async with self.http.post(self.hub.url + path, data=params, headers=headers) as r:
            return r.status, await r.text()

    async def sms(self, sid: str, body: str, sender: str = CUSTOMER, **extra: str) -> str:
        params = {
            "MessageSid": sid,
            "AccountSid": ACCOUNT,
            "From": sender,
            "To": OUR_NUMBER,
            "Body": body,
            "NumMedia": "0",
        } | extra
        status, text = await self.post("/twilio/sms", params)
        assert status == 200, text
        return text

    async def twiml(self, path: str, **params: str) -> ElementTree.Element:
        status, text = await self.post(path, {"AccountSid": ACCOUNT} | params)
        assert status == 200, text
        return parse_twiml(text)


def parse_twiml(text: str) -> ElementTree.Element:
    """Every TwiML answer must be well-formed XML with a <Response> root."""
    root = ElementTree.fromstring(text)
    assert root.tag == "Response", text
    return root


@asynccontextmanager
async def serving(app: web.Application) -> AsyncIterator[str]:
    """`app` on a free local port, as its base URL."""
    runner = web.AppRunner(app)
    await runner.setup()
    try:
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        yield f"http://127.0.0.1:{port}"
    finally:
        await runner.cleanup()


@pytest.fixture(scope="session")
def twilio_spec() -> TwilioSpec:
    """Twilio's own OpenAPI description, parsed and checked once per session (about 1 s)."""
    return load_spec()


@pytest.fixture
async def standin(twilio_spec: TwilioSpec) -> AsyncIterator[tuple[TwilioStandIn, str]]:
    """The stand-in behind the contract check: every request the hub sends it must be one
    Twilio's spec accepts, or the test fails with the spec's reason."""
    fake = TwilioStandIn(ACCOUNT, TOKEN)
    check = ContractCheck(twilio_spec)
    async with serving(fake.app(middlewares=[check.middleware])) as url:
        yield fake, url
    assert check.violations == []


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


async def start_hub(tmp_path: Path, database_url: str, api_url: str, extra: str = "") -> Any:
    return await RunningHub(
        hub_settings(tmp_path, database_url, twilio_config(api_url, extra))
    ).start()
