"""A unit of work that publishes its events once it has committed, never before (the
`send_event_on_commit` rule)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from hub.bus import Bus
from hub.ports import Transaction, UnitOfWork


class PublishingWork:
    def __init__(self, work: UnitOfWork, bus: Bus) -> None:
        self._work = work
        self._bus = bus

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Transaction]:
        async with self._work.transaction() as tx:
            yield tx
        await self._bus.publish(tx.envelopes)
