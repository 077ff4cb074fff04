"""The life of an offer: made by the router, then accepted, rejected, timed out or cancelled.
Deciding an offer is a conditional update, so an accept racing a timeout has one winner.

The router's writes (make, close) carry its lease term and are refused once another router
took the lease, so a deposed router finishing a pass decides nothing. Making and accepting an
offer check, in the same transaction, that the agent may hold the conversation beside what
the database says they hold (hub/services/fit.py), whatever any router believes."""

from __future__ import annotations

from datetime import datetime, timedelta

from hub.clock import Clock, system_clock
from hub.errors import Conflict, Forbidden, LeaseLost, NotFound, Unfit
from hub.events import Assigned, OfferClosed, OfferMade, OfferOutcome
from hub.flow.publishing import PublishingWork
from hub.flow.queues import Queues
from hub.ids import AgentId, ConversationId, OfferId, new_id
from hub.models import Conversation, LeaseTerm, Offer
from hub.ports import Transaction
from hub.services.absence import Closed, set_away_if_absent
from hub.services.fit import FitRules, unfit
from hub.services.pins import lapses_on, unpin
from hub.settings import RoutingSettings

PREVIEW_CHARS = 140


class OfferService:
    def __init__(
        self,
        work: PublishingWork,
        routing: RoutingSettings,
        queues: Queues,
        clock: Clock = system_clock,
    ) -> None:
        self._work = work
        self._queues = queues  # read at each make and accept: an admin's edit holds at once
        self._routing = routing
        self._clock = clock  # when offers are made and decided, and their events

    @property
    def _rules(self) -> FitRules:
        return FitRules.of(self._routing, self._queues())

    async def make(
        self,
        conversation_id: ConversationId,
        agent_id: AgentId,
        timeout_seconds: float,
        *,
        term: LeaseTerm,
    ) -> Offer | None:
        """Offer a waiting conversation to an agent; None if it is no longer waiting or already
        has an offer out (one conversation is never offered to two agents at once). Raises
        Unfit when the agent may not hold it (no free slot, on a call, lacking skills), and
        LeaseLost when `term` is no longer the lease's."""
        rules, clock = self._rules, self._clock

        def act(tx: Transaction) -> Offer | None:
            fence(tx, term)
            conversation = tx.conversations.get(conversation_id)
            if conversation is None or conversation.status != "pending":
                return None
            if tx.offers.pending_for(conversation_id) is not None:
                return None
            agent = tx.agents.get(agent_id)
            if agent is None:
                raise NotFound("agent", agent_id)
            if agent.disabled or agent.status != "available":
                why = "disabled" if agent.disabled else agent.status
                raise Unfit(agent_id, conversation_id, f"the agent is {why}")
            reason = unfit(agent, conversation, tx.agents.holds(agent_id, conversation_id), rules)
            if reason is not None:
                raise Unfit(agent_id, conversation_id, reason)
            now = clock()
            offer = Offer(
                id=OfferId(new_id()),
                conversation_id=conversation_id,
                agent_id=agent_id,
                state="pending",
                created_at=now,
                expires_at=now + timedelta(seconds=timeout_seconds),
            )
            tx.offers.add(offer)
            tx.emit(
                OfferMade(
                    offer_id=offer.id,
                    agent_id=agent_id,
                    conversation_id=conversation.id,
                    customer_id=conversation.customer_id,
                    channel=conversation.channel,
                    expires_at=offer.expires_at,
                    preview=preview_of(tx.messages.latest_customer_text(conversation_id)),
                    waiting_since=conversation.queued_at,
                ),
                audience=agent_id,
                at=now,
            )
            return offer

        return await self._work.run(act)

    async def unpin_lapsed(self, conversation_id: ConversationId, *, term: LeaseTerm) -> bool:
        """The router's side of a supervisor's pin: once `pinned_until` has passed, the
        conversation goes back to its queue. False when there was nothing (left) to drop."""
        seconds = f"{self._routing.offer_timeout_seconds:g}"
        clock = self._clock

        def act(tx: Transaction) -> bool:
            fence(tx, term)
            conversation = tx.conversations.get(conversation_id)
            if conversation is None or conversation.status != "pending":
                return False
            deadline = conversation.pinned_until
            now = clock()
            if deadline is None or deadline > now:
                return False
            unpin(tx, conversation, f"not taken within {seconds}s", now)
            return True

        return await self._work.run(act)

    async def accept(self, agent_id: AgentId, offer_id: OfferId) -> Conversation:
        rules, clock = self._rules, self._clock

        def act(tx: Transaction) -> Conversation | Conflict:
            offer, conversation = _pending(tx, agent_id, offer_id)
            now = clock()
            stale = _refuse_stale(tx, offer, conversation, rules, now)
            return stale or _assign(tx, offer, conversation, now)

        outcome = await self._work.run(act)
        # Raised after the commit, so the closing of a stale offer is kept.
        if isinstance(outcome, Conflict):
            raise outcome
        return outcome

    async def reject(self, agent_id: AgentId, offer_id: OfferId, reason: str) -> None:
        clock = self._clock

        def act(tx: Transaction) -> None:
            offer, conversation = _pending(tx, agent_id, offer_id)
            _close(tx, offer, conversation, "rejected", reason or "rejected by agent", clock())

        await self._work.run(act)

    async def close(
        self, offer_id: OfferId, outcome: OfferOutcome, reason: str, *, term: LeaseTerm
    ) -> Closed | None:
        """The router's side: time out or cancel. None when the offer was already decided;
        LeaseLost when `term` is no longer the lease's. An agent who let
        `routing.max_missed_offers` offers in a row time out is set away with it."""
        most, clock = self._routing.max_missed_offers, self._clock

        def act(tx: Transaction) -> Closed | None:
            fence(tx, term)
            offer = tx.offers.get(offer_id)
            if offer is None or offer.state != "pending":
                return None
            conversation = tx.conversations.get(offer.conversation_id)
            assert conversation is not None
            if not _close(tx, offer, conversation, outcome, reason, clock()):
                return None
            away = outcome == "timeout" and bool(most) and set_away_if_absent(tx, offer, most)
            return Closed(agent_set_away=away)

        return await self._work.run(act)


