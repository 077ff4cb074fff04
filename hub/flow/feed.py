"""The ordered event feed of one hub process. The bus may deliver envelopes out of id order
(publishes race after their commits, or come from other processes) or drop them (Redis pub/sub
is at-most-once). The feed holds back an envelope until every lower id has been seen, fetches
from the event log what did not arrive in time, and hands each local listener a gap-free,
ordered stream: everything, one agent's stream (its audience), or one customer's events."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager

from hub.events import Envelope, Ephemeral, customer_of
from hub.flow.bus import Bus, BusMessage, Subscription
from hub.flow.tasks import stop
from hub.ids import AgentId, CustomerId
from hub.ports import EventLog

log = logging.getLogger(__name__)
GAP_WAIT_SECONDS = 0.05
IDLE_CHECK_SECONDS = 1.0
CATCH_UP_PAGE = 10_000


class EventFeed:
    def __init__(self, bus: Bus, events: EventLog) -> None:
        self._bus = bus
        self._events = events
        self.cursor = 0  # the newest event id handed to listeners
        self._held: dict[int, Envelope] = {}
        self._gap_since = 0.0  # loop time when the oldest unfilled gap was first seen
        self._everything: set[Subscription] = set()
        self._by_agent: dict[AgentId, set[Subscription]] = {}
        self._by_customer: dict[CustomerId, set[Subscription]] = {}
        self._task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> EventFeed:
        self.cursor = await self._events.last_id()
        ready = asyncio.Event()
        self._task = asyncio.create_task(self._run(ready), name="event-feed")
        await ready.wait()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await stop(self._task)

    async def publish(self, messages: Iterable[BusMessage]) -> None:
        await self._bus.publish(messages)

    def gap_seconds(self) -> float:
        """How long the oldest event the feed is holding back for a lower id has waited (0
        when none): a feed that cannot fill its gaps hands listeners nothing new."""
        if not self._held:
            return 0.0
        return max(0.0, asyncio.get_running_loop().time() - self._gap_since)

    @asynccontextmanager
    async def subscribe(
        self, *, audience: AgentId | None = None, customer: CustomerId | None = None
    ) -> AsyncIterator[Subscription]:
        """Events after `self.cursor` as of this call; no keys means every event."""
        subscription = Subscription()
        group = self._group(audience, customer)
        group.add(subscription)
        try:
            yield subscription
        finally:
            group.discard(subscription)
            self._prune(audience, customer)

    def _group(self, audience: AgentId | None, customer: CustomerId | None) -> set[Subscription]:
        if audience is not None:
            return self._by_agent.setdefault(audience, set())
        if customer is not None:
            return self._by_customer.setdefault(customer, set())
        return self._everything

    def _prune(self, audience: AgentId | None, customer: CustomerId | None) -> None:
        if audience is not None and not self._by_agent.get(audience):
            self._by_agent.pop(audience, None)
        if customer is not None and not self._by_customer.get(customer):
            self._by_customer.pop(customer, None)

    async def _run(self, ready: asyncio.Event) -> None:
        async with self._bus.subscribe() as incoming:
            ready.set()
            while True:
                try:
                    async with asyncio.timeout(self._wait()):  # not wait_for: hub/batching.py
                        message = await incoming.get()
                except TimeoutError:
                    await self._catch_up()
                    continue
                self._receive(message)
                while (more := incoming.get_nowait()) is not None:
                    self._receive(more)
                if incoming.overflowed:
                    await self._recover(incoming)

    async def _recover(self, incoming: Subscription) -> None:
        """The bus outran us and dropped what it could not queue: live again from here, and
        what was dropped comes from the log (ephemeral signals of the gap are lost, as
        signals are when nobody is listening)."""
        log.warning("event feed fell behind the bus; catching up from the event log")
        incoming.recover()
        while await self._catch_up() == CATCH_UP_PAGE:
            pass  # a full page: there may be more

    def _wait(self) -> float:
        """How long to wait for the bus: a gap is given GAP_WAIT_SECONDS from when it was first
        seen, not from the last message, so steady traffic cannot postpone filling it."""
        if not self._held:
            return IDLE_CHECK_SECONDS
        now = asyncio.get_running_loop().time()
        return max(0.0, self._gap_since + GAP_WAIT_SECONDS - now)

    def _receive(self, message: BusMessage) -> None:
        if isinstance(message, Ephemeral):
            self._dispatch(message, message.audience, message.customer_id)
            return
        if message.id <= self.cursor:
            return
        if not self._held:
            self._gap_since = asyncio.get_running_loop().time()
        self._held[message.id] = message
        while (following := self._held.pop(self.cursor + 1, None)) is not None:
            self._deliver(following)

    async def _catch_up(self) -> int:
        """Read from the log what the bus lost or has not brought after the wait; returns
        how many events the read brought."""
        self._gap_since = asyncio.get_running_loop().time()  # a failed read waits again too
        try:
            missing = await self._events.after(self.cursor, limit=CATCH_UP_PAGE)
        except Exception:
            log.exception("event feed could not read the event log; will retry")
            return 0
        # The log is the truth: deliver what it holds, in order, past ids it does not have
        # (rolled back). A held envelope within what was read that the log does not have is
        # not ours (a foreign publisher on the channel) and is dropped; held ones beyond a
        # full page wait for the next read.
        read_upto = missing[-1].id if len(missing) == CATCH_UP_PAGE else None
        in_log = {envelope.id for envelope in missing}
        foreign = [
            i for i in self._held if i not in in_log and (read_upto is None or i <= read_upto)
        ]
        if foreign:
            log.warning("dropping %d bus envelopes the event log does not have", len(foreign))
        for event_id in foreign:
            del self._held[event_id]
        for envelope in missing:
            self._held.pop(envelope.id, None)
            self._deliver(envelope)
        return len(missing)

    def _deliver(self, envelope: Envelope) -> None:
        self.cursor = envelope.id
        self._dispatch(envelope, envelope.audience, customer_of(envelope.event))

    def _dispatch(
        self, message: BusMessage, audience: AgentId | None, customer: CustomerId | None
    ) -> None:
        for subscription in self._everything:
            subscription.offer(message)
        if audience is not None:
            for subscription in self._by_agent.get(audience, ()):
                subscription.offer(message)
        if customer is not None:
            for subscription in self._by_customer.get(customer, ()):
                subscription.offer(message)
