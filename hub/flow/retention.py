"""Event-log retention: rows older than `[events] retention_days` are deleted in small
batches, each its own short write transaction, so pruning never holds the writer for long.
The customer's timeline is kept; only the numbered stream consoles resume from is pruned.
A console that resumes from before the pruned point is answered `reload` (the agent socket
asks `EventLog.pruned_through`), as Zulip answers a client whose event queue is gone.

Every process runs one; deletes are idempotent, so two processes pruning at once only share
the work."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta

from hub.errors import StorageUnavailable
from hub.flow.tasks import stop
from hub.ports import EventLog
from hub.settings import EventsSettings

log = logging.getLogger(__name__)


class EventLogPruner:
    def __init__(self, events: EventLog, settings: EventsSettings) -> None:
        self._events = events
        self._settings = settings
        self._task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> EventLogPruner:
        self._task = asyncio.create_task(self._run(), name="event-log-pruner")
        return self

    async def __aexit__(self, *exc: object) -> None:
        await stop(self._task)

    async def prune(self, now: datetime | None = None) -> int:
        """Delete every row older than the retention, batch by batch; returns how many."""
        cutoff = (now or datetime.now(UTC)) - timedelta(days=self._settings.retention_days)
        total = 0
        while True:
            deleted = await self._events.prune(cutoff, self._settings.prune_batch_rows)
            total += deleted
            if deleted < self._settings.prune_batch_rows:
                break
            await asyncio.sleep(0)  # let the hot path's writes in between batches
        if total:
            log.info("event log: pruned %d rows older than %s", total, cutoff.isoformat())
        return total

    async def _run(self) -> None:
        while True:
            try:
                await self.prune()
            except StorageUnavailable:
                log.warning("event log: storage unavailable; pruning later")
            except Exception:
                log.exception("event log: pruning failed; trying again later")
            await asyncio.sleep(self._settings.prune_every_seconds)
