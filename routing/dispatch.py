"""The leader's calls into OfferService: offer waiting conversations in dispatch order, time
offers out or cancel them, and tell customers their place in the queue. One Dispatcher
serves one leadership term; the router calls it from its single task only."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterable
from typing import Protocol

from hub.errors import StorageUnavailable
from hub.events import Ephemeral, OfferOutcome
from hub.flow.bus import BusMessage
from hub.ids import ConversationId, OfferId
from hub.ports import ConversationReader
from hub.services.offers import OfferService
from routing.policies import choose_agent
from routing.state import RoutingState
from routing.tickets import Reservation, Ticket
from routing.timers import OfferTimers

log = logging.getLogger(__name__)


class Publisher(Protocol):
    async def publish(self, messages: Iterable[BusMessage]) -> None: ...


class Dispatcher:
    def __init__(
        self,
        state: RoutingState,
        offers: OfferService,
        reader: ConversationReader,
        bus: Publisher,
        *,
        offer_timeout: float,
        retry_seconds: float,
        wake: Callable[[], None],
    ) -> None:
        self._state = state
        self._offers = offers
        self._reader = reader
        self._bus = bus
        self._offer_timeout = offer_timeout
        self._retry_seconds = retry_seconds
        self._timers = OfferTimers(wake)
        self._positions: dict[str, int] = {}  # what each waiting customer was last told

    def stop(self) -> None:
        self._timers.clear()

    async def dispatch(self, stop: asyncio.Event) -> bool:
        """Offer each waiting conversation that has no offer out, in priority order. False
        when storage was unavailable: the caller retries shortly."""
        available = True
        for ticket in self._state.waiting():
            if stop.is_set() or not self._state.has_free_agent():
                break
            if self._state.reservation_for(ticket.conversation_id) is not None:
                continue
            try:
                await self._offer(ticket)
            except StorageUnavailable:
                log.warning("storage unavailable while dispatching; retrying", exc_info=True)
                available = False
                break
            except Exception:  # one bad conversation must not hold up the ones behind it
                log.exception("offering %s failed", ticket.conversation_id)
        await self._publish_positions()
        return available

    async def _offer(self, ticket: Ticket) -> None:
        queue = self._state.queue(ticket.queue)
        candidates = self._state.eligible(ticket)
        agent_id = choose_agent(queue.policy, candidates, self._state.last_pick.get(queue.name))
        if agent_id is None:
            return
        offer = await self._offers.make(ticket.conversation_id, agent_id, self._offer_timeout)
        if offer is None:
            await self._settle(ticket.conversation_id)
            return
        # Reserve now, not on the bus echo: the next ticket must already see this slot taken.
        self._state.reserve(Reservation.of(offer))
        self._state.picked(queue.name, agent_id, offer.created_at)
        self._timers.arm(offer.id, offer.expires_at)

    async def _settle(self, conversation_id: ConversationId) -> None:
        """It stopped waiting behind our back (its event is on the way, or was lost): learn
        what it is now, so that an assignment keeps its slot."""
        conversation = await self._reader.conversation(conversation_id)
        if conversation is not None and conversation.status == "pending":
            return  # it raced back to waiting; the next dispatch tries again
        self._state.resolve(conversation_id)
        if conversation is not None:
            self._state.track(conversation)

    async def _publish_positions(self) -> None:
        ranks = self._state.positions()
        changed = [
            Ephemeral(
                type="queue",
                conversation_id=ticket.conversation_id,
                customer_id=ticket.customer_id,
                position=ranks[ticket.conversation_id],
            )
            for ticket in self._state.tickets.values()
            if ticket.conversation_id in ranks
            and self._positions.get(ticket.conversation_id) != ranks[ticket.conversation_id]
        ]
        self._positions = ranks
        if changed:
            try:
                await self._bus.publish(changed)
            except Exception:  # positions are a courtesy: routing goes on without them
                log.warning("could not publish queue positions", exc_info=True)

    # -- offers decided by the router -----------------------------------------------------

    def hold(self, reservation: Reservation) -> bool:
        """Take on a pending offer made elsewhere: hold its slot and arm its timeout. False
        if it cannot stand (the conversation is not waiting, or already offered)."""
        if not self._state.reserve(reservation):
            return False
        self._timers.arm(reservation.offer_id, reservation.expires_at)
        return True

    def decided(self, offer_id: OfferId) -> None:
        """Someone else decided the offer (accepted, rejected): its timer is moot."""
        self._timers.disarm(offer_id)

    def rearm(self) -> None:
        """After a rebuild: a timer for every pending offer, at its own expiry."""
        self._timers.sync({o: r.expires_at for o, r in self._state.reservations.items()})

    async def expire_due(self) -> bool:
        """Time out the offers whose timers fired; True if there were any."""
        due = self._timers.take_due()
        for offer_id in due:
            reservation = self._state.reservations.get(offer_id)
            if reservation is None:
                continue
            seconds = f"{reservation.timeout_seconds:g}"
            try:
                await self.close(reservation, "timeout", f"no answer within {seconds}s")
            except Exception:
                log.warning("could not time out offer %s; retrying", offer_id, exc_info=True)
                self._timers.retry(offer_id, self._retry_seconds)
        return bool(due)

    async def close(self, reservation: Reservation, outcome: OfferOutcome, reason: str) -> None:
        """Decide the offer, and apply that at once rather than on the bus echo. If someone
        decided it first, their event is on its way and frees the slot then."""
        self._timers.disarm(reservation.offer_id)
        if await self._offers.close(reservation.offer_id, outcome, reason):
            r = reservation
            self._state.close_offer(r.offer_id, outcome, r.agent_id, r.conversation_id)
