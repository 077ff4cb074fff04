"""Snoozes running out. Like a supervisor's pin deadline, a snooze ends by itself: this task
finds the snoozed conversations whose `snoozed_until` has passed and wakes each
(ConversationHandling.wake: pending again in its queue, or open if it has an assignee, with
a `status` event that puts it back before the router). A customer's message wakes one sooner
(hub/flow/placement.py).

Every process runs one; a wake is a conditional write in the serialized transaction, so two
processes waking one conversation wake it once. It looks every `every_seconds`, so a snooze
ends at most that late."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime

from hub.errors import StorageUnavailable
from hub.flow.tasks import stop
from hub.ports import ConversationListing
from hub.services.handling import ConversationHandling

log = logging.getLogger(__name__)


class SnoozeAlarm:
    def __init__(
        self, listing: ConversationListing, handling: ConversationHandling, every_seconds: float
    ) -> None:
        self._listing = listing
        self._handling = handling
        self._every = every_seconds
        self._task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> SnoozeAlarm:
        self._task = asyncio.create_task(self._run(), name="snooze-alarm")
        return self

    async def __aexit__(self, *exc: object) -> None:
        await stop(self._task)

    async def wake_due(self, now: datetime | None = None) -> int:
        """Wake every conversation whose snooze has run out; how many this call woke."""
        woken = 0
        for conversation_id in await self._listing.snoozed_due(now or datetime.now(UTC)):
            woken += await self._handling.wake(conversation_id)
        return woken

    async def _run(self) -> None:
        while True:
            try:
                await self.wake_due()
            except StorageUnavailable:
                log.warning("snoozes: storage unavailable; waking later")
            except Exception:
                log.exception("snoozes: waking failed; trying again later")
            await asyncio.sleep(self._every)
