"""The router's memory: agents (presence, skills, slots), the unresolved conversations it knows
(tickets) and the offers it is waiting on (reservations). Every change is idempotent, because
each change the router makes itself comes back once more as a bus event."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from datetime import datetime

from hub.events import OfferOutcome
from hub.flow.queues import Queues
from hub.ids import AgentId, ConversationId, OfferId
from hub.models import Agent, ChannelName, Conversation, Offer, Presence
from hub.services.fit import capacity_of
from hub.settings import QueueSettings
from routing.eligibility import eligible, room_refusal
from routing.policies import Candidate, order_waiting, positions
from routing.tickets import AgentSlot, DecidedOffers, Reservation, Ticket


class RoutingState:
    """Changed only by the router's one task. Loads are derived from assignments and
    reservations by `_sync`, never counted up and down, so they cannot drift."""

    def __init__(
        self,
        queues: Queues,
        default_capacity: Mapping[ChannelName, int],
        *,
        chats_during_calls: bool = False,
    ) -> None:
        self._chats_during_calls = chats_during_calls
        self._queues = queues  # read at each use: an admin's edit routes without a restart
        self._default_capacity: dict[str, int] = {c: n for c, n in default_capacity.items()}
        self.agents: dict[AgentId, AgentSlot] = {}
        self.tickets: dict[ConversationId, Ticket] = {}
        self.reservations: dict[OfferId, Reservation] = {}
        self.last_pick: dict[str, AgentId] = {}
        self._offer_of: dict[ConversationId, OfferId] = {}
        self._decided = DecidedOffers()

    def queue(self, name: str) -> QueueSettings:
        # A conversation may name a queue since removed from config: route it with the
        # defaults (no skills needed) rather than strand it.
        found = next((q for q in self._queues() if q.name == name), None)
        return found or QueueSettings(name=name)

    # -- agents ---------------------------------------------------------------------------

    def upsert_agent(self, agent: Agent) -> None:
        """Add or refresh an agent, with its capacity read as OfferService reads it."""
        old = self.agents.get(agent.id)
        slot = AgentSlot(
            agent_id=agent.id,
            status=agent.status,
            skills=frozenset(agent.skills),
            capacity=capacity_of(agent, self._default_capacity),
            idle_since=old.idle_since if old else None,
        )
        self.agents[agent.id] = slot
        if old is not None:
            slot.load = old.load
            return
        held = {t.conversation_id for t in self.tickets.values() if t.assignee == agent.id}
        held |= {r.conversation_id for r in self.reservations.values() if r.agent_id == agent.id}
        for conversation_id in held:
            self._sync(agent.id, conversation_id)

    def set_presence(self, agent_id: AgentId, status: Presence) -> list[Reservation]:
        """Returns the agent's pending offers when they stop being available: those must be
        cancelled at once, or their conversations would wait out the offer timeout."""
        slot = self.agents.get(agent_id)
        if slot is None:
            return []
        slot.status = status
        return [] if status == "available" else self.reservations_of(agent_id)

    def picked(self, queue: str, agent_id: AgentId, at: datetime) -> None:
        """An offer went to the agent: the round robin moves on and their idle clock restarts."""
        self.last_pick[queue] = agent_id
        self._touch(agent_id, at)

    def _touch(self, agent_id: AgentId, at: datetime) -> None:
        slot = self.agents.get(agent_id)
        if slot is not None and (slot.idle_since is None or slot.idle_since < at):
            slot.idle_since = at

    # -- conversations --------------------------------------------------------------------

    def track(self, conversation: Conversation) -> None:
        """Learn of an unresolved conversation; one already known is left as it is."""
        if conversation.id in self.tickets or conversation.status == "resolved":
            return
        # A snoozed conversation still holds its assignee's slot; one nobody holds is out of
        # the queue until it wakes (a `status` event brings it back).
        held = conversation.status in ("open", "snoozed")
        assignee = conversation.assignee_id if held else None
        if held and assignee is None:
            return  # open without an assignee is not routable; snoozed unassigned not yet
        ticket = Ticket(
            conversation_id=conversation.id,
            customer_id=conversation.customer_id,
            queue=conversation.queue,
            channel=conversation.channel,
            priority=conversation.priority,
            queued_at=conversation.queued_at,
            target_agent_id=conversation.target_agent_id,
            pinned_until=conversation.pinned_until,
        )
        self.tickets[conversation.id] = ticket
        if assignee is not None:
            self._assign(ticket, assignee)

    def assign(self, conversation_id: ConversationId, agent_id: AgentId) -> list[Reservation]:
        """An assignment of a tracked conversation (an untracked one is `track`ed as it now
        stands instead). Returns a pending offer of it to another agent, to be cancelled."""
        ticket = self.tickets.get(conversation_id)
        if ticket is None:
            return []
        reservation = self.reservation_for(conversation_id)
        if reservation is not None and reservation.agent_id == agent_id:
            self._forget(reservation.offer_id)  # it was this offer that was accepted
        self._assign(ticket, agent_id)
        stale = self.reservation_for(conversation_id)
        return [stale] if stale is not None else []

    def unassign(self, conversation_id: ConversationId, agent_id: AgentId) -> None:
        ticket = self.tickets.get(conversation_id)
        if ticket is None or ticket.assignee != agent_id:
            return
        ticket.assignee = None
        self._sync(agent_id, conversation_id)

    def requeue(
        self,
        conversation_id: ConversationId,
        queue: str | None,
        target: AgentId | None,
        pinned_until: datetime | None = None,
    ) -> bool:
        """A transfer: waiting again, in `queue` or pinned to `target` (until `pinned_until`
        if a supervisor chose them). It keeps its place: `queued_at` does not move. False if
        the conversation is unknown."""
        ticket = self.tickets.get(conversation_id)
        if ticket is None:
            return False
        if ticket.assignee is not None:
            self.unassign(conversation_id, ticket.assignee)
        ticket.queue = queue or ticket.queue
        ticket.target_agent_id = target
        ticket.pinned_until = pinned_until
        ticket.declined_by.clear()  # a new routing request: earlier refusals do not carry over
        return True

    def unpin(self, conversation_id: ConversationId) -> None:
        """A supervisor's pin ended: the conversation is its queue's again."""
        ticket = self.tickets.get(conversation_id)
        if ticket is not None:
            ticket.target_agent_id = ticket.pinned_until = None

    def pins(self) -> dict[ConversationId, datetime]:
        """When each waiting conversation's supervisor pin ends."""
        return {
            t.conversation_id: t.pinned_until
            for t in self.tickets.values()
            if t.pinned_until is not None and t.target_agent_id is not None and not t.assignee
        }

    def snooze(self, conversation_id: ConversationId) -> Reservation | None:
        """Snoozed: a waiting conversation leaves the queue (its pending offer, returned, must
        be cancelled); an assigned one stays its agent's, slot and all."""
        ticket = self.tickets.get(conversation_id)
        if ticket is not None and ticket.assignee is not None:
            return None
        return self.resolve(conversation_id)

    def resolve(self, conversation_id: ConversationId) -> Reservation | None:
        """Forget the conversation; returns its pending offer, which must be cancelled (its
        slot stays held until that is done)."""
        ticket = self.tickets.pop(conversation_id, None)
        if ticket is not None and ticket.assignee is not None:
            self._sync(ticket.assignee, conversation_id)
        return self.reservation_for(conversation_id)

    # -- offers ---------------------------------------------------------------------------

    def reserve(self, reservation: Reservation) -> bool:
        """Hold a slot for a pending offer. False if it must not stand (`refusal`)."""
        if self.refusal(reservation) is not None:
            return False
        if reservation.conversation_id in self._offer_of:
            return True  # the echo of an offer already held
        ticket = self.tickets[reservation.conversation_id]
        stored = replace(reservation, channel=ticket.channel)
        self.reservations[stored.offer_id] = stored
        self._offer_of[stored.conversation_id] = stored.offer_id
        self._sync(stored.agent_id, stored.conversation_id)
        return True

    def refusal(self, reservation: Reservation) -> str | None:
        """Why a pending offer cannot stand in this picture, or None: the conversation is not
        waiting or already has another offer, the agent is unknown, or holding it would take
        them past their capacity (an offer another router made while this one also led)."""
        ticket = self.tickets.get(reservation.conversation_id)
        if ticket is None or ticket.assignee is not None:
            return "conversation not waiting"
        slot = self.agents.get(reservation.agent_id)
        if slot is None:
            return "agent unknown"
        current = self._offer_of.get(reservation.conversation_id)
        if current is not None:
            return None if current == reservation.offer_id else "conversation already offered"
        return room_refusal(slot, ticket, self._chats_during_calls)

    def close_offer(
        self,
        offer_id: OfferId,
        outcome: OfferOutcome,
        agent_id: AgentId,
        conversation_id: ConversationId,
    ) -> None:
        """Apply an offer's outcome: accepted makes the reservation an assignment; anything
        else frees the slot and notes the agent as having passed on this conversation."""
        known = offer_id in self.reservations
        if not known and offer_id in self._decided:
            return
        if known:
            self._forget(offer_id)
        else:
            self._remember(offer_id)
        ticket = self.tickets.get(conversation_id)
        if ticket is None or ticket.assignee is not None:
            return
        if outcome != "accepted":
            ticket.declined_by.add(agent_id)
        elif known:
            # An unknown accepted offer is left to the Assigned event, which carries the
            # conversation as it was assigned.
            self._assign(ticket, agent_id)

    def reservation_for(self, conversation_id: ConversationId) -> Reservation | None:
        offer_id = self._offer_of.get(conversation_id)
        return self.reservations.get(offer_id) if offer_id is not None else None

    def reservations_of(self, agent_id: AgentId) -> list[Reservation]:
        return [r for r in self.reservations.values() if r.agent_id == agent_id]

    def is_decided(self, offer_id: OfferId) -> bool:
        return offer_id in self._decided

    # -- decisions ------------------------------------------------------------------------

    def waiting(self) -> list[Ticket]:
        """Waiting tickets in dispatch order (those on offer included)."""
        pending = (t for t in self.tickets.values() if t.assignee is None)
        return order_waiting(pending, {q.name: q.priority for q in self._queues()})

    def positions(self) -> dict[str, int]:
        return positions(self.waiting())

    def eligible(self, ticket: Ticket) -> list[Candidate]:
        """Agents who could be offered the ticket now (routing/eligibility.py)."""
        return eligible(
            ticket, self.agents, self.queue(ticket.queue).skills, self._chats_during_calls
        )

    def has_free_agent(self) -> bool:
        return any(
            slot.status == "available"
            and any(slot.load_on(ch) < n for ch, n in slot.capacity.items())
            for slot in self.agents.values()
        )

    def loads(self) -> dict[AgentId, dict[str, int]]:
        return {
            agent_id: {channel: len(held) for channel, held in slot.load.items() if held}
            for agent_id, slot in self.agents.items()
        }

    # -- rebuild --------------------------------------------------------------------------

    def rebuild(
        self,
        agents: Iterable[Agent],
        conversations: Iterable[Conversation],
        offers: Iterable[Offer],
    ) -> list[tuple[Offer, str]]:
        """Replace the state with the database's, keeping what only memory knows: idle times,
        round-robin positions, who passed on what. Returns the pending offers that cannot
        stand, each with why (`refusal`): cancel those."""
        old_agents, old_tickets = self.agents, self.tickets
        self.agents, self.tickets, self.reservations, self._offer_of = {}, {}, {}, {}
        for agent in agents:
            self.upsert_agent(agent)
            if agent.id in old_agents:
                self.agents[agent.id].idle_since = old_agents[agent.id].idle_since
        for conversation in conversations:
            self.track(conversation)
            if conversation.id in self.tickets and conversation.id in old_tickets:
                self.tickets[conversation.id].declined_by = old_tickets[conversation.id].declined_by
        stray = []
        for offer in offers:
            reservation = Reservation.of(offer)
            if (reason := self.refusal(reservation)) is not None:
                stray.append((offer, reason))
            else:
                self.reserve(reservation)
                self._touch(offer.agent_id, offer.created_at)
        return stray

    # -- bookkeeping ----------------------------------------------------------------------

    def _assign(self, ticket: Ticket, agent_id: AgentId) -> None:
        previous, ticket.assignee = ticket.assignee, agent_id
        ticket.target_agent_id = ticket.pinned_until = None
        if previous is not None and previous != agent_id:
            self._sync(previous, ticket.conversation_id)
        self._sync(agent_id, ticket.conversation_id)

    def _forget(self, offer_id: OfferId) -> None:
        reservation = self.reservations.pop(offer_id)
        if self._offer_of.get(reservation.conversation_id) == offer_id:
            del self._offer_of[reservation.conversation_id]
        self._remember(offer_id)
        self._sync(reservation.agent_id, reservation.conversation_id)

    def _remember(self, offer_id: OfferId) -> None:
        self._decided.add(offer_id)

    def _sync(self, agent_id: AgentId, conversation_id: ConversationId) -> None:
        """Make the agent's load match what holds it (assignment or reservation), so a slot
        is counted once and freed exactly when nothing holds it any more."""
        slot = self.agents.get(agent_id)
        if slot is None:
            return
        held_on = self._held_on(agent_id, conversation_id)
        for channel, held in slot.load.items():
            if channel != held_on:
                held.discard(conversation_id)
        if held_on is not None:
            slot.load.setdefault(held_on, set()).add(conversation_id)

    def _held_on(self, agent_id: AgentId, conversation_id: ConversationId) -> str | None:
        ticket = self.tickets.get(conversation_id)
        if ticket is not None and ticket.assignee == agent_id:
            return ticket.channel
        reservation = self.reservation_for(conversation_id)
        if reservation is not None and reservation.agent_id == agent_id:
            return reservation.channel
        return None
