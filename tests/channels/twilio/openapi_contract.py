"""Twilio's own OpenAPI description (../shared/twilio/) checked in process with openapi-core:
a middleware for the local stand-in validates every request it is sent (path, method, auth,
form body) before the stand-in sees it, and every success it answers. A request the spec
refuses is answered with a 400 carrying openapi-core's reason, and the reason is recorded."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from aiohttp import web
from openapi_core import OpenAPI
from openapi_core.contrib.aiohttp import AIOHTTPOpenAPIWebRequest, AIOHTTPOpenAPIWebResponse
from openapi_core.exceptions import OpenAPIError

ROOT = Path(__file__).resolve().parents[3]
SPEC = ROOT / ".." / "shared" / "twilio" / "twilio_api_v2010.json"

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass(frozen=True)
class TwilioSpec:
    openapi: OpenAPI
    # Where the spec says Twilio lives; the stand-in's requests are checked as if sent there.
    server_url: str


def load_spec(path: Path = SPEC) -> TwilioSpec:
    """Parses and checks the whole 1.8 MB description: slow enough to do once per session."""
    if not path.exists():
        raise FileNotFoundError(f"Twilio's OpenAPI description is missing at {path.resolve()}")
    document = json.loads(path.read_text())
    return TwilioSpec(OpenAPI.from_dict(document), document["servers"][0]["url"])


class _AsSentToTwilio(AIOHTTPOpenAPIWebRequest):
    """The request as the stand-in got it, but at the spec's server URL instead of ours."""

    __slots__ = ("_server_url",)

    def __init__(self, request: web.Request, body: bytes, server_url: str) -> None:
        super().__init__(request, body=body)
        self._server_url = server_url

    @property
    def host_url(self) -> str:
        return self._server_url


def reason(error: BaseException) -> str:
    """openapi-core's message and the causes under it: the top one can say only "Invalid path
    parameter: AccountSid", the schema errors beneath say what was wrong with it."""
    parts: list[str] = []
    current: BaseException | None = error
    while current is not None:
        text = str(current)
        if text and not any(text in part for part in parts):
            parts.append(text)
        for schema_error in getattr(current, "schema_errors", None) or ():
            message = getattr(schema_error, "message", str(schema_error))
            if not any(message in part for part in parts):
                parts.append(message)
        current = current.__cause__
    joined = " <- ".join(parts)
    name = type(error).__name__
    return joined if joined.startswith(name) else f"{name}: {joined}"


@dataclass
class ContractCheck:
    spec: TwilioSpec
    # "POST /2010-04-01/...: <openapi-core's reason>", in the order they happened.
    violations: list[str] = field(default_factory=list)

    @cached_property
    def middleware(self) -> Callable[[web.Request, Handler], Awaitable[web.StreamResponse]]:
        @web.middleware
        async def check(request: web.Request, handler: Handler) -> web.StreamResponse:
            body = await request.read()  # aiohttp keeps it, so the handler reads it again
            asked = _AsSentToTwilio(request, body, self.spec.server_url)
            try:
                self.spec.openapi.validate_request(asked)
            except OpenAPIError as refused:
                why = self._record("request", request, refused)
                return web.json_response(
                    {"message": f"Twilio's OpenAPI description refuses it: {why}", "status": 400},
                    status=400,
                )
            response = await handler(request)
            # Only successes are described by the spec; the stand-in's scripted 4xx/5xx are not.
            if isinstance(response, web.Response) and 200 <= response.status < 300:
                try:
                    self.spec.openapi.validate_response(asked, AIOHTTPOpenAPIWebResponse(response))
                except OpenAPIError as wrong:
                    self._record("the stand-in's response to", request, wrong)
            return response

        return check

    def _record(self, what: str, request: web.Request, error: BaseException) -> str:
        why = reason(error)
        self.violations.append(f"{what} {request.method} {request.path}: {why}")
        return why
