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
        """Offer a waiting conversation to an agent; None if it is no longer waiting."""
        async with self._work.transaction() as tx:
            conversation = await tx.conversation(conversation_id)
            if conversation is None or conversation.status != "pending":
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
        async with self._work.transaction() as tx:
            offer, conversation = await self._pending(tx, agent_id, offer_id)
            now = datetime.now(UTC)
            if offer.expires_at <= now:
                await self._close(tx, offer, conversation, "timeout", "expired before accept")
                raise Conflict(f"offer {offer_id} expired")
            if conversation.status != "pending":
                await self._close(tx, offer, conversation, "cancelled", "no longer waiting")
                raise Conflict(f"conversation {conversation.id} is no longer waiting")
            agent = await tx.agent(agent_id)
            assert agent is not None
            assigned = conversation.model_copy(
                update={
                    "status": "open",
                    "assignee_id": agent_id,
                    "assignee_name": agent.name,
                    "target_agent_id": None,
                }
            )
            await tx.save_conversation(assigned)
            await self._close(tx, offer, conversation, "accepted", "accepted by agent")
            tx.emit(Assigned(conversation=assigned, agent_id=agent_id, via="offer"), agent_id)
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
