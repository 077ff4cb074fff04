"""One write transaction as an action sees it: small facets, one per aggregate, each a
Protocol. Actions are plain synchronous functions over a `Transaction`; a batch of them runs in
one serialized write transaction on the database's writer, in one hop (see UnitOfWork), so a
read through a facet sees the state the action will change."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from hub.events import Envelope, Event, OfferOutcome
from hub.ids import AgentId, ConversationId, CustomerId, MessageId, OfferId
from hub.models import (
    Agent,
    Call,
    ChannelName,
    Conversation,
    DeliveryStatus,
    Identity,
    InboundMessage,
    Ingested,
    Label,
    Message,
    Offer,
    Presence,
)
from hub.outbox.items import Claimed, OutboxItem, OutboxRef, OutboxState
from hub.ports.admin import AuditWrites, QueueWrites
from hub.ports.inbound import Placement
from hub.records import CustomerFields, CustomerMerge


class ConversationWrites(Protocol):
    def get(self, conversation_id: ConversationId) -> Conversation | None: ...

    def open_for(self, customer_id: CustomerId, channel: ChannelName) -> Conversation | None:
        """The customer's unresolved conversation on `channel`, the newest if several."""
        ...

    def held_by(self, agent_id: AgentId) -> list[Conversation]:
        """The open conversations assigned to the agent."""
        ...

    def save(self, conversation: Conversation) -> None:
        """Write every field as given: the rules (first assignment, reopening) are the
        caller's, decided in hub before the save."""
        ...


class MessageWrites(Protocol):
    def get(self, message_id: MessageId) -> Message | None: ...

    def by_key(self, key: str) -> Message | None:
        """The message stored under this dedupe key (a client's retry finds its first copy)."""
        ...

    def by_external_id(self, channel: ChannelName, external_id: str) -> Message | None:
        """The message a provider knows by this id (MessageSid, Message-ID)."""
        ...

    def latest_customer_text(self, conversation_id: ConversationId) -> str | None: ...

    def add(self, message: Message, customer_id: CustomerId, key: str) -> None: ...

    def set_delivery(
        self,
        message_id: MessageId,
        status: DeliveryStatus,
        error: str | None = None,
        external_id: str | None = None,
    ) -> None: ...


class OfferWrites(Protocol):
    def get(self, offer_id: OfferId) -> Offer | None: ...

    def pending_for(self, conversation_id: ConversationId) -> Offer | None: ...

    def add(self, offer: Offer) -> None:
        """The database refuses a second pending offer of one conversation (a unique index),
        whatever a router believes during a lease handover."""
        ...

    def close(self, offer_id: OfferId, outcome: OfferOutcome, reason: str, at: datetime) -> bool:
        """Decide a pending offer by a conditional update; False when it was decided already,
        so an accept racing a timeout has one winner."""
        ...

    def missed_in_a_row(self, agent_id: AgentId, limit: int) -> int:
        """How many of the agent's latest offers timed out with no answer (accepted or
        rejected) after them, since their presence last changed; cancelled offers are
        neither. Counted up to `limit`."""
        ...


class OutboxWrites(Protocol):
    def add(self, item: OutboxItem) -> bool:
        """Queue a send; False when its idempotency key is already queued."""
        ...

    def claim(
        self, kinds: Sequence[str], now: datetime, limit: int, lease_until: datetime
    ) -> Claimed:
        """Due pending items of these kinds, oldest due first, marked sending (attempts
        counted) until `lease_until`. A row whose payload does not read as its kind's model
        is not handed out: it stays pending and comes back in `refused`, with the reason."""
        ...

    def interrupted(self, now: datetime) -> list[OutboxRef]:
        """Items whose sender's lease ran out mid-send (a crash): their outcome is unknown."""
        ...

    def settle(
        self,
        item_id: str,
        state: OutboxState,
        next_attempt_at: datetime | None = None,
        last_error: str | None = None,
    ) -> None: ...


class InboundWrites(Protocol):
    def receive(self, message: InboundMessage, place: Placement) -> Ingested:
        """Place one customer message inside this transaction, as the inbound stream would
        (hub's `place` decides; a known dedupe key returns the original, `duplicate`), for a
        step that must commit with its message: a call's conversation and its call row."""
        ...


class CallWrites(Protocol):
    def get(self, sid: str) -> Call | None: ...

    def save(self, call: Call) -> None:
        """Insert the call, or update the one with this CallSid."""
        ...


class IdentityWrites(Protocol):
    def get(self, kind: str, address: str) -> tuple[CustomerId, Identity] | None:
        """Who holds this address (phone in E.164, lowercased email), with its consent."""
        ...

    def set_opt_out(self, kind: str, address: str, at: datetime | None) -> None: ...


