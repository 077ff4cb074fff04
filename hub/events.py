"""Every state change is one of these events. They are closed (extra fields are refused), carry
a `type` literal, and are written to the event log in the transaction that makes the change."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from hub.ids import AgentId, ConversationId, CustomerId, EventId, MessageId, NoteId, OfferId
from hub.models import (
    Attachment,
    Author,
    ChannelName,
    Conversation,
    ConversationStatus,
    DeliveryStatus,
    Direction,
    Message,
    Presence,
)

OfferOutcome = Literal["accepted", "rejected", "timeout", "cancelled"]


class _Event(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ConversationOpened(_Event):
    type: Literal["conversation_opened"] = "conversation_opened"
    conversation: Conversation


class MessageCreated(_Event):
    type: Literal["message"] = "message"
    conversation_id: ConversationId
    customer_id: CustomerId
    message_id: MessageId
    direction: Direction
    author: Author
    agent_id: AgentId | None = None
    agent_name: str | None = None
    channel: ChannelName
    text: str
    client_id: str | None = None
    created_at: datetime
    html: str | None = None
    attachments: tuple[Attachment, ...] = ()
    meta: dict[str, Any] = Field(default_factory=dict)
    delivery_status: DeliveryStatus | None = None

    @classmethod
    def of(cls, message: Message, customer_id: CustomerId) -> MessageCreated:
        return cls(
            conversation_id=message.conversation_id,
            customer_id=customer_id,
            message_id=message.id,
            direction=message.direction,
            author=message.author,
            agent_id=message.agent_id,
            agent_name=message.agent_name,
            channel=message.channel,
            text=message.text,
            client_id=message.client_id,
            created_at=message.created_at,
            html=message.html,
            attachments=message.attachments,
            meta=message.meta,
            delivery_status=message.delivery_status,
        )


class NoteAdded(_Event):
    type: Literal["note"] = "note"
    conversation_id: ConversationId
    customer_id: CustomerId
    note_id: NoteId
    agent_id: AgentId
    agent_name: str
    text: str
    # Agents the note names (`@Ann Lee`, `@ann@example.com`): each is also sent a `mention`.
    mentions: tuple[AgentId, ...] = ()


class Mentioned(_Event):
    """A note named this agent: the note delivered to their console stream, so they are told
    even when the conversation is not theirs. Not a timeline entry (the note is)."""

    type: Literal["mention"] = "mention"
    conversation_id: ConversationId
    customer_id: CustomerId
    note_id: NoteId
    agent_id: AgentId  # the agent mentioned
    by_agent_id: AgentId
    by_agent_name: str
    text: str


class ConversationUpdated(_Event):
    """An agent edited the conversation (PATCH /api/v1/conversations/{id}): `changes` holds
    the new value of each field that changed, among priority, labels, subject and
    snoozed_until (labels as the full list of names)."""

    type: Literal["conversation_updated"] = "conversation_updated"
    conversation_id: ConversationId
    customer_id: CustomerId
    agent_id: AgentId
    changes: dict[str, Any]


class OfferMade(_Event):
    """The conversation is referenced, not embedded: a console is sent it as it stands
    (agents_ui looks it up), and the router already tracks it."""

    type: Literal["offer"] = "offer"
    offer_id: OfferId
    agent_id: AgentId
    conversation_id: ConversationId
    customer_id: CustomerId
    channel: ChannelName
    expires_at: datetime
    # What the customer last wrote, so the agent knows what they are accepting.
    preview: str | None = None
    # Since when the customer waits (the conversation's queued_at when it was offered).
    waiting_since: datetime | None = None


class OfferClosed(_Event):
    type: Literal["offer_closed"] = "offer_closed"
    offer_id: OfferId
    agent_id: AgentId
    conversation_id: ConversationId
    customer_id: CustomerId
    outcome: OfferOutcome
    reason: str


class Assigned(_Event):
    type: Literal["assigned"] = "assigned"
    conversation_id: ConversationId
    customer_id: CustomerId
    channel: ChannelName  # whose capacity it takes
    agent_id: AgentId
    agent_name: str
    via: Literal["offer", "reassign"]


class Unassigned(_Event):
    type: Literal["unassigned"] = "unassigned"
    conversation_id: ConversationId
    customer_id: CustomerId
    agent_id: AgentId
    reason: Literal["transfer", "reassign"]


class Transferred(_Event):
    type: Literal["transferred"] = "transferred"
    conversation_id: ConversationId
    customer_id: CustomerId
    from_agent_id: AgentId | None
    to_agent_id: AgentId | None
    to_queue: str | None
    by_agent_id: AgentId
    # A supervisor's pin to `to_agent_id` holds until then; None: until that agent accepts.
    pinned_until: datetime | None = None


class Unpinned(_Event):
    """A conversation pinned to an agent by a supervisor goes back to its queue: the agent
    let its offer time out or rejected it, or did not take it before the pin ran out."""

    type: Literal["unpinned"] = "unpinned"
    conversation_id: ConversationId
    customer_id: CustomerId
    agent_id: AgentId
    reason: str


class StatusChanged(_Event):
    type: Literal["status"] = "status"
    conversation_id: ConversationId
    customer_id: CustomerId
    status: ConversationStatus
    agent_id: AgentId | None
    # Set when the status is `snoozed`: when it wakes by itself.
    snoozed_until: datetime | None = None


class DeliveryUpdated(_Event):
    """An outbound message moved on its way: outbox states, then the provider's receipts."""

    type: Literal["delivery"] = "delivery"
    conversation_id: ConversationId
    customer_id: CustomerId
    message_id: MessageId
    channel: ChannelName
    status: DeliveryStatus
    attempts: int | None = None
    error_code: str | None = None
    error: str | None = None
    external_id: str | None = None


