"""Identifier types. Entity ids are opaque, time-ordered strings made here, so that a batch
of rows can be written with one executemany without a round trip for generated keys."""

from __future__ import annotations

import secrets
import time
from typing import NewType

CustomerId = NewType("CustomerId", str)
ConversationId = NewType("ConversationId", str)
MessageId = NewType("MessageId", str)
AgentId = NewType("AgentId", str)
OfferId = NewType("OfferId", str)
NoteId = NewType("NoteId", str)
EventId = NewType("EventId", int)


def new_id() -> str:
    """A 24-hex-char id: 48 bits of milliseconds then 48 random bits, so ids sort by creation."""
    return f"{time.time_ns() // 1_000_000:012x}{secrets.token_hex(6)}"