class CustomerWrites(Protocol):
    """Customer profiles inside a write transaction: edits, merges and their undoing."""

    def fields(self, customer_id: CustomerId) -> CustomerFields | None: ...

    def update(self, customer_id: CustomerId, changes: Mapping[str, Any]) -> None:
        """Set `display_name`, `attributes`, `labels` (those given)."""
        ...

    def merge(
        self,
        survivor: CustomerFields,
        merged: CustomerFields,
        result: CustomerFields,
        by: AgentId | None,
        at: datetime,
    ) -> CustomerMerge:
        """Move every identity and conversation of `merged` (with their messages, calls,
        outbox rows and timeline entries) to `survivor`, give the survivor `result`'s
        attributes and labels, mark `merged` merged into it, and record exactly what moved
        and both customers' fields before. A verified identity the survivor holds as an
        unverified claim replaces the claim (recorded too)."""
        ...

    def merge_of(self, merge_id: str) -> CustomerMerge | None: ...

    def latest_merge(self, survivor_id: CustomerId) -> CustomerMerge | None:
        """The survivor's newest merge not undone."""
        ...

    def unmerge(self, merge_id: str, at: datetime) -> None:
        """Put back exactly what the merge moved and both customers' fields as they were."""
        ...


class AgentWrites(Protocol):
    def get(self, agent_id: AgentId) -> Agent | None: ...

    def set_presence(self, agent_id: AgentId, status: Presence) -> None: ...

    def by_email(self, email: str) -> Agent | None:
        """The agent with this email (lowercased), disabled or not."""
        ...

    def add(self, agent: Agent, password_hash: str) -> None:
        """A new agent; Conflict naming the email if another agent has it."""
        ...

    def update(self, agent: Agent) -> None:
        """Store the agent's name, email, role, skills, capacity, voice target and disabled
        flag (presence has its own call); Conflict naming the email if it is taken."""
        ...

    def set_password(self, agent_id: AgentId, password_hash: str) -> None:
        """Replace the hash and bump the token version: every session ends."""
        ...

    def revoke_sessions(self, agent_id: AgentId) -> None:
        """Bump the token version: every token issued before is refused."""
        ...

    def enabled_admins(self) -> list[AgentId]:
        """The admins who are not disabled."""
        ...

    def holds(self, agent_id: AgentId, excluding: ConversationId) -> dict[str, int]:
        """How many conversations other than `excluding` the agent holds per channel: open
        ones assigned to them and pending offers made to them, each counted once (the
        router's loads, as the database has them)."""
        ...


class LabelWrites(Protocol):
    """Labels, and which conversations carry them."""

    def get(self, name: str) -> Label | None: ...

    def add(self, label: Label) -> None: ...

    def update(self, label: Label) -> None: ...

    def delete(self, name: str) -> list[ConversationId]:
        """Delete the label and take it off every conversation; those conversations."""
        ...

    def existing(self, names: Sequence[str]) -> set[str]:
        """Which of these names are labels."""
        ...

    def of(self, conversation_id: ConversationId) -> tuple[str, ...]:
        """The conversation's labels, by name."""
        ...

    def set_for(self, conversation_id: ConversationId, names: Sequence[str]) -> None:
        """Replace the conversation's labels with `names` (all existing labels)."""
        ...


class LeaseReads(Protocol):
    def epoch(self, name: str) -> int | None:
        """The lease's current epoch (None if never taken), read inside this transaction,
        which is serialized with every acquisition: a write fenced with an older epoch
        comes from a holder who was deposed and must be refused."""
        ...


class Transaction(Protocol):
    """The facets of one write transaction, and `emit`: every state change emits its event,
    which is written to the event log (and the customer's timeline) just before the commit
    and published after it."""

    @property
    def conversations(self) -> ConversationWrites: ...
    @property
    def messages(self) -> MessageWrites: ...
    @property
    def offers(self) -> OfferWrites: ...
    @property
    def outbox(self) -> OutboxWrites: ...
    @property
    def inbound(self) -> InboundWrites: ...
    @property
    def calls(self) -> CallWrites: ...
    @property
    def identities(self) -> IdentityWrites: ...
    @property
    def agents(self) -> AgentWrites: ...
    @property
    def customers(self) -> CustomerWrites: ...
    @property
    def leases(self) -> LeaseReads: ...
    @property
    def labels(self) -> LabelWrites: ...
    @property
    def audit(self) -> AuditWrites: ...
    @property
    def queues(self) -> QueueWrites: ...

    def emit(
        self, event: Event, audience: AgentId | None = None, at: datetime | None = None
    ) -> None:
        """`audience`: the agent whose console stream the event belongs to (None: the
        supervisors' and the router's only), fixed now so a replay matches what went live.
        `at`: when it happened, by the acting service's clock (None: when it is written)."""
        ...


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
