"""What every Twilio webhook goes through before its handler: the X-Twilio-Signature check
against our public URL (a missing or forged one is a 403 and nothing is stored), the typed
parse of the form (a missing field is a 400 naming it), and the mapping of hub errors to the
answers Twilio acts on (503 when storage is down, so Twilio retries)."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from aiohttp import web
from twilio.request_validator import RequestValidator

from hub.errors import BadInput, StorageUnavailable

log = logging.getLogger(__name__)
Handler = Callable[[web.Request, dict[str, str]], Awaitable[web.Response]]
TWIML = "application/xml"


class SignedWebhooks:
    def __init__(self, auth_token: str, public_base_url: str) -> None:
        self._validator = RequestValidator(auth_token)
        self._base = public_base_url.rstrip("/")

    def url_for(self, path: str) -> str:
        """The absolute URL Twilio is given, and signs, for one of our paths."""
        return f"{self._base}{path}"

    def route(self, handler: Handler) -> Callable[[web.Request], Awaitable[web.Response]]:
        async def checked(request: web.Request) -> web.Response:
            form = {key: str(value) for key, value in (await request.post()).items()}
            signature = request.headers.get("X-Twilio-Signature", "")
            # Twilio signs the URL it called, which behind a proxy is not the one we see.
            url = self.url_for(request.path_qs)
            if not signature or not self._validator.validate(url, form, signature):
                log.warning("twilio webhook %s refused: bad or missing signature", request.path)
                return web.Response(status=403, text="invalid X-Twilio-Signature\n")
            try:
                return await handler(request, form)
            except BadInput as exc:
                log.warning("twilio webhook %s refused: %s", request.path, exc.message)
                return web.Response(status=400, text=f"{exc.message}\n")
            except StorageUnavailable:
                log.warning(
                    "twilio webhook %s: storage unavailable, Twilio will retry",
                    request.path,
                    exc_info=True,
                )
                return web.Response(status=503, text="storage unavailable, retry later\n")

        return checked


def twiml(document: object) -> web.Response:
    return web.Response(text=str(document), content_type=TWIML)
