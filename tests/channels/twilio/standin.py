"""A local stand-in for Twilio's REST API (2010-04-01), speaking its wire format: form-encoded
POSTs with HTTP basic auth, JSON resources shaped like Twilio's, and Twilio's error bodies
for 4xx and 5xx. It records every request; tests script failures per endpoint."""

from __future__ import annotations

import base64
import itertools
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any

from aiohttp import web

Middleware = Callable[
    [web.Request, Callable[[web.Request], Awaitable[web.StreamResponse]]],
    Awaitable[web.StreamResponse],
]


@dataclass
class Recorded:
    method: str
    path: str
    form: dict[str, list[str]]
    auth: tuple[str, str] | None

    def one(self, key: str) -> str:
        (value,) = self.form[key]
        return value


@dataclass
class Failure:
    status: int
    code: int
    message: str


@dataclass
class TwilioStandIn:
    account_sid: str
    auth_token: str
    requests: list[Recorded] = field(default_factory=list)
    # Endpoint kind ("messages", "calls") -> failures to answer with before succeeding.
    failures: dict[str, list[Failure]] = field(default_factory=dict)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def app(self, middlewares: Iterable[Middleware] = ()) -> web.Application:
        app = web.Application(middlewares=middlewares)
        base = "/2010-04-01/Accounts/{account}"
        app.router.add_post(base + "/Messages.json", self._create_message)
        app.router.add_post(base + "/Calls/{call}.json", self._update_call)
        return app

    def fail_next(self, kind: str, status: int, code: int, message: str) -> None:
        self.failures.setdefault(kind, []).append(Failure(status, code, message))

    def of(self, suffix: str) -> list[Recorded]:
        return [r for r in self.requests if r.path.endswith(suffix)]

    async def _record(self, request: web.Request) -> Recorded:
        form = await request.post()
        header = request.headers.get("Authorization")
        recorded = Recorded(
            request.method,
            request.path,
            {key: [str(v) for v in form.getall(key)] for key in set(form.keys())},
            _basic_auth(header),
        )
        self.requests.append(recorded)
        return recorded

    def _refusal(self, request: web.Request, recorded: Recorded, kind: str) -> web.Response | None:
        auth = recorded.auth
        if auth != (self.account_sid, self.auth_token):
            return _error(401, 20003, "Authenticate")
        if request.match_info["account"] != self.account_sid:
            return _error(404, 20404, "The requested resource was not found")
        queued = self.failures.get(kind)
        if queued:
            failure = queued.pop(0)
            return _error(failure.status, failure.code, failure.message)
        return None

    async def _create_message(self, request: web.Request) -> web.Response:
        recorded = await self._record(request)
        refusal = self._refusal(request, recorded, "messages")
        if refusal is not None:
            return refusal
        if "To" not in recorded.form:
            return _error(400, 21604, "A 'To' phone number is required.")
        if "Body" not in recorded.form and "MediaUrl" not in recorded.form:
            return _error(400, 21602, "Message body is required.")
        sid = f"SM{next(self._ids):032x}"
        return web.json_response(self._message(sid, recorded), status=201)

    async def _update_call(self, request: web.Request) -> web.Response:
        recorded = await self._record(request)
        refusal = self._refusal(request, recorded, "calls")
        if refusal is not None:
            return refusal
        sid = request.match_info["call"]
        now = format_datetime(datetime.now(UTC), usegmt=True)
        return web.json_response(
            {
                "sid": sid,
                "account_sid": self.account_sid,
                "status": "in-progress",
                "date_created": now,
                "date_updated": now,
                "api_version": "2010-04-01",
                "uri": f"/2010-04-01/Accounts/{self.account_sid}/Calls/{sid}.json",
            }
        )

    def _message(self, sid: str, recorded: Recorded) -> dict[str, Any]:
        now = format_datetime(datetime.now(UTC), usegmt=True)
        first = {key: values[0] for key, values in recorded.form.items()}
        return {
            "sid": sid,
            "account_sid": self.account_sid,
            "messaging_service_sid": first.get("MessagingServiceSid"),
            "from": first.get("From"),
            "to": first["To"],
            "body": first.get("Body", ""),
            "status": "queued",
            "direction": "outbound-api",
            "num_segments": "1",
            "num_media": str(len(recorded.form.get("MediaUrl", []))),
            "error_code": None,
            "error_message": None,
            "price": None,
            "price_unit": "USD",
            "api_version": "2010-04-01",
            "date_created": now,
            "date_updated": now,
            "date_sent": None,
            "uri": f"/2010-04-01/Accounts/{self.account_sid}/Messages/{sid}.json",
            "subresource_uris": {
                "media": f"/2010-04-01/Accounts/{self.account_sid}/Messages/{sid}/Media.json"
            },
        }


def _error(status: int, code: int, message: str) -> web.Response:
    return web.json_response(
        {
            "code": code,
            "message": message,
            "more_info": f"https://www.twilio.com/docs/errors/{code}",
            "status": status,
        },
        status=status,
    )


def _basic_auth(header: str | None) -> tuple[str, str] | None:
    if not header or not header.startswith("Basic "):
        return None
    login, _, password = base64.b64decode(header[6:]).decode().partition(":")
    return login, password
