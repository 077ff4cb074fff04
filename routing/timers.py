"""Deadlines the router keeps: offer timeouts, and the end of a supervisor's pin. A timer
never calls the database itself: it notes the id as due and wakes the router, whose one task
then acts on it, so state changes stay serialized."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Generic, TypeVar

K = TypeVar("K", bound=str)  # an offer id, a conversation id


class Timers(Generic[K]):
    def __init__(self, wake: Callable[[], None]) -> None:
        self._wake = wake
        self._timers: dict[K, asyncio.TimerHandle] = {}
        self._due: list[K] = []

    def arm(self, key: K, at: datetime) -> None:
        """Fire at `at`; one already past is due at once (an offer re-armed after a restart
        that expired while no router ran)."""
        self.disarm(key)
        delay = (at - datetime.now(UTC)).total_seconds()
        if delay <= 0:
            self._due.append(key)
            self._wake()
        else:
            self.retry(key, delay)

    def retry(self, key: K, delay: float) -> None:
        loop = asyncio.get_running_loop()
        self._timers[key] = loop.call_later(delay, self._fire, key)

    def disarm(self, key: K) -> None:
        timer = self._timers.pop(key, None)
        if timer is not None:
            timer.cancel()

    def sync(self, pending: Mapping[K, datetime]) -> None:
        """Match the timers to these deadlines (id -> when): drop the others, arm the
        missing, keep the rest running as they are."""
        for key in [k for k in self._timers if k not in pending]:
            self.disarm(key)
        self._due = [k for k in self._due if k in pending]
        for key, at in pending.items():
            if key not in self._timers and key not in self._due:
                self.arm(key, at)

    def take_due(self) -> list[K]:
        due, self._due = self._due, []
        return due

    def clear(self) -> None:
        for timer in self._timers.values():
            timer.cancel()
        self._timers.clear()
        self._due.clear()

    def _fire(self, key: K) -> None:
        self._timers.pop(key, None)
        self._due.append(key)
        self._wake()
