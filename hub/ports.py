"""What the hub needs from storage, as narrow Protocols. storage/ implements them over
SQLAlchemy (SQLite embedded, PostgreSQL by URL); the same contract tests run on both."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from hub.events import Envelope, Event, OfferOutcome
from hub.ids import AgentId, ConversationId, CustomerId, EventId, MessageId, OfferId
from hub.models import (
    Agent,
    Call,
    Channel,
    Conversation,
    Customer,
    DeliveryStatus,
    EmailReplyContext,
    EmailThread,
    Identity,
    InboundMessage,
    Ingested,
    Message,
    Offer,
    Presence,
    QueueStats,
    Role,
    TimelineEntry,
    Visitor,
)
from hub.outbox.items import OutboxItem, OutboxState


class Transaction(Protocol):
    """What an action sees of one write transaction. Actions are plain synchronous functions:
    a batch of them runs in one transaction, on the database's writer, in one hop (see
    UnitOfWork). Every state change `emit`s its event; the event-log rows and timeline
    entries are written before the commit. Writes are serialized, so a read here sees the
    state the action will change."""

    def conversation(self, conversation_id: ConversationId) -> Conversation | None: ...
    def agent(self, agent_id: AgentId) -> Agent | None: ...
    def offer(self, offer_id: OfferId) -> Offer | None: ...
    def pending_offer_for(self, conversation_id: ConversationId) -> Offer | None: ...
    def message_by_dedupe_key(self, key: str) -> Message | None: ...
    def latest_customer_text(self, conversation_id: ConversationId) -> str | None: ...
    def add_message(self, message: Message, customer_id: CustomerId, key: str) -> None: ...
    def add_offer(self, offer: Offer) -> None: ...
    def close_offer(
        self, offer_id: OfferId, outcome: OfferOutcome, reason: str, at: datetime
    ) -> bool:
        """Decide a pending offer; False when it was already decided."""
        ...

    def save_conversation(self, conversation: Conversation) -> None: ...
    def set_presence(self, agent_id: AgentId, status: Presence) -> None: ...
    def emit(self, event: Event, audience: AgentId | None = None) -> None: ...

    # Outbound messages and their receipts.
    def message(self, message_id: MessageId) -> Message | None: ...
    def message_by_external_id(self, channel: Channel, external_id: str) -> Message | None: ...
    def set_delivery(
        self,
        message_id: MessageId,
        status: DeliveryStatus,
        error: str | None = None,
        external_id: str | None = None,
    ) -> None: ...
    def add_outbox(self, item: OutboxItem) -> bool:
        """Queue a send; False when its idempotency key is already queued."""
        ...

    def claim_outbox(
        self, kinds: Sequence[str], now: datetime, limit: int, lease_until: datetime
    ) -> list[OutboxItem]:
        """Due pending items of these kinds, marked sending (attempts counted) until
        `lease_until`; oldest due first."""
        ...

    def interrupted_outbox(self, now: datetime) -> list[OutboxItem]:
        """Items whose sender's lease ran out mid-send (a crash): outcome unknown."""
        ...

    def settle_outbox(
        self,
        item_id: str,
        state: OutboxState,
        next_attempt_at: datetime | None = None,
        last_error: str | None = None,
    ) -> None: ...

    def open_conversation(self, customer_id: CustomerId, channel: Channel) -> Conversation | None:
        """The customer's unresolved conversation on `channel`, the newest if several."""
        ...

    # Customers and consent.
    def identity(self, kind: str, address: str) -> tuple[CustomerId, Identity] | None: ...
    def set_opt_out(self, kind: str, address: str, at: datetime | None) -> None: ...

    # Calls.
    def call(self, sid: str) -> Call | None: ...
    def save_call(self, call: Call) -> None: ...


Action = Callable[[Transaction], Any]


@dataclass(frozen=True)
class Failed:
    """An action of a batch that raised: it was rolled back alone, the others committed."""

    error: Exception


class UnitOfWork(Protocol):
    async def run_batch(
        self, actions: Sequence[Action]
    ) -> tuple[list[Any | Failed], list[Envelope]]:
        """Run the actions in order in one write transaction, each inside its own savepoint,
        and commit. Returns each action's result (or `Failed`) and the envelopes to publish
        after the commit."""
        ...


class InboundWriter(Protocol):
    async def ingest(
        self, batch: Sequence[InboundMessage]
    ) -> tuple[list[Ingested], list[Envelope]]:
        """Persist a batch of customer messages in one transaction: dedupe by key, open a
        conversation where the customer has none unresolved, write messages, timeline entries
        and events. Results come in input order, with the envelopes to publish after commit."""
        ...


class ConversationReader(Protocol):
    async def conversation(self, conversation_id: ConversationId) -> Conversation | None: ...
    async def messages(self, conversation_id: ConversationId) -> list[Message]: ...
    async def customer(self, customer_id: CustomerId) -> Customer | None: ...
    async def timeline(self, customer_id: CustomerId) -> list[TimelineEntry]: ...
    async def unresolved(self) -> list[Conversation]: ...
    async def assigned_to(self, agent_id: AgentId) -> list[Conversation]: ...
    async def pending_offers(self, agent_id: AgentId | None = None) -> list[Offer]: ...
    async def queue_stats(
        self, queues: Sequence[tuple[str, int]], since: datetime
    ) -> list[QueueStats]:
        """Waiting count, longest wait and service level for each (queue, target seconds)."""
        ...


class Visitors(Protocol):
    async def visitor(self, token: str | None, name: str | None, email: str | None) -> Visitor:
        """The web chat visitor for `token`, or a new customer with a fresh token."""
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
    async def credentials(self, email: str) -> tuple[Agent, str] | None: ...
    async def agent(self, agent_id: AgentId) -> Agent | None: ...
    async def agents(self) -> list[Agent]: ...


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
        """Events newer than `event_id`; with an audience, only that agent's stream."""
        ...

    async def last_id(self) -> EventId: ...


class Leases(Protocol):
    async def acquire(self, name: str, holder: str, ttl_seconds: float) -> bool:
        """Take or renew the lease; False while another holder's lease is unexpired."""
        ...

    async def release(self, name: str, holder: str) -> None: ...


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
