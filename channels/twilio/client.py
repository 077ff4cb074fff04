"""Twilio's REST API through the twilio SDK on AsyncTwilioHttpClient (aiohttp underneath, so
no request blocks the event loop), pointed at `api_base_url` so a regional edge or a local
stand-in can take Twilio's place. The senders map Twilio's answers onto the outbox's retry
rules: 429 and 5xx come back later, other 4xx (an invalid number, an opted-out recipient)
fail the message with Twilio's error code."""

from __future__ import annotations

import base64
from typing import Any

import aiohttp
from twilio.base.exceptions import TwilioRestException
from twilio.http.async_http_client import AsyncTwilioHttpClient
from twilio.rest import Client

from channels.twilio.media import MediaLinks
from hub.errors import PermanentSendError, TransientSendError
from hub.outbox.items import CallRedirectPayload, OutboxItem, Sent, SmsPayload
from hub.settings.channels import TwilioSettings


class _HeaderAuthHttpClient(AsyncTwilioHttpClient):  # type: ignore[misc]
    """The SDK's client passes `auth=BasicAuth(...)`, which aiohttp 3.14 deprecates (and 4.0
    removes); the same credentials as an Authorization header work on every version."""

    async def request(
        self,
        method: str,
        url: str,
        params: dict[str, object] | None = None,
        data: dict[str, object] | None = None,
        headers: dict[str, str] | None = None,
        auth: tuple[str, str] | None = None,
        timeout: float | None = None,
        allow_redirects: bool = False,
    ) -> Any:
        if auth is not None:
            token = base64.b64encode(f"{auth[0]}:{auth[1]}".encode()).decode("ascii")
            headers = dict(headers or {}) | {"Authorization": f"Basic {token}"}
        return await super().request(
            method, url, params, data, headers, None, timeout, allow_redirects
        )


class TwilioApi:
    def __init__(self, settings: TwilioSettings, auth_token: str) -> None:
        self._settings = settings
        self._auth_token = auth_token
        self._http: AsyncTwilioHttpClient | None = None
        self._client: Client | None = None

    async def __aenter__(self) -> TwilioApi:
        # The SDK's aiohttp session must be made inside the running loop.
        self._http = _HeaderAuthHttpClient(timeout=self._settings.request_timeout_seconds)
        self._client = Client(self._settings.account_sid, self._auth_token, http_client=self._http)
        self._client.api.base_url = self._settings.api_base_url.rstrip("/")
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._http is not None:
            await self._http.close()

    @property
    def client(self) -> Client:
        assert self._client is not None, "TwilioApi used outside `async with`"
        return self._client

    async def send_sms(self, fields: dict[str, Any]) -> Any:
        return await _mapped(self.client.messages.create_async(**fields))

    async def redirect_call(self, call_sid: str, url: str) -> Any:
        return await _mapped(self.client.calls(call_sid).update_async(url=url, method="POST"))


async def _mapped(request: Any) -> Any:
    try:
        return await request
    except TwilioRestException as exc:
        reason = f"Twilio {exc.status} error {exc.code}: {exc.msg}"
        if exc.status == 429 or exc.status >= 500:
            raise TransientSendError(reason) from None
        raise PermanentSendError(reason, code=str(exc.code) if exc.code else None) from None
    except aiohttp.ClientConnectorError as exc:
        # Nothing reached Twilio: safe to try again.
        raise TransientSendError(f"cannot reach Twilio: {exc}") from None
    except (aiohttp.ClientError, TimeoutError) as exc:
        # The request may have been taken: a retry could text the customer twice.
        raise PermanentSendError(f"no answer from Twilio ({exc!r}): delivery unknown") from None


class SmsSender:
    def __init__(
        self, api: TwilioApi, settings: TwilioSettings, status_callback: str, media: MediaLinks
    ) -> None:
        self._api = api
        self._settings = settings
        self._status_callback = status_callback
        self._media = media

    async def send(self, item: OutboxItem, payload: SmsPayload) -> Sent:
        if not payload.to:
            raise PermanentSendError("the conversation has no phone number to text")
        fields: dict[str, Any] = {
            "to": payload.to,
            "body": payload.text,
            "status_callback": self._status_callback,
        }
        if self._settings.messaging_service_sid:
            fields["messaging_service_sid"] = self._settings.messaging_service_sid
        else:
            fields["from_"] = payload.sender or self._settings.numbers[0].number
        media = [*payload.media_urls, *(self._media.url_for(a) for a in payload.attachments)]
        if media:
            fields["media_url"] = media
        message = await self._api.send_sms(fields)
        return Sent(provider_id=message.sid, status="queued")


class CallRedirectSender:
    """Connects a queued call to the agent who accepted it (the Calls API redirect)."""

    def __init__(self, api: TwilioApi) -> None:
        self._api = api

    async def send(self, item: OutboxItem, payload: CallRedirectPayload) -> Sent:
        call = await self._api.redirect_call(payload.call_sid, payload.url)
        return Sent(provider_id=call.sid, status="sent")
