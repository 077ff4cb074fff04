"""The listing's page cursor: opaque to clients (urlsafe base64 of a small JSON object), it
holds where the last page ended, (last_activity_at, id). Anything that does not decode to
one is refused naming the `cursor` parameter."""

from __future__ import annotations

import base64
import binascii
import json
from datetime import datetime

from hub.errors import Invalid
from hub.ids import ConversationId
from hub.ports import PageKey


def encode(key: PageKey) -> str:
    raw = json.dumps({"t": key.last_activity_at.isoformat(), "id": key.id}, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode(cursor: str) -> PageKey:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        value = json.loads(raw)
        at = datetime.fromisoformat(value["t"])
        conversation_id = value["id"]
        if at.tzinfo is None or not isinstance(conversation_id, str):
            raise ValueError("not a cursor")
    except (binascii.Error, ValueError, KeyError, TypeError, UnicodeDecodeError):
        raise Invalid("cursor is not one this API gave out", field="cursor") from None
    return PageKey(last_activity_at=at, id=ConversationId(conversation_id))
