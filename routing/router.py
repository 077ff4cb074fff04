"""The router: while it holds the "router" lease it keeps RoutingState in step with the event
stream and offers waiting conversations to agents. Every state change and every offer call
happens in one task, so two dispatches never race for the same slot."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Iterable
from contextlib import AbstractAsyncContextManager
from typing import Protocol

from hub.errors import LeaseLost, StorageUnavailable
from hub.events import Ephemeral
from hub.flow.bus import BusMessage, Subscription
from hub.flow.queues import Queues
from hub.ids import AgentId
from hub.models import LeaseTerm
from hub.ports import AgentDirectory, ConversationReader, Leases
from hub.services.offers import OfferService
from hub.settings import RoutingSettings
from routing.applying import EventApplier
from routing.dispatch import Dispatcher
from routing.lease import Leadership
from routing.state import RoutingState
from routing.tickets import Reservation

log = logging.getLogger(__name__)
LEASE = "router"


class EventSource(Protocol):
    """hub.bus.Bus, or the ordered hub.feed.EventFeed built over it."""

    def subscribe(self) -> AbstractAsyncContextManager[Subscription]: ...
    async def publish(self, messages: Iterable[BusMessage]) -> None: ...


class Router:
    """Offers waiting conversations to agents while this process holds the router lease.

    `async with Router(...)` starts it; leaving the block stops routing and releases the
    lease. Routers that do not hold the lease stand by and take over when it lapses."""

    def __init__(
        self,
        reader: ConversationReader,
        agents: AgentDirectory,
        offers: OfferService,
        leases: Leases,
        bus: EventSource,
        routing: RoutingSettings,
        queues: Queues,
        holder: str,
        *,
        refresh_queues: Callable[[], Awaitable[None]] | None = None,
        resync_seconds: float = 30.0,
        retry_seconds: float = 1.0,
    ) -> None:
        """`queues` is read at each use (`QueueDirectory.all`); `refresh_queues`
        (`QueueDirectory.reload`) is awaited when a `queues_changed` event arrives, before
        the pass it triggers, so an edited queue routes at once."""
        self._reader = reader
        self._agents = agents
        self._offers = offers
        self._bus = bus
        self._routing = routing
        self._queues = queues
        self._refresh_queues = refresh_queues
        self._resync_seconds = resync_seconds
        self._retry_seconds = retry_seconds
        self._leadership = Leadership(
            leases,
            LEASE,
            holder,
            routing.lease_ttl_seconds,
            lead=self._lead,
        )
        self._state, self._dispatcher, self._applier = self._new_term(
            LeaseTerm(name=LEASE, epoch=0)
        )
        self._wake = asyncio.Event()
        self._stop = asyncio.Event()  # set when this leadership term ends
        self._dirty = False  # something changed since the last dispatch
        self._resync_due = False
        self._resync_timer: asyncio.TimerHandle | None = None

    @property
    def is_leader(self) -> bool:
        return self._leadership.is_leader

    def loads(self) -> dict[AgentId, dict[str, int]]:
        """Slots in use per agent and channel (assigned plus on offer), as this router sees
        them; empty unless it leads."""
        return self._state.loads()

    async def __aenter__(self) -> Router:
        await self._leadership.__aenter__()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._leadership.__aexit__(*exc)

    # -- the leader's loop ----------------------------------------------------------------

    def _new_term(self, term: LeaseTerm) -> tuple[RoutingState, Dispatcher, EventApplier]:
        # Each leadership term starts from nothing and rebuilds from the database, so no
        # state of an earlier term can leak into it; its writes carry the term's epoch.
        state = RoutingState(
            self._queues,
            self._routing.default_capacity,
            chats_during_calls=self._routing.chats_during_calls,
        )
        dispatcher = Dispatcher(
            state,
            self._offers,
            self._reader,
            self._bus,
            term=term,
            offer_timeout=self._routing.offer_timeout_seconds,
            retry_seconds=self._retry_seconds,
            wake=self._wake_up,
            resync=self._request_resync,
        )
        applier = EventApplier(
            state,
            dispatcher,
            self._reader,
            self._agents,
            self._routing.offer_timeout_seconds,
            refresh_queues=self._refresh_queues,
        )
        return state, dispatcher, applier

    async def _lead(self, stop: asyncio.Event, epoch: int) -> None:
        self._stop = stop
        term = LeaseTerm(name=LEASE, epoch=epoch)
        self._state, self._dispatcher, self._applier = self._new_term(term)
        self._dirty = False
        self._wake.clear()
        try:
            while not stop.is_set():
                # Subscribe before reading the database, so no change falls between the two.
                async with self._bus.subscribe() as subscription:
                    self._resync_due = True
                    await self._serve(subscription)
                if subscription.overflowed:
                    log.warning("router fell behind the event stream; rebuilding")
        except LeaseLost as deposed:
            # Another router took the lease while this one still believed it led (a stalled
            # process, a renewal that hung): its write was refused, and the term ends here.
            log.warning("router stops routing: %s", deposed)
        finally:
            self._dispatcher.stop()
            if self._resync_timer is not None:
                self._resync_timer.cancel()
            self._state, self._dispatcher, self._applier = self._new_term(term)

    def _wake_up(self) -> None:
        self._dirty = True
        self._wake.set()

    async def _serve(self, subscription: Subscription) -> None:
        while not self._stop.is_set() and not subscription.overflowed:
            try:
                await self._step(subscription)
            except LeaseLost:
                raise
            except Exception:
                # Whatever went wrong, the database holds the truth: back off, then rebuild.
                log.exception("routing step failed; resyncing")
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(self._retry_seconds):  # see hub/batching.py
                        await self._stop.wait()
                self._resync_due = True

    async def _step(self, subscription: Subscription) -> None:
        if self._resync_due:
            await self._resync(subscription)
        if await self._dispatcher.expire_due():
            self._dirty = True
        if await self._dispatcher.unpin_due():
            self._dirty = True
        if self._dirty:
            self._dirty = False
            if not await self._dispatcher.dispatch(self._stop):
                self._later(self._retry_seconds, self._wake_up)
        for message in await self._next_batch(subscription):
            await self._handle(message)

    async def _next_batch(self, subscription: Subscription) -> list[BusMessage]:
        """Everything queued, after waiting for at least one message unless a timer, a retry
        or the end of the term has already asked for attention."""
        batch = _drain(subscription)
        if not batch and not self._wake.is_set():
            getter = asyncio.ensure_future(subscription.get())
            wakers = [asyncio.ensure_future(e.wait()) for e in (self._wake, self._stop)]
            try:
                await asyncio.wait((getter, *wakers), return_when=asyncio.FIRST_COMPLETED)
            finally:
                for future in (getter, *wakers):
                    future.cancel()  # a get cancelled before it returned leaves its message
            if getter.done() and not getter.cancelled():
                batch = [getter.result(), *_drain(subscription)]
        self._wake.clear()
        return batch

    # -- rebuild --------------------------------------------------------------------------

    async def _resync(self, subscription: Subscription) -> None:
        """Rebuild from the database: on taking the lease, after an overflow, and every
        `resync_seconds` in case an event was lost (Redis pub/sub is at-most-once)."""
        self._resync_due = False
        if self._resync_timer is not None:
            self._resync_timer.cancel()
        # Apply what is already queued first, so fewer events are older than the snapshot.
        for message in _drain(subscription):
            await self._handle(message)
        try:
            agents = await self._agents.agents()
            conversations = await self._reader.unresolved()
            pending = await self._reader.pending_offers()
        except Exception:
            log.warning("router could not read its state; retrying", exc_info=True)
            self._resync_timer = self._later(self._retry_seconds, self._request_resync)
            return
        stray = self._state.rebuild(agents, conversations, pending)
        self._dispatcher.rearm()
        self._resync_timer = self._later(self._resync_seconds, self._request_resync)
        self._dirty = True
        close = self._dispatcher.close
        for offer, reason in stray:
            await close(Reservation.of(offer), "cancelled", reason)
        for slot in list(self._state.agents.values()):
            if slot.status != "available":  # went away while no router was listening
                for reservation in self._state.reservations_of(slot.agent_id):
                    await close(reservation, "cancelled", "agent went away")

    def _request_resync(self) -> None:
        self._resync_due = True
        self._wake.set()

    # -- events ---------------------------------------------------------------------------

    async def _handle(self, message: BusMessage) -> None:
        if isinstance(message, Ephemeral):
            return  # typing, and our own queue positions
        try:
            if await self._applier.apply(message):
                self._dirty = True
        except LeaseLost:
            raise
        except StorageUnavailable:
            log.warning("storage unavailable while routing; resyncing soon", exc_info=True)
            self._later(self._retry_seconds, self._request_resync)
        except Exception:
            log.exception("router failed to apply event %s", message.id)

    @staticmethod
    def _later(delay: float, callback: Callable[[], object]) -> asyncio.TimerHandle:
        return asyncio.get_running_loop().call_later(delay, callback)


def _drain(subscription: Subscription) -> list[BusMessage]:
    batch: list[BusMessage] = []
    while (message := subscription.get_nowait()) is not None:
        batch.append(message)
    return batch
