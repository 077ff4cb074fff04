"""The outbox's records and the contract a channel's sender keeps. An outbound send is a row
committed with the change that asks for it; OutboxRelay (hub/outbox/relay.py) carries it
out, so a reply survives a crash and a provider outage and reaches the customer once."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal, Protocol

from pydantic import BaseModel, ConfigDict

from hub.ids import ConversationId, CustomerId, MessageId

OutboxState = Literal["pending", "sending", "sent", "failed"]


class OutboxItem(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    id: str
    # One send per key, whoever asks again: "message:<id>", "redirect:<CallSid>:<agent>".
    idempotency_key: str
    # Which sender carries it: a channel ("sms", "email") or an action ("call_redirect").
    kind: str
    message_id: MessageId | None = None
    conversation_id: ConversationId | None = None
    customer_id: CustomerId | None = None
    payload: dict[str, Any]
    state: OutboxState = "pending"
    attempts: int = 0
    next_attempt_at: datetime
    last_error: str | None = None


class Sent(BaseModel):
    """What the provider said when it took the item: its id (Twilio SID, Message-ID) and the
    delivery status to record (a provider may report "queued" before "sent")."""

    model_config = ConfigDict(frozen=True)
    provider_id: str | None = None
    status: Literal["queued", "sent", "delivered"] = "sent"


class Sender(Protocol):
    async def send(self, item: OutboxItem) -> Sent:
        """Hand the item to the provider. Raise TransientSendError to be retried later, or
        PermanentSendError when retrying cannot help."""
        ...
