"""Writing an outbound message: the agent's reply or the hub's own, with, on a channel that
sends (SMS, email), its outbox row in the same transaction, after the customer's consent for
that address was checked."""

from __future__ import annotations

from datetime import datetime

from hub.errors import OptedOut
from hub.events import MessageCreated
from hub.ids import AgentId, MessageId, new_id
from hub.models import IDENTITY_KIND, Attachment, Author, Conversation, Message
from hub.outbox.items import OutboxItem
from hub.outbox.payloads import outbound_payload
from hub.ports import Transaction


def check_consent(tx: Transaction, conversation: Conversation) -> None:
    """Refuse (OptedOut) a send to an address whose owner opted out of it (SMS STOP)."""
    kind = IDENTITY_KIND.get(conversation.channel)
    if kind is None or conversation.contact is None:
        return
    found = tx.identities.get(kind, conversation.contact)
    if found is not None and found[1].opted_out_at is not None:
        raise OptedOut(conversation.channel, conversation.contact)


def outbound_message(
    conversation: Conversation,
    author: Author,
    sender_name: str,
    text: str,
    now: datetime,
    sends: bool,
    *,
    agent_id: AgentId | None = None,
    client_id: str | None = None,
    attachments: tuple[Attachment, ...] = (),
) -> Message:
    return Message(
        id=MessageId(new_id()),
        conversation_id=conversation.id,
        direction="out",
        author=author,
        agent_id=agent_id,
        agent_name=sender_name,
        channel=conversation.channel,
        text=text,
        client_id=client_id,
        created_at=now,
        attachments=attachments,
        delivery_status="queued" if sends else None,
    )


def store_outbound(
    tx: Transaction,
    conversation: Conversation,
    message: Message,
    key: str,
    sends: bool,
    *,
    auto_reply: bool = False,
) -> bool:
    """Write the message, its event and, on a channel with a sender, its outbox row: the
    send is fixed now, so a retry sends the same thing. True when a send was queued."""
    tx.messages.add(message, conversation.customer_id, key)
    queued = sends and tx.outbox.add(
        OutboxItem(
            id=new_id(),
            idempotency_key=f"message:{message.id}",
            message_id=message.id,
            conversation_id=conversation.id,
            customer_id=conversation.customer_id,
            payload=outbound_payload(conversation, message, auto_reply=auto_reply),
            next_attempt_at=message.created_at,
        )
    )
    # An agent's own reply goes to their stream; the hub's goes to whoever holds the
    # conversation.
    audience = message.agent_id or conversation.assignee_id
    event = MessageCreated.of(message, conversation.customer_id)
    tx.emit(event, audience=audience, at=message.created_at)
    return queued