def fence(tx: Transaction, term: LeaseTerm) -> None:
    """Refuse the write of a lease holder who was deposed: read in the writing transaction,
    which is serialized with every acquisition, so nothing lands after a successor took over."""
    current = tx.leases.epoch(term.name)
    if current != term.epoch:
        raise LeaseLost(term.name, term.epoch, current)


def cancel_pending(tx: Transaction, conversation: Conversation, reason: str, now: datetime) -> None:
    """Close the conversation's pending offer, if any, in the caller's transaction: used when
    what the offer proposed stops being true (a transfer), so it cannot be accepted after."""
    offer = tx.offers.pending_for(conversation.id)
    if offer is not None:
        _close(tx, offer, conversation, "cancelled", reason, now)


def preview_of(text: str | None, limit: int = PREVIEW_CHARS) -> str | None:
    if text is None or len(text) <= limit:
        return text
    return text[: limit - 1].rstrip() + "…"


def _pending(tx: Transaction, agent_id: AgentId, offer_id: OfferId) -> tuple[Offer, Conversation]:
    offer = tx.offers.get(offer_id)
    if offer is None:
        raise NotFound("offer", offer_id)
    if offer.agent_id != agent_id:
        raise Forbidden(f"offer {offer_id} was made to another agent")
    if offer.state != "pending":
        raise Conflict(f"offer {offer_id} is already {offer.state}")
    conversation = tx.conversations.get(offer.conversation_id)
    assert conversation is not None
    return offer, conversation


def _refuse_stale(
    tx: Transaction, offer: Offer, conversation: Conversation, rules: FitRules, now: datetime
) -> Conflict | None:
    """Close an offer that can no longer be accepted, and say why."""
    if offer.expires_at <= now:
        _close(tx, offer, conversation, "timeout", "expired before accept", now)
        return Conflict(f"offer {offer.id} expired")
    pinned = conversation.target_agent_id not in (None, offer.agent_id)
    if conversation.status != "pending" or pinned:
        # Resolved, assigned, or moved to another agent since the offer went out.
        _close(tx, offer, conversation, "cancelled", "no longer waiting", now)
        return Conflict(f"conversation {conversation.id} is no longer waiting for you")
    agent = tx.agents.get(offer.agent_id)
    assert agent is not None
    holds = tx.agents.holds(agent.id, conversation.id)
    if (reason := unfit(agent, conversation, holds, rules)) is not None:
        # Full (another router's offer, a capacity lowered), or the queue's skills changed.
        _close(tx, offer, conversation, "cancelled", reason, now)
        return Unfit(agent.id, conversation.id, reason)
    return None


def _assign(
    tx: Transaction, offer: Offer, conversation: Conversation, now: datetime
) -> Conversation:
    agent = tx.agents.get(offer.agent_id)
    assert agent is not None
    assigned = conversation.model_copy(
        update={
            "status": "open",
            "assignee_id": agent.id,
            "assignee_name": agent.name,
            "target_agent_id": None,
            "pinned_until": None,
            # The service level counts the first assignment only; a transfer's does not.
            "first_assigned_at": conversation.first_assigned_at or now,
        }
    )
    tx.conversations.save(assigned)
    _close(tx, offer, conversation, "accepted", "accepted by agent", now)
    tx.emit(
        Assigned(
            conversation_id=assigned.id,
            customer_id=assigned.customer_id,
            channel=assigned.channel,
            agent_id=agent.id,
            agent_name=agent.name,
            via="offer",
        ),
        agent.id,
        now,
    )
    return assigned


def _close(
    tx: Transaction,
    offer: Offer,
    conversation: Conversation,
    outcome: OfferOutcome,
    reason: str,
    now: datetime,
) -> bool:
    if not tx.offers.close(offer.id, outcome, reason, now):
        return False
    tx.emit(
        OfferClosed(
            offer_id=offer.id,
            agent_id=offer.agent_id,
            conversation_id=conversation.id,
            customer_id=conversation.customer_id,
            outcome=outcome,
            reason=reason,
        ),
        audience=offer.agent_id,
        at=now,
    )
    if (lapsed := lapses_on(conversation, offer, outcome)) is not None:
        unpin(tx, conversation, lapsed, now)
    return True
