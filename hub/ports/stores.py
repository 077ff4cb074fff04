"""The async ports: what hub reads from storage outside a write transaction, and the other
stores it keeps (visitors, agents, customers, calls, email threading state, the event log,
leases, console connections), bundled as `Store`. storage/ implements them over SQLAlchemy
(SQLite embedded, PostgreSQL by URL); the same contract tests run on both."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from hub.events import Envelope
from hub.ids import AgentId, ConversationId, CustomerId, EventId
from hub.models import (
    Agent,
    AuditEntry,
    AuditKind,
    Call,
    Conversation,
    Customer,
    EmailReplyContext,
    EmailThread,
    LoginFailures,
    Message,
    Offer,
    QueueStats,
    Role,
    TimelineEntry,
    Visitor,
)
from hub.ports.admin import QueueStore
from hub.ports.inbound import InboundWriter
from hub.ports.listing import ConversationListing
from hub.ports.profiles import CustomerProfiles
from hub.ports.search import Search
from hub.ports.transaction import UnitOfWork
from hub.ports.workspace import CannedResponses, SavedViews


class ConversationReader(Protocol):
    async def conversation(self, conversation_id: ConversationId) -> Conversation | None: ...
    async def messages(self, conversation_id: ConversationId) -> list[Message]: ...
    async def customer(self, customer_id: CustomerId) -> Customer | None: ...
    async def timeline(self, customer_id: CustomerId) -> list[TimelineEntry]: ...
    async def unresolved(self) -> list[Conversation]: ...
    async def assigned_to(self, agent_id: AgentId) -> list[Conversation]:
        """The agent's conversations: open ones, and snoozed ones they keep."""
        ...

    async def pending_offers(self, agent_id: AgentId | None = None) -> list[Offer]: ...
    async def queue_stats(
        self, queues: Sequence[tuple[str, int]], since: datetime
    ) -> list[QueueStats]:
        """Waiting count, longest wait and service level for each (queue, target seconds)."""
        ...


class Visitors(Protocol):
    """Web chat visitors by their token, the customer's only credential: storage keeps and
    looks up only its hash. A visitor is a customer only from their first message on, so a
    `hello` stores nothing."""

    async def find(self, token: str) -> Visitor | None:
        """The customer holding `token`, with their latest web chat conversation; None if
        nobody does (yet)."""
        ...

    async def register(self, token: str, name: str | None, email: str | None) -> CustomerId:
        """The customer holding `token`, created now if nobody does: one customer per token,
        also when two sockets race. A typed `email` is an unverified claim."""
        ...

    async def update(self, customer_id: CustomerId, name: str | None, email: str | None) -> None:
        """What a returning visitor's `hello` says: a new display name, an email claim."""
        ...


class AgentDirectory(Protocol):
    async def add_agent(
        self,
        name: str,
        email: str,
        password_hash: str,
        role: Role,
        skills: Sequence[str],
        capacity: dict[str, int],
        voice_target: str | None = None,
    ) -> Agent: ...
    async def credentials(self, email: str) -> tuple[Agent, str, int] | None:
        """The agent with this email, its password hash and its token version."""
        ...

    async def agent(self, agent_id: AgentId) -> Agent | None: ...
    async def agents(self) -> list[Agent]: ...
    async def session(self, agent_id: AgentId) -> tuple[Agent, int] | None:
        """The agent and its token version, as a session check needs them."""
        ...

    async def revoke_sessions(self, agent_id: AgentId) -> int:
        """Bump the agent's token version (every token issued before is refused); the new one."""
        ...

    async def set_password(self, agent_id: AgentId, password_hash: str) -> int:
        """Replace the hash and bump the token version; the new version."""
        ...

    async def login_failures(self, email: str) -> LoginFailures | None: ...
    async def login_failed(
        self,
        email: str,
        now: datetime,
        rule: Callable[[LoginFailures | None, datetime], LoginFailures],
    ) -> LoginFailures:
        """Record a wrong password for `email` as `rule` says (it is handed what was stored,
        in the same write transaction, so concurrent failures all count); the new state."""
        ...

    async def clear_login_failures(self, email: str) -> None: ...
    async def record_audit(
        self,
        kind: AuditKind,
        at: datetime,
        *,
        agent_id: AgentId | None = None,
        email: str | None = None,
        address: str | None = None,
        detail: str = "",
    ) -> None: ...
    async def audit(
        self, limit: int = 100, *, kind: AuditKind | None = None, agent_id: AgentId | None = None
    ) -> list[AuditEntry]:
        """The newest entries of the audit trail, newest first; only those of `kind`, and
        only those about `agent_id` or made by them, when given."""
        ...