class ConsentChanged(_Event):
    """The customer opted out of (STOP) or back into (START) an address."""

    type: Literal["consent"] = "consent"
    customer_id: CustomerId
    conversation_id: ConversationId | None
    kind: str
    address: str
    opted_out: bool
    keyword: str


class CallUpdated(_Event):
    """A step of a phone call: ringing, queued, answered, completed, no-answer, recording..."""

    type: Literal["call"] = "call"
    conversation_id: ConversationId
    customer_id: CustomerId
    call_sid: str
    status: str
    agent_id: AgentId | None = None
    agent_name: str | None = None
    duration_seconds: int | None = None
    recording_url: str | None = None
    detail: str | None = None


class CustomersMerged(_Event):
    """`merged_id` was merged into `customer_id` (the survivor): its identities and
    conversations moved; on both customers' timelines. `merge_id` undoes it."""

    type: Literal["customers_merged"] = "customers_merged"
    merge_id: str
    customer_id: CustomerId
    merged_id: CustomerId
    by_agent_id: AgentId | None
    identities: int
    conversations: int


class CustomersUnmerged(_Event):
    """The merge `merge_id` was undone: everything that moved is back with `merged_id`."""

    type: Literal["customers_unmerged"] = "customers_unmerged"
    merge_id: str
    customer_id: CustomerId
    merged_id: CustomerId
    by_agent_id: AgentId | None


class PresenceChanged(_Event):
    type: Literal["presence"] = "presence"
    agent_id: AgentId
    status: Presence
    # Why, when the hub changed it rather than the agent (offers left unanswered).
    reason: str | None = None


class AgentUpdated(_Event):
    """An admin changed an agent (skills, capacity, role, disabled, ...): whoever keeps a
    picture of the agent reads it again."""

    type: Literal["agent_updated"] = "agent_updated"
    agent_id: AgentId


class QueuesChanged(_Event):
    """An admin created, edited or deleted a queue: every process reloads its
    QueueDirectory (hub/flow/queues.py), the router before its next pass."""

    type: Literal["queues_changed"] = "queues_changed"
    name: str
    change: Literal["created", "updated", "deleted"]


