"""The queues, live: `QueueDirectory` keeps the stored queues in memory for every component
that routes or shows them (router, OfferService, conversations, dashboard, REST), and
reloads them when an admin changes one (a `queues_changed` event on the feed, from whichever
process made the change). It also reloads every `resync_seconds`, in case an event was lost.

The router does not wait for the directory's own reader: it reloads the directory itself
when it applies the event (`QueueDirectory.reload`), so the pass that follows an edit routes
with the edited queue."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from contextlib import AbstractAsyncContextManager
from typing import Protocol

from hub.events import Envelope, QueuesChanged
from hub.flow.bus import Subscription
from hub.flow.tasks import stop
from hub.models import ChannelName
from hub.ports import QueueStore
from hub.settings.queues import queue_for
from hub.settings.sections import QueueSettings

log = logging.getLogger(__name__)
# What a component that routes or shows queues is given: `QueueDirectory.all`, read at each
# use, so an admin's edit is seen without a restart.
Queues = Callable[[], Sequence[QueueSettings]]


class Subscribable(Protocol):
    """hub.flow.feed.EventFeed (or the bus)."""

    def subscribe(self) -> AbstractAsyncContextManager[Subscription]: ...


class QueueDirectory:
    """`all()` and `get(name)` answer from memory, at once; `async with` loads the queues and
    follows changes until the block ends. Built by hub/app.py after the seed from config."""

    def __init__(
        self,
        store: QueueStore,
        feed: Subscribable | None = None,
        *,
        resync_seconds: float = 30.0,
    ) -> None:
        self._store = store
        self._feed = feed
        self._resync_seconds = resync_seconds
        self._queues: tuple[QueueSettings, ...] = ()
        self._task: asyncio.Task[None] | None = None

    def all(self) -> tuple[QueueSettings, ...]:
        """Every queue, in their order (`Callable[[], Sequence[QueueSettings]]` as
        `directory.all`)."""
        return self._queues

    def get(self, name: str) -> QueueSettings | None:
        return next((q for q in self._queues if q.name == name), None)

    def queue_for(self, channel: ChannelName, preferred: str | None = None) -> QueueSettings:
        """The queue a new conversation on `channel` enters: `preferred` when it exists,
        else the first that lists the channel, else the first."""
        return queue_for(self._queues, channel, preferred)

    async def reload(self) -> None:
        self._queues = tuple(await self._store.queues())

    async def __aenter__(self) -> QueueDirectory:
        await self.reload()
        if self._feed is not None:
            subscribing = self._feed.subscribe()
            subscription = await subscribing.__aenter__()
            self._task = asyncio.create_task(self._follow(subscribing, subscription))
        return self

    async def __aexit__(self, *exc: object) -> None:
        await stop(self._task)

    async def _follow(
        self, subscribing: AbstractAsyncContextManager[Subscription], subscription: Subscription
    ) -> None:
        try:
            while True:
                try:
                    async with asyncio.timeout(self._resync_seconds):
                        message = await subscription.get()
                except TimeoutError:  # nothing for a while: reload anyway
                    changed = True
                else:
                    event = message.event if isinstance(message, Envelope) else None
                    changed = isinstance(event, QueuesChanged)
                if subscription.overflowed:  # cut off: what it missed may hold a change
                    subscription.recover()
                    changed = True
                if changed:
                    await self._reload_quietly()
        finally:
            await subscribing.__aexit__(None, None, None)

    async def _reload_quietly(self) -> None:
        try:
            await self.reload()
        except Exception:  # storage down: keep what we have, the next change or resync retries
            log.warning("could not reload the queues; keeping the last ones", exc_info=True)