class Customers(Protocol):
    async def identify(self, kind: str, address: str, display_name: str) -> CustomerId:
        """The customer holding this identity (phone in E.164, lowercased email), created
        with `display_name` when nobody does. The same address is always the same customer,
        on every channel."""
        ...

    async def identify_many(self, kind: str, names: Mapping[str, str]) -> dict[str, CustomerId]:
        """`identify` for many addresses at once (address -> display name), in one read and
        at most one write; the answer is keyed by address as stored (emails lowercased)."""
        ...

    async def add_identity(self, customer_id: CustomerId, kind: str, address: str) -> CustomerId:
        """Give the customer another verified identity (their phone beside their email), so
        every channel finds them. An address another customer holds stays theirs: the answer
        is whoever holds it now."""
        ...


class Calls(Protocol):
    async def call(self, sid: str) -> Call | None: ...
    async def of_conversation(self, conversation_id: ConversationId) -> list[Call]: ...


class MailboxCursors(Protocol):
    """Where each email mailbox's import stands: its UIDVALIDITY and the last UID imported."""

    async def cursor(self, mailbox: str) -> tuple[int, int] | None: ...
    async def save_cursor(self, mailbox: str, uidvalidity: int, last_uid: int) -> None: ...


class EmailStore(MailboxCursors, Protocol):
    """Email threading state: Message-IDs are `message.external_id` on channel "email"."""

    async def threads(
        self, message_ids: Collection[str], conversation_ids: Collection[str]
    ) -> tuple[dict[str, EmailThread], dict[str, EmailThread]]:
        """The conversations holding these Message-IDs (by Message-ID), and these
        conversations (by id), each with its participants; unknown ones are left out."""
        ...

    async def known_message_ids(self, message_ids: Collection[str]) -> set[str]: ...

    async def add_participants(self, entries: Collection[tuple[ConversationId, str]]) -> None:
        """Record CC'd addresses on conversations; ones already recorded are kept once."""
        ...

    async def reply_context(self, conversation_id: ConversationId) -> EmailReplyContext: ...


class EventLog(Protocol):
    async def after(
        self, event_id: int, audience: AgentId | None = None, limit: int = 1000
    ) -> list[Envelope]:
        """Events newer than `event_id`; with an audience, only that agent's stream. Rows
        of any schema version load (hub.events.read_event)."""
        ...

    async def last_id(self) -> EventId: ...

    async def prune(self, before: datetime, limit: int) -> int:
        """Delete up to `limit` of the oldest rows written before `before`, in one write
        transaction, and raise the pruned-through mark with them; returns how many."""
        ...

    async def pruned_through(self) -> EventId:
        """The highest id ever pruned (0 if none): a resume from below it may have lost
        events and must reload instead."""
        ...


class Leases(Protocol):
    async def acquire(self, name: str, holder: str, ttl_seconds: float) -> int | None:
        """Take or renew the lease: its epoch while held, None while another holder's lease
        is unexpired. The epoch grows each time a new holder takes the lease (a renewal
        keeps it), so a write fenced with an older one (`LeaseReads`) can be refused."""
        ...

    async def release(self, name: str, holder: str) -> None:
        """Give the lease up now; whoever takes it next gets a higher epoch."""
        ...


class Connections(Protocol):
    """Console sockets per hub process, so presence holds across processes."""

    async def report(self, holder: str, sockets: dict[AgentId, int]) -> None:
        """Replace this process's counts (and refresh their heartbeat)."""
        ...

    async def connected_elsewhere(
        self, holder: str, agent_id: AgentId, fresh_seconds: float
    ) -> bool:
        """Whether another process, heard from within `fresh_seconds`, holds a socket."""
        ...


@dataclass(frozen=True)
class Store:
    """Storage as the hub sees it: one object per port, built by storage.open_store().
    `installation_id` identifies the database, so every process on it agrees on one bus
    channel and other installations sharing a Redis never see its events."""

    installation_id: str
    work: UnitOfWork
    inbound: InboundWriter
    reader: ConversationReader
    visitors: Visitors
    customers: Customers
    calls: Calls
    email: EmailStore
    agents: AgentDirectory
    events: EventLog
    leases: Leases
    connections: Connections
    search: Search
    profiles: CustomerProfiles
    canned: CannedResponses
    views: SavedViews
    listing: ConversationListing
    queues: QueueStore
