"""Identifier types. Entity ids are opaque, time-ordered strings made here, so that a batch
of rows can be written with one executemany without a round trip for generated keys."""

from __future__ import annotations

import secrets
import threading
import time
from typing import NewType

CustomerId = NewType("CustomerId", str)
ConversationId = NewType("ConversationId", str)
MessageId = NewType("MessageId", str)
AgentId = NewType("AgentId", str)
OfferId = NewType("OfferId", str)
NoteId = NewType("NoteId", str)
EventId = NewType("EventId", int)


class _Clock:
    """Microseconds that never repeat or go back within this process, so that rows made in
    one batch (same timestamp) still sort in the order they were made."""

    def __init__(self) -> None:
        self._last = 0
        self._lock = threading.Lock()  # the SQLite batch writer makes ids on its own thread

    def tick(self) -> int:
        with self._lock:
            self._last = max(time.time_ns() // 1000, self._last + 1)
            return self._last


# The one piece of process state in hub/: like CPython's uuid7, monotonicity needs memory.
_clock = _Clock()


def new_id() -> str:
    """24 hex chars: 56 bits of microseconds, then 40 random bits (ids of several processes
    never collide), so ids sort by creation time."""
    return f"{_clock.tick():014x}{secrets.token_hex(5)}"
