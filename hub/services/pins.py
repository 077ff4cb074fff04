"""A supervisor's reassignment pins a conversation to the agent they chose for a while: it
goes back to its queue once that agent lets an offer of it go (timed out or rejected), or has
not taken it by `pinned_until` (the router calls `OfferService.unpin_lapsed` then). An agent's
own transfer to a colleague has no deadline: it waits for that colleague until accepted."""

from __future__ import annotations

from datetime import datetime

from hub.events import OfferOutcome, Unpinned
from hub.models import Conversation, Offer
from hub.ports import Transaction

MISSED = {"timeout": "offer timed out", "rejected": "offer rejected"}


def lapses_on(conversation: Conversation, offer: Offer, outcome: OfferOutcome) -> str | None:
    """Why closing this offer ends the conversation's pin, or None when it does not."""
    if conversation.pinned_until is None or conversation.status != "pending":
        return None  # no pin, or an agent's transfer (no deadline), or no longer waiting
    if conversation.target_agent_id != offer.agent_id:
        return None
    return MISSED.get(outcome)


def unpin(
    tx: Transaction, conversation: Conversation, reason: str, at: datetime | None = None
) -> Conversation:
    """Back to the queue: anyone with its skills may be offered it now."""
    assert conversation.target_agent_id is not None
    freed = conversation.model_copy(update={"target_agent_id": None, "pinned_until": None})
    tx.conversations.save(freed)
    tx.emit(
        Unpinned(
            conversation_id=conversation.id,
            customer_id=conversation.customer_id,
            agent_id=conversation.target_agent_id,
            reason=reason,
        ),
        at=at,
    )
    return freed
