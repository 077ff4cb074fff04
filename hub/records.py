"""The records of search, customer profiles, canned responses and saved views: what their
storage ports return and the REST API shows."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import Field

from hub.ids import AgentId, ConversationId, CustomerId
from hub.models import ChannelName, ConversationStatus, Customer, Record


class Segment(Record):
    """A piece of a snippet: matched words have `match` true. Plain text, never HTML: a
    client renders each segment as text (bold for matches), so nothing in a message can
    inject markup."""

    text: str
    match: bool = False


class ConversationHit(Record):
    conversation_id: ConversationId
    customer_id: CustomerId
    customer_name: str
    channel: ChannelName
    queue: str
    status: ConversationStatus
    subject: str | None = None
    created_at: datetime
    snippet: tuple[Segment, ...]  # from the best matching message


class CustomerHit(Record):
    customer_id: CustomerId
    display_name: str
    created_at: datetime
    # Where it matched: "name" or "identity", with the matched text.
    matched: Literal["name", "identity"]
    snippet: tuple[Segment, ...]


class CustomerConversation(Record):
    id: ConversationId
    channel: ChannelName
    status: ConversationStatus
    subject: str | None = None
    created_at: datetime


class CustomerProfile(Record):
    """A customer with their identities on every channel, attributes, labels and every
    conversation (newest first). `merged_into`: this customer was merged into that one."""

    customer: Customer
    attributes: dict[str, Any] = Field(default_factory=dict)
    labels: tuple[str, ...] = ()
    merged_into: CustomerId | None = None
    merged_at: datetime | None = None
    conversations: tuple[CustomerConversation, ...] = ()


class CustomerFields(Record):
    """What an agent edits on a customer, as a write transaction reads it."""

    id: CustomerId
    display_name: str
    attributes: dict[str, Any] = Field(default_factory=dict)
    labels: tuple[str, ...] = ()
    merged_into: CustomerId | None = None


class CustomerPage(Record):
    customers: tuple[CustomerProfile, ...]
    next_cursor: str | None = None


class CustomerMerge(Record):
    """One merge: what moved from `merged_id` to `survivor_id`, and whether it was undone."""

    id: str
    survivor_id: CustomerId
    merged_id: CustomerId
    identities: int
    conversations: int
    by_agent_id: AgentId | None = None
    at: datetime
    undone_at: datetime | None = None


class CannedResponse(Record):
    id: str
    short_code: str
    title: str | None = None
    text: str
    created_at: datetime
    updated_at: datetime


ViewFilterKey = Literal["status", "queue", "channel", "assignee", "label", "priority", "q"]


class SavedView(Record):
    id: str
    name: str
    owner_id: AgentId
    shared: bool = False
    filters: dict[ViewFilterKey, Any] = Field(default_factory=dict)
    created_at: datetime
    updated_at: datetime
