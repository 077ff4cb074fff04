"""The life of an offer: made by the router, then accepted, rejected, timed out or cancelled.
Deciding an offer is a conditional update, so an accept racing a timeout has one winner."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hub.errors import Conflict, Forbidden, NotFound
from hub.events import Assigned, OfferClosed, OfferMade, OfferOutcome
from hub.ids import AgentId, ConversationId, OfferId, new_id
from hub.models import Conversation, Offer
from hub.ports import Transaction
from hub.publishing import PublishingWork


class OfferService:
    def __init__(self, work: PublishingWork) -> None:
        self._work = work

    async def make(
        self, conversation_id: ConversationId, agent_id: AgentId, timeout_seconds: float
    ) -> Offer | None:
        """Offer a waiting conversation to an agent; None if it is no longer waiting or already
        has an offer out (one conversation is never offered to two agents at once)."""
        async with self._work.transaction() as tx:
            conversation = await tx.conversation(conversation_id)
            if conversation is None or conversation.status != "pending":
                return None
            if await tx.pending_offer_for(conversation_id) is not None:
                return None
            now = datetime.now(UTC)
            offer = Offer(
                id=OfferId(new_id()),
                conversation_id=conversation_id,
                agent_id=agent_id,
                state="pending",
                created_at=now,
                expires_at=now + timedelta(seconds=timeout_seconds),
            )
            await tx.add_offer(offer)
            tx.emit(
                OfferMade(
                    offer_id=offer.id,
                    agent_id=agent_id,
                    conversation=conversation,
                    expires_at=offer.expires_at,
                ),
                audience=agent_id,
            )
        return offer

    async def accept(self, agent_id: AgentId, offer_id: OfferId) -> Conversation:
        refusal: Conflict | None = None
        async with self._work.transaction() as tx:
            offer, conversation = await self._pending(tx, agent_id, offer_id)
            refusal = await self._refuse_stale(tx, offer, conversation)
            if refusal is None:
                assigned = await self._assign(tx, offer, conversation)
        # Raised after the commit, so the closing of the stale offer is kept.
        if refusal is not None:
            raise refusal
        return assigned

    async def _refuse_stale(
        self, tx: Transaction, offer: Offer, conversation: Conversation
    ) -> Conflict | None:
        """Close an offer that can no longer be accepted, and say why."""
        if offer.expires_at <= datetime.now(UTC):
            await self._close(tx, offer, conversation, "timeout", "expired before accept")
            return Conflict(f"offer {offer.id} expired")
        pinned = conversation.target_agent_id not in (None, offer.agent_id)
        if conversation.status != "pending" or pinned:
            # Resolved, assigned, or moved to another agent since the offer went out.
            await self._close(tx, offer, conversation, "cancelled", "no longer waiting")
            return Conflict(f"conversation {conversation.id} is no longer waiting for you")
        return None

    async def _assign(
        self, tx: Transaction, offer: Offer, conversation: Conversation
    ) -> Conversation:
        agent = await tx.agent(offer.agent_id)
        assert agent is not None
        assigned = conversation.model_copy(
            update={
                "status": "open",
                "assignee_id": agent.id,
                "assignee_name": agent.name,
                "target_agent_id": None,
            }
        )
        await tx.save_conversation(assigned)
        await self._close(tx, offer, conversation, "accepted", "accepted by agent")
        tx.emit(Assigned(conversation=assigned, agent_id=agent.id, via="offer"), agent.id)
        return assigned

    async def reject(self, agent_id: AgentId, offer_id: OfferId, reason: str) -> None:
        async with self._work.transaction() as tx:
            offer, conversation = await self._pending(tx, agent_id, offer_id)
            await self._close(tx, offer, conversation, "rejected", reason or "rejected by agent")

    async def close(self, offer_id: OfferId, outcome: OfferOutcome, reason: str) -> bool:
        """The router's side: time out or cancel. False when the offer was already decided."""
        async with self._work.transaction() as tx:
            offer = await tx.offer(offer_id)
            if offer is None or offer.state != "pending":
                return False
            conversation = await tx.conversation(offer.conversation_id)
            assert conversation is not None
            return await self._close(tx, offer, conversation, outcome, reason)

    async def _pending(
        self, tx: Transaction, agent_id: AgentId, offer_id: OfferId
    ) -> tuple[Offer, Conversation]:
        offer = await tx.offer(offer_id)
        if offer is None:
            raise NotFound("offer", offer_id)
        if offer.agent_id != agent_id:
            raise Forbidden(f"offer {offer_id} was made to another agent")
        if offer.state != "pending":
            raise Conflict(f"offer {offer_id} is already {offer.state}")
        conversation = await tx.conversation(offer.conversation_id)
        assert conversation is not None
        return offer, conversation

    async def _close(
        self,
        tx: Transaction,
        offer: Offer,
        conversation: Conversation,
        outcome: OfferOutcome,
        reason: str,
    ) -> bool:
        if not await tx.close_offer(offer.id, outcome, reason, datetime.now(UTC)):
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
        )
        return True
