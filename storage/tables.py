"""SQLModel tables. They never leave storage/: repositories turn rows into hub.models records."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field, SQLModel


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes on every backend (SQLite keeps no zone, so it is put back on load)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC) if value is not None else None

    def process_result_value(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


def _utc(**kw: Any) -> Any:
    return Field(sa_type=UTCDateTime, **kw)


def _json(**kw: Any) -> Any:
    return Field(sa_type=sa.JSON, **kw)


class CustomerRow(SQLModel, table=True):
    __tablename__ = "customer"
    __table_args__ = (sa.Index("ix_customer_created", "created_at", "id"),)
    id: str = Field(primary_key=True, max_length=32)
    display_name: str
    email: str | None = None
    created_at: datetime = _utc()
    # Custom attributes (a JSON object) and label names, edited by agents.
    attributes: dict[str, Any] = _json(
        default_factory=dict, sa_column_kwargs={"server_default": "{}"}
    )
    labels: list[str] = _json(default_factory=list, sa_column_kwargs={"server_default": "[]"})
    # Set when this customer was merged into another (kept, not deleted, so a merge undoes).
    merged_into: str | None = Field(default=None, max_length=32)
    merged_at: datetime | None = _utc(default=None)


class CustomerMergeRow(SQLModel, table=True):
    """One merge of `merged_id` into `survivor_id`, holding exactly what moved (identity,
    conversation and timeline ids, both customers' attributes and labels before), so an
    unmerge puts everything back."""

    __tablename__ = "customer_merge"
    id: str = Field(primary_key=True, max_length=32)
    survivor_id: str = Field(foreign_key="customer.id", index=True)
    merged_id: str = Field(foreign_key="customer.id", index=True)
    moved: dict[str, Any] = _json()
    by_agent_id: str | None = None
    at: datetime = _utc()
    undone_at: datetime | None = _utc(default=None)


class SearchDocumentRow(SQLModel, table=True):
    """What full-text search indexes, one row per message, customer name and identity, kept
    in step by triggers on those tables (migration 0012). `body` is shown in snippets,
    `terms` only matched (a phone number's trailing digits). The engine's index over it is
    the database's own: an FTS5 table `search_fts` on SQLite, the generated tsvector column
    `search_vector` with a GIN index on PostgreSQL; neither is declared here."""

    __tablename__ = "search_document"
    __table_args__ = (sa.Index("ux_search_document_ref", "kind", "ref", unique=True),)
    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=16)  # message, customer, identity
    ref: str
    customer_id: str = Field(index=True)
    conversation_id: str | None = Field(default=None, index=True)
    body: str
    terms: str = Field(default="", sa_column_kwargs={"server_default": ""})


class CannedResponseRow(SQLModel, table=True):
    __tablename__ = "canned_response"
    id: str = Field(primary_key=True, max_length=32)
    short_code: str = Field(unique=True, max_length=64)
    title: str | None = None
    text: str
    created_at: datetime = _utc()
    updated_at: datetime = _utc()


class SavedViewRow(SQLModel, table=True):
    """A named filter set of the conversation list: an agent's own, or shared with all."""

    __tablename__ = "saved_view"
    id: str = Field(primary_key=True, max_length=32)
    name: str
    owner_id: str = Field(foreign_key="agent.id", index=True)
    shared: bool = False
    filters: dict[str, Any] = _json()
    created_at: datetime = _utc()
    updated_at: datetime = _utc()


class CustomerIdentityRow(SQLModel, table=True):
    __tablename__ = "customer_identity"
    __table_args__ = (
        # A verified address (mail came from it, a number texted or called) is one customer's.
        # Unverified claims (an email typed into the chat widget) are not unique: anyone may
        # type any address, and it must never keep the real owner from their identity.
        sa.Index(
            "ux_identity_verified",
            "kind",
            "address",
            unique=True,
            sqlite_where=sa.text("verified"),
            postgresql_where=sa.text("verified"),
        ),
        sa.Index("ux_identity_customer", "customer_id", "kind", "address", unique=True),
    )
    id: int | None = Field(default=None, primary_key=True)
    customer_id: str = Field(foreign_key="customer.id", index=True)
    kind: str = Field(max_length=16)
    address: str
    verified: bool = Field(default=True, sa_column_kwargs={"server_default": sa.true()})
    opted_out_at: datetime | None = _utc(default=None)


class ConversationRow(SQLModel, table=True):
    __tablename__ = "conversation"
    __table_args__ = (
        sa.Index("ix_conversation_customer_status", "customer_id", "status"),
        # The listing's order and its keyset cursor: newest activity first, id breaks ties.
        sa.Index("ix_conversation_activity", "last_activity_at", "id"),
    )
    id: str = Field(primary_key=True, max_length=32)
    customer_id: str = Field(foreign_key="customer.id")
    channel: str = Field(max_length=16)
    queue: str
    status: str = Field(max_length=16, index=True)
    priority: int = 0
    assignee_id: str | None = Field(default=None, foreign_key="agent.id", index=True)
    target_agent_id: str | None = Field(default=None, foreign_key="agent.id")
    pinned_until: datetime | None = _utc(default=None)
    subject: str | None = None
    contact: str | None = None
    via: str | None = None
    linked_to: str | None = None
    created_at: datetime = _utc()
    queued_at: datetime = _utc()
    first_assigned_at: datetime | None = _utc(default=None)
    first_response_at: datetime | None = _utc(default=None)
    resolved_at: datetime | None = _utc(default=None)
    snoozed_until: datetime | None = _utc(default=None)
    # Kept by storage (eventlog.write_events) from the events that count as activity
    # (hub.events.is_activity); it only ever moves forward, which the listing's cursor needs.
    last_activity_at: datetime = _utc()


class LabelRow(SQLModel, table=True):
    __tablename__ = "labels"
    name: str = Field(primary_key=True, max_length=64)
    color: str = Field(max_length=32)
    description: str = ""


class ConversationLabelRow(SQLModel, table=True):
    __tablename__ = "conversation_labels"
    conversation_id: str = Field(primary_key=True, foreign_key="conversation.id")
    label: str = Field(
        primary_key=True,
        max_length=64,
        foreign_key="labels.name",
        ondelete="CASCADE",
        index=True,
    )


class MessageRow(SQLModel, table=True):
    __tablename__ = "message"
    __table_args__ = (sa.Index("ix_message_channel_external_id", "channel", "external_id"),)
    id: str = Field(primary_key=True, max_length=32)
    conversation_id: str = Field(foreign_key="conversation.id", index=True)
    customer_id: str = Field(foreign_key="customer.id")
    direction: str = Field(max_length=8)
    author: str = Field(max_length=16)
    agent_id: str | None = Field(default=None, foreign_key="agent.id")
    channel: str = Field(max_length=16)
    body_text: str
    body_html: str | None = None
    client_id: str | None = None
    # Provider or client id that makes retries idempotent (MessageSid, Message-ID+UID, ...).
    dedupe_key: str = Field(unique=True)
    delivery_status: str | None = None
    delivery_error: str | None = None
    # The provider's id (MessageSid, Message-ID): receipts and replies find the message by it.
    external_id: str | None = None
    attachments: list[dict[str, Any]] = _json(default_factory=list)
    meta: dict[str, Any] = _json(default_factory=dict)
    created_at: datetime = _utc()


class TimelineEntryRow(SQLModel, table=True):
    __tablename__ = "timeline_entry"
    id: int | None = Field(default=None, primary_key=True)
    customer_id: str = Field(foreign_key="customer.id", index=True)
    conversation_id: str | None = Field(default=None, index=True)
    kind: str = Field(max_length=32)
    payload: dict[str, Any] = _json()
    at: datetime = _utc()


class AgentRow(SQLModel, table=True):
    __tablename__ = "agent"
    id: str = Field(primary_key=True, max_length=32)
    name: str
    email: str = Field(unique=True)
    password_hash: str
    role: str = Field(max_length=16)
    skills: list[str] = _json()
    capacity: dict[str, int] = _json()
    # Where a call is connected: an E.164 number, or "client:<identity>" for Twilio Client.
    voice_target: str | None = None
    status: str = Field(default="offline", max_length=16)
    status_changed_at: datetime = _utc()
    created_at: datetime = _utc()
    # In every session token; bumped by logout and a password change, which so revokes the
    # tokens issued before.
    token_version: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    # A disabled agent cannot log in and is offered nothing; the row stays for its history.
    disabled: bool = Field(default=False, sa_column_kwargs={"server_default": sa.false()})


class LoginLockoutRow(SQLModel, table=True):
    """Wrong passwords per email (known or not, so a lockout tells nothing of which exist)."""

    __tablename__ = "login_lockout"
    email: str = Field(primary_key=True)
    failures: int
    lockouts: int
    locked_until: datetime | None = _utc(default=None)
    updated_at: datetime = _utc(index=True)


class AuthAuditRow(SQLModel, table=True):
    """The audit trail: security entries (lockouts, password changes, logouts) and every
    admin change (agents, queues), with who made it and the record before and after."""

    __tablename__ = "auth_audit"
    id: int | None = Field(default=None, primary_key=True)
    at: datetime = _utc(index=True)
    kind: str = Field(max_length=32)
    agent_id: str | None = None
    email: str | None = None
    address: str | None = None
    detail: str = ""
    actor_id: str | None = Field(default=None, index=True)
    before: dict[str, Any] | None = _json(default=None)
    after: dict[str, Any] | None = _json(default=None)


class QueueRow(SQLModel, table=True):
    """The queues: seeded from config.toml's [[queues]] when empty, then edited by admins."""

    __tablename__ = "queue"
    name: str = Field(primary_key=True, max_length=64)
    # The order queues are listed in: a channel without a queue of its own enters the first
    # one that lists it.
    position: int
    channels: list[str] = _json()
    skills: list[str] = _json()
    priority: int = 0
    service_level_seconds: int
    policy: str = Field(max_length=32)


class OfferRow(SQLModel, table=True):
    __tablename__ = "offer"
    # The database's own guard: at most one pending offer per conversation.
    __table_args__ = (
        sa.Index(
            "ux_offer_pending_conversation",
            "conversation_id",
            unique=True,
            sqlite_where=sa.text("state = 'pending'"),
            postgresql_where=sa.text("state = 'pending'"),
        ),
    )
    id: str = Field(primary_key=True, max_length=32)
    conversation_id: str = Field(foreign_key="conversation.id", index=True)
    agent_id: str = Field(foreign_key="agent.id", index=True)
    state: str = Field(max_length=16, index=True)
    reason: str | None = None
    created_at: datetime = _utc()
    expires_at: datetime = _utc()
    decided_at: datetime | None = _utc(default=None)


class EventLogRow(SQLModel, table=True):
    __tablename__ = "event_log"
    __table_args__ = (sa.Index("ix_event_log_audience_id", "audience", "id"),)
    id: int | None = Field(default=None, primary_key=True)
    topic: str = Field(max_length=32)
    conversation_id: str | None = None
    audience: str | None = None
    payload: dict[str, Any] = _json()
    # The shape the payload was written in (hub.events.EVENT_SCHEMA); read_event upgrades.
    schema_version: int = Field(default=1, sa_column_kwargs={"server_default": "1"})
    at: datetime = _utc()


class EventLogRetentionRow(SQLModel, table=True):
    """One row: the highest event id pruned so far. A console resuming from below it may have
    missed pruned events, so it is told to reload."""

    __tablename__ = "event_log_retention"
    id: int = Field(default=1, primary_key=True)
    pruned_through: int = Field(default=0, sa_type=sa.BigInteger)


class LeaseRow(SQLModel, table=True):
    __tablename__ = "lease"
    name: str = Field(primary_key=True)
    holder: str
    expires_at: datetime = _utc()
    # Grows by one each time a new holder takes the lease: the fencing token its writes carry.
    epoch: int = Field(default=1, sa_column_kwargs={"server_default": "1"})


class InstallationRow(SQLModel, table=True):
    """One row, made by the first migration run: the identity of this database. Hub processes
    sharing the database share its bus channel; other installations on one Redis never mix."""

    __tablename__ = "installation"
    id: str = Field(primary_key=True, max_length=32)


class AgentConnectionRow(SQLModel, table=True):
    """How many console sockets each hub process holds per agent, refreshed by a heartbeat, so
    an agent leaving one process's consoles is not set offline while another holds theirs."""

    __tablename__ = "agent_connection"
    holder: str = Field(primary_key=True)
    agent_id: str = Field(primary_key=True, foreign_key="agent.id")
    sockets: int
    seen_at: datetime = _utc()


class OutboxRow(SQLModel, table=True):
    """An outbound send, committed with the change that asks for it (a reply, a call redirect)
    and carried out by the outbox relay. `idempotency_key` makes a repeated request one send."""

    __tablename__ = "outbox"
    __table_args__ = (sa.Index("ix_outbox_state_due", "state", "next_attempt_at"),)
    id: str = Field(primary_key=True, max_length=32)
    idempotency_key: str = Field(unique=True)
    kind: str = Field(max_length=32)
    message_id: str | None = Field(default=None, foreign_key="message.id")
    conversation_id: str | None = None
    customer_id: str | None = None
    payload: dict[str, Any] = _json()
    state: str = Field(max_length=16)
    attempts: int = 0
    next_attempt_at: datetime = _utc()
    claimed_until: datetime | None = _utc(default=None)
    last_error: str | None = None
    created_at: datetime = _utc()
    updated_at: datetime = _utc()


class CallRow(SQLModel, table=True):
    """A phone call and where it stands; its steps are also timeline entries."""

    __tablename__ = "call"
    sid: str = Field(primary_key=True)
    conversation_id: str = Field(foreign_key="conversation.id", index=True)
    customer_id: str = Field(foreign_key="customer.id")
    from_number: str
    to_number: str
    state: str = Field(max_length=16)
    agent_id: str | None = Field(default=None, foreign_key="agent.id")
    answered_at: datetime | None = _utc(default=None)
    ended_at: datetime | None = _utc(default=None)
    duration_seconds: int | None = None
    created_at: datetime = _utc()
    updated_at: datetime = _utc()


class EmailCursorRow(SQLModel, table=True):
    """How far each IMAP mailbox has been imported: UIDs mean something only under the
    UIDVALIDITY they were read with (32-bit unsigned, hence BigInteger)."""

    __tablename__ = "email_cursor"
    mailbox: str = Field(primary_key=True)
    uidvalidity: int = Field(sa_type=sa.BigInteger)
    last_uid: int = Field(sa_type=sa.BigInteger)
    updated_at: datetime = _utc()


class EmailParticipantRow(SQLModel, table=True):
    """Addresses CC'd into an email conversation: their replies thread by token and tag, and
    replies to the customer copy them."""

    __tablename__ = "email_participant"
    __table_args__ = (sa.UniqueConstraint("conversation_id", "address"),)
    id: int | None = Field(default=None, primary_key=True)
    conversation_id: str = Field(foreign_key="conversation.id")
    address: str
    created_at: datetime = _utc()
