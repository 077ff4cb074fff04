"""The leader's calls into OfferService: offer waiting conversations in dispatch order, time
offers out or cancel them, and tell customers their place in the queue. One Dispatcher
serves one leadership term, and its writes carry that term, so once another router took the
lease they are refused (LeaseLost, which ends the term); the router calls it from its single
task only."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterable
from typing import Literal, Protocol

from hub.errors import LeaseLost, StorageUnavailable, Unfit
from hub.events import Ephemeral, OfferOutcome
from hub.flow.bus import BusMessage
from hub.ids import ConversationId, OfferId
from hub.models import LeaseTerm
from hub.ports import ConversationReader
from hub.services.offers import OfferService
from routing.policies import choose_agent
from routing.state import RoutingState
from routing.tickets import Reservation, Ticket
from routing.timers import Timers

log = logging.getLogger(__name__)
Step = Literal["next", "unavailable", "rebuild"]  # after offering one ticket
# Queue positions published per dispatch pass, and how soon the rest follow: well under a
# listener's mailbox (10,000), so a backlog's positions never crowd out events.
POSITIONS_PER_PASS = 500
POSITIONS_AGAIN_SECONDS = 0.25


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
        term: LeaseTerm,
        offer_timeout: float,
        retry_seconds: float,
        wake: Callable[[], None],
        resync: Callable[[], None],
    ) -> None:
        self._term = term
        self._resync = resync
        self._state = state
        self._offers = offers
        self._reader = reader
        self._bus = bus
        self._offer_timeout = offer_timeout
        self._retry_seconds = retry_seconds
        self._wake = wake
        self._timers = Timers[OfferId](wake)
        self._pins = Timers[ConversationId](wake)  # supervisors' pins running out
        self._positions: dict[str, int] = {}  # what each waiting customer was last told

    def stop(self) -> None:
        self._timers.clear()
        self._pins.clear()

    async def dispatch(self, stop: asyncio.Event) -> bool:
        """Offer each waiting conversation that has no offer out, in priority order. False
        when storage was unavailable: the caller retries shortly."""
        outcome: Step = "next"
        for ticket in self._state.waiting():
            if stop.is_set() or not self._state.has_free_agent():
                break
            if self._state.reservation_for(ticket.conversation_id) is not None:
                continue
            if (outcome := await self._try(ticket)) != "next":
                break
        await self._publish_positions()
        return outcome != "unavailable"

    async def _try(self, ticket: Ticket) -> Step:
        """Offer one ticket; whether the pass goes on to the next one."""
        try:
            await self._offer(ticket)
        except LeaseLost:
            raise  # deposed: the term ends
        except StorageUnavailable:
            log.warning("storage unavailable while dispatching; retrying", exc_info=True)
            return "unavailable"
        except Unfit as refused:
            # The database says the agent holds more than this picture does: rebuild it
            # rather than offer more from a wrong one.
            log.warning("offer refused (%s); rebuilding the routing state", refused)
            self._resync()
            return "rebuild"
        except Exception:  # one bad conversation must not hold up the ones behind it
            log.exception("offering %s failed", ticket.conversation_id)
        return "next"

    async def _offer(self, ticket: Ticket) -> None:
        queue = self._state.queue(ticket.queue)
        candidates = self._state.eligible(ticket)
        agent_id = choose_agent(queue.policy, candidates, self._state.last_pick.get(queue.name))
        if agent_id is None:
            return
        offer = await self._offers.make(
            ticket.conversation_id, agent_id, self._offer_timeout, term=self._term
        )
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
        """Tell waiting customers their new place, at most POSITIONS_PER_PASS at a time and
        nearest the front first: one pass over a backlog of 10,000 used to publish every
        position at once and overflow every listener's mailbox. The rest follow a moment
        later, each customer told only their latest place (coalesced)."""
        ranks = self._state.positions()
        changed = sorted(
            (rank, conversation_id)
            for conversation_id, rank in ranks.items()
            if self._positions.get(conversation_id) != rank
        )
        told = changed[:POSITIONS_PER_PASS]
        self._positions = {c: r for c, r in self._positions.items() if c in ranks}
        self._positions.update((conversation_id, rank) for rank, conversation_id in told)
        if len(changed) > len(told):
            asyncio.get_running_loop().call_later(POSITIONS_AGAIN_SECONDS, self._wake)
        messages = [
            Ephemeral(
                type="queue",
                conversation_id=ticket.conversation_id,
                customer_id=ticket.customer_id,
                position=rank,
            )
            for rank, conversation_id in told
            if (ticket := self._state.tickets.get(ConversationId(conversation_id))) is not None
        ]
        if messages:
            try:
                await self._bus.publish(messages)
            except Exception:  # positions are a courtesy: routing goes on without them
                log.warning("could not publish queue positions", exc_info=True)

    # -- offers decided by the router -----------------------------------------------------

    def hold(self, reservation: Reservation) -> bool:
        """Take on a pending offer made elsewhere: hold its slot and arm its timeout. False
        if it cannot stand (RoutingState.refusal)."""
        if not self._state.reserve(reservation):
            return False
        self._timers.arm(reservation.offer_id, reservation.expires_at)
        return True

    def decided(self, offer_id: OfferId) -> None:
        """Someone else decided the offer (accepted, rejected): its timer is moot."""
        self._timers.disarm(offer_id)

    def rearm(self) -> None:
        """After a rebuild: a timer for every pending offer, at its own expiry, and for every
        supervisor's pin, at its end."""
        self._timers.sync({o: r.expires_at for o, r in self._state.reservations.items()})
        self.pinned()

    def pinned(self) -> None:
        """Conversations were pinned or unpinned: time the pins that now run."""
        self._pins.sync(self._state.pins())

    async def unpin_due(self) -> bool:
        """Send back to their queues the conversations whose pin ran out; True if any."""
        due = self._pins.take_due()
        for conversation_id in due:
            try:
                if await self._offers.unpin_lapsed(conversation_id, term=self._term):
                    self._state.unpin(conversation_id)  # its event is on the way, too
            except LeaseLost:
                raise
            except Exception:
                log.warning("could not unpin %s; retrying", conversation_id, exc_info=True)
                self._pins.retry(conversation_id, self._retry_seconds)
        return bool(due)

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
            except LeaseLost:
                raise
            except Exception:
                log.warning("could not time out offer %s; retrying", offer_id, exc_info=True)
                self._timers.retry(offer_id, self._retry_seconds)
        return bool(due)

    async def close(self, reservation: Reservation, outcome: OfferOutcome, reason: str) -> None:
        """Decide the offer, and apply that at once rather than on the bus echo. If someone
        decided it first, their event is on its way and frees the slot then."""
        self._timers.disarm(reservation.offer_id)
        r = reservation
        closed = await self._offers.close(r.offer_id, outcome, reason, term=self._term)
        if closed is None:
            return
        self._state.close_offer(r.offer_id, outcome, r.agent_id, r.conversation_id)
        if closed.agent_set_away:
            # Applied now, not on the event's echo: the next dispatch must not offer them more.
            for stale in self._state.set_presence(r.agent_id, "away"):
                await self.close(stale, "cancelled", "agent went away")
