"""Offer timeouts. A timer never calls the database itself: it notes the offer id as due and
wakes the router, whose one task then closes the offer, so state changes stay serialized."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from datetime import UTC, datetime

from hub.ids import OfferId


class OfferTimers:
    def __init__(self, wake: Callable[[], None]) -> None:
        self._wake = wake
        self._timers: dict[OfferId, asyncio.TimerHandle] = {}
        self._due: list[OfferId] = []

    def arm(self, offer_id: OfferId, expires_at: datetime) -> None:
        """Fire at `expires_at`; one already past is due at once (an offer re-armed after a
        restart that expired while no router ran)."""
        self.disarm(offer_id)
        delay = (expires_at - datetime.now(UTC)).total_seconds()
        if delay <= 0:
            self._due.append(offer_id)
            self._wake()
        else:
            self.retry(offer_id, delay)

    def retry(self, offer_id: OfferId, delay: float) -> None:
        loop = asyncio.get_running_loop()
        self._timers[offer_id] = loop.call_later(delay, self._fire, offer_id)

    def disarm(self, offer_id: OfferId) -> None:
        timer = self._timers.pop(offer_id, None)
        if timer is not None:
            timer.cancel()

    def sync(self, pending: Mapping[OfferId, datetime]) -> None:
        """Match the timers to these pending offers (offer id -> expires_at): drop the others,
        arm the missing, keep the rest running as they are."""
        for offer_id in [o for o in self._timers if o not in pending]:
            self.disarm(offer_id)
        self._due = [o for o in self._due if o in pending]
        for offer_id, expires_at in pending.items():
            if offer_id not in self._timers and offer_id not in self._due:
                self.arm(offer_id, expires_at)

    def take_due(self) -> list[OfferId]:
        due, self._due = self._due, []
        return due

    def clear(self) -> None:
        for timer in self._timers.values():
            timer.cancel()
        self._timers.clear()
        self._due.clear()

    def _fire(self, offer_id: OfferId) -> None:
        self._timers.pop(offer_id, None)
        self._due.append(offer_id)
        self._wake()
