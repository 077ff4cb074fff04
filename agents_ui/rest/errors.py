"""One error shape for every REST answer: `{"error": code, "message": ..., "field"?: ...}`,
with the HTTP status each hub error stands for."""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable

from aiohttp import hdrs, web
from pydantic import BaseModel, ValidationError

from hub.errors import (
    AuthError,
    BadInput,
    Conflict,
    Forbidden,
    HubError,
    Invalid,
    NotFound,
    Overloaded,
    RateLimited,
    UnsupportedMedia,
)

_STATUS: dict[type[HubError], int] = {
    AuthError: 401,
    Forbidden: 403,
    NotFound: 404,
    UnsupportedMedia: 415,
    BadInput: 400,
    RateLimited: 429,
    Overloaded: 503,
}
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class ErrorBody(BaseModel):
    """What every refused request is answered with."""

    error: str
    message: str
    field: str | None = None


def status_of(exc: HubError) -> int:
    for kind, status in _STATUS.items():
        if isinstance(exc, kind):
            return status
    return 503 if exc.code == "unavailable" else 409


def invalid(exc: ValidationError, where: str) -> Invalid:
    """The first problem pydantic found, as one message naming its field."""
    first = exc.errors(include_url=False)[0]
    parts = [str(part) for part in first["loc"]]
    field = ".".join(parts) or None
    if first["type"] == "json_invalid":
        if "recursion limit" in first["msg"]:
            return Invalid(f"the {where} is nested too deeply")
        return Invalid(f"the {where} must be JSON: {first['msg']}")
    named = f"{where} field {field!r}" if field else f"the {where}"
    return Invalid(f"{named}: {first['msg']}", field=field)


@web.middleware
async def hub_errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Turn hub errors into JSON answers that name the problem."""
    try:
        return await handler(request)
    except HubError as exc:
        headers = {}
        if isinstance(exc, RateLimited | Overloaded):
            headers[hdrs.RETRY_AFTER] = str(max(1, math.ceil(exc.retry_after)))
        field = exc.field if isinstance(exc, BadInput | Conflict) else None
        body = ErrorBody(error=exc.code, message=exc.message, field=field)
        return web.Response(
            text=body.model_dump_json(exclude_none=True),
            content_type="application/json",
            status=status_of(exc),
            headers=headers,
        )
