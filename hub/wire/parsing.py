"""Shared parsing of websocket JSON frames into closed, typed records: every socket of the hub
rejects bad input the same way, with an error that names what was wrong."""

from __future__ import annotations

import json
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, TypeAdapter, ValidationError

from hub.errors import BadInput, TooLarge
from hub.wire.text import unstorable_field

F = TypeVar("F")


class Frame(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=False)


def parse_frame(adapter: TypeAdapter[F], data: str, limit: int) -> F:
    size = len(data.encode())
    if size > limit:
        raise TooLarge(size, limit)
    try:
        raw: Any = json.loads(data)
    except ValueError as exc:
        raise BadInput(f"not JSON: {exc}") from None
    except RecursionError:
        # Nesting deep enough to exhaust the stack (30k levels in 60 KiB): refused like any
        # bad frame, so the socket stays open rather than dying without a close frame.
        raise BadInput("not JSON we take: nested too deeply") from None
    if not isinstance(raw, dict) or not isinstance(raw.get("type"), str):
        raise BadInput('a frame is a JSON object with a string "type"')
    try:
        unstorable = unstorable_field(raw)
        if unstorable is not None:
            field, problem = unstorable
            raise BadInput(f"{field}: contains {problem}, which cannot be stored")
        return adapter.validate_python(raw)
    except ValidationError as exc:
        raise BadInput(_describe(exc, raw["type"])) from None
    except RecursionError:
        raise BadInput("not JSON we take: nested too deeply") from None


def _describe(exc: ValidationError, frame_type: str) -> str:
    first = exc.errors()[0]
    if first["type"] == "union_tag_invalid":
        return f"unknown frame type {frame_type!r}"
    location = ".".join(str(part) for part in first["loc"])
    return f"{location}: {first['msg']}"


def request_echo(data: str) -> dict[str, str]:
    """`for` (the frame type) and `client_id` of a request, where they can be read, so that a
    client can tell which of its requests an error answers."""
    try:
        raw: Any = json.loads(data)
    except (ValueError, RecursionError):
        return {}
    if not isinstance(raw, dict):
        return {}
    echo = {"for": raw.get("type"), "client_id": raw.get("client_id")}
    return {key: value for key, value in echo.items() if isinstance(value, str)}
