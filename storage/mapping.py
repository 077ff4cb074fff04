"""Row -> hub record conversion, and the selects that gather what a record needs."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from hub.ids import AgentId, ConversationId, CustomerId, MessageId, OfferId
from hub.models import Agent, Attachment, Conversation, Message, Offer
from storage.tables import AgentRow, ConversationRow, CustomerRow, MessageRow, OfferRow

conversation_t = ConversationRow.__table__  # type: ignore[attr-defined]
customer_t = CustomerRow.__table__  # type: ignore[attr-defined]
agent_t = AgentRow.__table__  # type: ignore[attr-defined]
message_t = MessageRow.__table__  # type: ignore[attr-defined]
offer_t = OfferRow.__table__  # type: ignore[attr-defined]

_assignee = agent_t.alias("assignee")
_author = agent_t.alias("author")

CONVERSATION_SELECT = (
    sa.select(
        conversation_t,
        customer_t.c.display_name.label("customer_name"),
        _assignee.c.name.label("assignee_name"),
    )
    .join(customer_t, customer_t.c.id == conversation_t.c.customer_id)
    .outerjoin(_assignee, _assignee.c.id == conversation_t.c.assignee_id)
)

MESSAGE_SELECT = sa.select(message_t, _author.c.name.label("agent_name")).outerjoin(
    _author, _author.c.id == message_t.c.agent_id
)


def to_conversation(row: Any) -> Conversation:
    return Conversation(
        id=ConversationId(row.id),
        customer_id=CustomerId(row.customer_id),
        customer_name=row.customer_name,
        channel=row.channel,
        queue=row.queue,
        status=row.status,
        priority=row.priority,
        assignee_id=AgentId(row.assignee_id) if row.assignee_id else None,
        assignee_name=row.assignee_name,
        target_agent_id=AgentId(row.target_agent_id) if row.target_agent_id else None,
        pinned_until=row.pinned_until,
        subject=row.subject,
        contact=row.contact,
        via=row.via,
        linked_to=ConversationId(row.linked_to) if row.linked_to else None,
        created_at=row.created_at,
        queued_at=row.queued_at,
        first_assigned_at=row.first_assigned_at,
        first_response_at=row.first_response_at,
        resolved_at=row.resolved_at,
        snoozed_until=row.snoozed_until,
    )


def conversation_values(conversation: Conversation) -> dict[str, Any]:
    """The columns a Conversation record owns (names of joined rows are not stored)."""
    return conversation.model_dump(exclude={"customer_name", "assignee_name"})


def to_message(row: Any) -> Message:
    return Message(
        id=MessageId(row.id),
        conversation_id=ConversationId(row.conversation_id),
        direction=row.direction,
        author=row.author,
        agent_id=AgentId(row.agent_id) if row.agent_id else None,
        agent_name=row.agent_name,
        channel=row.channel,
        text=row.body_text,
        client_id=row.client_id,
        created_at=row.created_at,
        html=row.body_html,
        attachments=tuple(Attachment.model_validate(a) for a in row.attachments or ()),
        external_id=row.external_id,
        meta=row.meta or {},
        delivery_status=row.delivery_status,
        delivery_error=row.delivery_error,
    )


def message_values(message: Message, customer_id: CustomerId, key: str) -> dict[str, Any]:
    return {
        "id": message.id,
        "conversation_id": message.conversation_id,
        "customer_id": customer_id,
        "direction": message.direction,
        "author": message.author,
        "agent_id": message.agent_id,
        "channel": message.channel,
        "body_text": message.text,
        "body_html": message.html,
        "client_id": message.client_id,
        "dedupe_key": key,
        "delivery_status": message.delivery_status,
        "delivery_error": message.delivery_error,
        "external_id": message.external_id,
        "attachments": [a.model_dump(mode="json") for a in message.attachments],
        "meta": message.meta,
        "created_at": message.created_at,
    }


def to_agent(row: Any) -> Agent:
    return Agent(
        id=AgentId(row.id),
        name=row.name,
        email=row.email,
        role=row.role,
        skills=tuple(row.skills),
        capacity=dict(row.capacity),
        voice_target=row.voice_target,
        status=row.status,
        disabled=bool(row.disabled),
    )


def to_offer(row: Any) -> Offer:
    return Offer(
        id=OfferId(row.id),
        conversation_id=ConversationId(row.conversation_id),
        agent_id=AgentId(row.agent_id),
        state=row.state,
        reason=row.reason,
        created_at=row.created_at,
        expires_at=row.expires_at,
        decided_at=row.decided_at,
    )