# Events about no conversation and no customer: they go on no timeline.
NOT_A_CONVERSATION = (PresenceChanged, AgentUpdated, QueuesChanged)
# A mention is the mentioned agent's alert: the note it came with is on the timeline already.
NO_TIMELINE = (*NOT_A_CONVERSATION, Mentioned)
# A merge is about two customers, and no one conversation.
NO_CONVERSATION = (*NOT_A_CONVERSATION, CustomersMerged, CustomersUnmerged)

Event = Annotated[
    ConversationOpened
    | MessageCreated
    | NoteAdded
    | Mentioned
    | ConversationUpdated
    | OfferMade
    | OfferClosed
    | Assigned
    | Unassigned
    | Transferred
    | Unpinned
    | StatusChanged
    | DeliveryUpdated
    | ConsentChanged
    | CallUpdated
    | CustomersMerged
    | CustomersUnmerged
    | PresenceChanged
    | AgentUpdated
    | QueuesChanged,
    Field(discriminator="type"),
]
EVENT_ADAPTER: TypeAdapter[Event] = TypeAdapter(Event)
# The shape events are written in. Version 1 embedded whole conversations in `offer` and
# `assigned`; version 2 references them by id. Bump it (and add an upgrade below) whenever a
# field is renamed, retyped or made required; adding an optional field needs no bump.
EVENT_SCHEMA = 2


def read_event(payload: dict[str, Any], version: int) -> Event:
    """An event-log row as today's event, whatever version wrote it: upgraded step by step,
    then read tolerantly (fields it no longer has are ignored, ones added since take their
    defaults), so an old row always loads and a console never loops on a bad resume."""
    for step in range(version, EVENT_SCHEMA):
        payload = _UPGRADES[step](payload)
    return EVENT_ADAPTER.validate_python(payload, extra="ignore")


def _v1_to_v2(payload: dict[str, Any]) -> dict[str, Any]:
    conversation = payload.get("conversation")
    if payload.get("type") not in ("offer", "assigned") or not isinstance(conversation, dict):
        return payload
    upgraded = {key: value for key, value in payload.items() if key != "conversation"}
    upgraded |= {
        "conversation_id": conversation.get("id"),
        "customer_id": conversation.get("customer_id"),
        "channel": conversation.get("channel"),
    }
    if payload["type"] == "assigned":
        upgraded.setdefault("agent_name", conversation.get("assignee_name") or "")
    return upgraded


_UPGRADES = {1: _v1_to_v2}


class Envelope(BaseModel):
    """An event as the event log numbered it. `audience` is the agent whose console stream it
    belongs to (None: supervisors only). It is fixed when the event is written, so replaying
    the log gives each agent exactly what they were sent live."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    id: EventId
    at: datetime
    audience: AgentId | None
    event: Event


class Ephemeral(BaseModel):
    """Signals that are relayed but never stored or replayed: typing and queue positions."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    type: Literal["typing", "queue"]
    conversation_id: ConversationId
    customer_id: CustomerId
    author: Author | None = None
    agent_name: str | None = None
    typing: bool | None = None
    position: int | None = None
    audience: AgentId | None = None


def customer_of(event: Event) -> CustomerId | None:
    """The customer whose timeline the event belongs on, if any."""
    if isinstance(event, ConversationOpened):
        return event.conversation.customer_id
    if isinstance(event, NO_TIMELINE):
        return None
    return event.customer_id


def timeline_customers(event: Event) -> tuple[CustomerId, ...]:
    """Every customer whose timeline the event goes on: a merge's on both customers'."""
    if isinstance(event, CustomersMerged | CustomersUnmerged):
        return (event.customer_id, event.merged_id)
    customer = customer_of(event)
    return (customer,) if customer is not None else ()


def conversation_of(event: Event) -> ConversationId | None:
    if isinstance(event, ConversationOpened):
        return event.conversation.id
    if isinstance(event, NO_CONVERSATION):
        return None
    return event.conversation_id


# What moves a conversation's `last_activity_at` (the listing's order): a message either way,
# a note, a status change, an edit, its opening. Offers and deliveries do not.
ACTIVITY = (ConversationOpened, MessageCreated, NoteAdded, StatusChanged, ConversationUpdated)


def is_activity(event: Event) -> bool:
    return isinstance(event, ACTIVITY)
