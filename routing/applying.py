"""How each event moves the router's picture (RoutingState): a conversation opened, offered,
assigned, transferred, resolved or reopened, an agent's presence. Events reference
conversations by id; one the router has not met (opened while another process led) is read
from the database once, as it stands."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from hub.events import (
    AgentUpdated,
    Assigned,
    ConversationOpened,
    Envelope,
    OfferClosed,
    OfferMade,
    OfferOutcome,
    PresenceChanged,
    QueuesChanged,
    StatusChanged,
    Transferred,
    Unassigned,
    Unpinned,
)
from hub.ids import AgentId, ConversationId
from hub.ports import AgentDirectory, ConversationReader
from routing.dispatch import Dispatcher
from routing.state import RoutingState
from routing.tickets import Reservation


class EventApplier:
    def __init__(
        self,
        state: RoutingState,
        dispatcher: Dispatcher,
        reader: ConversationReader,
        agents: AgentDirectory,
        offer_timeout: float,
        *,
        refresh_queues: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        self._state = state
        self._dispatcher = dispatcher
        self._reader = reader
        self._agents = agents
        self._offer_timeout = offer_timeout
        self._refresh_queues = refresh_queues

    async def apply(self, envelope: Envelope) -> bool:
        """Apply one event; True when it may change what the router should offer."""
        event = envelope.event
        match event:
            case ConversationOpened():
                self._state.track(event.conversation)
            case OfferMade():
                await self._adopt(event)
            case OfferClosed():
                self._dispatcher.decided(event.offer_id)
                self._state.close_offer(
                    event.offer_id, event.outcome, event.agent_id, event.conversation_id
                )
            case Assigned():
                await self._ensure_agent(event.agent_id)
                await self._ensure_ticket(event.conversation_id)
                for stale in self._state.assign(event.conversation_id, event.agent_id):
                    await self._close(stale, "cancelled", "assigned to another agent")
            case Unassigned():
                self._state.unassign(event.conversation_id, event.agent_id)
            case Transferred():
                await self._transferred(event)
                self._dispatcher.pinned()
            case Unpinned():
                self._state.unpin(event.conversation_id)
                self._dispatcher.pinned()
            case StatusChanged(status="resolved"):
                offered = self._state.resolve(event.conversation_id)
                if offered is not None:
                    await self._close(offered, "cancelled", "conversation resolved")
            case StatusChanged(status="snoozed"):
                offered = self._state.snooze(event.conversation_id)
                if offered is not None:
                    await self._close(offered, "cancelled", "conversation snoozed")
            case StatusChanged(status="pending"):
                # Reopened or woken from a snooze: it waits in its queue again.
                reopened = await self._reader.conversation(event.conversation_id)
                if reopened is not None:
                    self._state.track(reopened)
            case PresenceChanged():
                await self._ensure_agent(event.agent_id)
                for stale in self._state.set_presence(event.agent_id, event.status):
                    await self._close(stale, "cancelled", "agent went away")
            case AgentUpdated():
                await self._refresh_agent(event.agent_id)
            case QueuesChanged():
                # Skills, priority or policy may have changed: reload before the next pass.
                if self._refresh_queues is not None:
                    await self._refresh_queues()
            case _:
                return False  # messages and notes do not change routing
        return True

    async def _adopt(self, event: OfferMade) -> None:
        """An offer this router did not make (an earlier leader's, during a handover): hold
        its slot and time it out, or cancel it if it cannot stand here (the conversation is
        already offered, or the agent has no room left for it)."""
        if event.offer_id in self._state.reservations or self._state.is_decided(event.offer_id):
            return  # our own offer's echo, or one already decided
        await self._ensure_agent(event.agent_id)
        await self._ensure_ticket(event.conversation_id)
        timeout = self._offer_timeout
        reservation = Reservation(
            event.offer_id, event.conversation_id, event.agent_id, event.expires_at, timeout
        )
        refusal = self._state.refusal(reservation)
        if refusal is not None:
            await self._close(reservation, "cancelled", refusal)
        else:
            self._dispatcher.hold(reservation)

    async def _transferred(self, event: Transferred) -> None:
        stale = self._state.reservation_for(event.conversation_id)
        if stale is not None:
            await self._close(stale, "cancelled", "conversation transferred")
        if event.to_agent_id is not None:
            await self._ensure_agent(event.to_agent_id)
        moved = (event.to_queue, event.to_agent_id, event.pinned_until)
        if not self._state.requeue(event.conversation_id, *moved):
            conversation = await self._reader.conversation(event.conversation_id)
            if conversation is not None:
                self._state.track(conversation)

    async def _ensure_ticket(self, conversation_id: ConversationId) -> None:
        """Events reference conversations by id; one this router has not met (opened while
        another process led) is read once, as it stands now."""
        if conversation_id not in self._state.tickets:
            conversation = await self._reader.conversation(conversation_id)
            if conversation is not None:
                self._state.track(conversation)

    async def _ensure_agent(self, agent_id: AgentId) -> None:
        """An agent added since the last rebuild is loaded when it first shows up."""
        if agent_id not in self._state.agents:
            agent = await self._agents.agent(agent_id)
            if agent is not None:
                self._state.upsert_agent(agent)

    async def _refresh_agent(self, agent_id: AgentId) -> None:
        """An admin changed the agent (skills, capacity, disabled): read them again."""
        agent = await self._agents.agent(agent_id)
        if agent is not None:
            self._state.upsert_agent(agent)
            if agent.disabled:
                for stale in self._state.set_presence(agent_id, "offline"):
                    await self._close(stale, "cancelled", "agent disabled")

    async def _close(self, reservation: Reservation, outcome: OfferOutcome, reason: str) -> None:
        await self._dispatcher.close(reservation, outcome, reason)
