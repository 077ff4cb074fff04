"""The facets of a write transaction (hub/ports/transaction.py), one small class per
aggregate, each plain synchronous Core over the batch's connection."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

import sqlalchemy as sa

from hub.events import Event, OfferOutcome
from hub.ids import AgentId, ConversationId, CustomerId, MessageId, OfferId
from hub.models import (
    HELD_STATUSES,
    Call,
    ChannelName,
    Conversation,
    DeliveryStatus,
    Identity,
    InboundMessage,
    Ingested,
    Message,
    Offer,
)
from hub.outbox.items import Claimed, OutboxItem, OutboxRef, OutboxState
from hub.ports import Placement
from storage import calls, outbox
from storage.ingest import write_plan
from storage.leases import lease_epoch
from storage.mapping import (
    CONVERSATION_SELECT,
    MESSAGE_SELECT,
    agent_t,
    conversation_t,
    conversation_values,
    message_t,
    message_values,
    offer_t,
    to_conversation,
    to_message,
    to_offer,
)
from storage.queries import identity_t


class SqlConversationWrites:
    def __init__(self, conn: sa.Connection) -> None:
        self._conn = conn

    def get(self, conversation_id: ConversationId) -> Conversation | None:
        query = CONVERSATION_SELECT.where(conversation_t.c.id == conversation_id)
        row = self._conn.execute(query).first()
        return to_conversation(row) if row else None

    def open_for(self, customer_id: CustomerId, channel: ChannelName) -> Conversation | None:
        query = (
            CONVERSATION_SELECT.where(
                conversation_t.c.customer_id == customer_id,
                conversation_t.c.channel == channel,
                conversation_t.c.status != "resolved",
            )
            .order_by(conversation_t.c.created_at.desc())
            .limit(1)
        )
        row = self._conn.execute(query).first()
        return to_conversation(row) if row else None

    def held_by(self, agent_id: AgentId) -> list[Conversation]:
        query = CONVERSATION_SELECT.where(
            conversation_t.c.assignee_id == agent_id,
            conversation_t.c.status.in_(HELD_STATUSES),
        ).order_by(conversation_t.c.created_at)
        return [to_conversation(row) for row in self._conn.execute(query)]

    def save(self, conversation: Conversation) -> None:
        self._conn.execute(
            sa.update(conversation_t)
            .where(conversation_t.c.id == conversation.id)
            .values(conversation_values(conversation))
        )


class SqlMessageWrites:
    def __init__(self, conn: sa.Connection) -> None:
        self._conn = conn

    def get(self, message_id: MessageId) -> Message | None:
        return self._one(MESSAGE_SELECT.where(message_t.c.id == message_id))

    def by_key(self, key: str) -> Message | None:
        return self._one(MESSAGE_SELECT.where(message_t.c.dedupe_key == key))

    def by_external_id(self, channel: ChannelName, external_id: str) -> Message | None:
        query = MESSAGE_SELECT.where(
            message_t.c.channel == channel, message_t.c.external_id == external_id
        )
        return self._one(query.limit(1))

    def latest_customer_text(self, conversation_id: ConversationId) -> str | None:
        query = (
            sa.select(message_t.c.body_text)
            .where(message_t.c.conversation_id == conversation_id, message_t.c.author == "customer")
            .order_by(message_t.c.created_at.desc(), message_t.c.id.desc())
            .limit(1)
        )
        text: str | None = self._conn.scalar(query)
        return text

    def add(self, message: Message, customer_id: CustomerId, key: str) -> None:
        self._conn.execute(sa.insert(message_t), message_values(message, customer_id, key))

    def set_delivery(
        self,
        message_id: MessageId,
        status: DeliveryStatus,
        error: str | None = None,
        external_id: str | None = None,
    ) -> None:
        outbox.set_delivery(self._conn, message_t, message_id, status, error, external_id)

    def _one(self, query: sa.Select[tuple[object, ...]]) -> Message | None:
        row = self._conn.execute(query).first()
        return to_message(row) if row else None


class SqlOfferWrites:
    def __init__(self, conn: sa.Connection) -> None:
        self._conn = conn

    def get(self, offer_id: OfferId) -> Offer | None:
        row = self._conn.execute(sa.select(offer_t).where(offer_t.c.id == offer_id)).first()
        return to_offer(row) if row else None

    def pending_for(self, conversation_id: ConversationId) -> Offer | None:
        query = sa.select(offer_t).where(
            offer_t.c.conversation_id == conversation_id, offer_t.c.state == "pending"
        )
        row = self._conn.execute(query).first()
        return to_offer(row) if row else None

    def add(self, offer: Offer) -> None:
        self._conn.execute(sa.insert(offer_t), offer.model_dump())

    def close(self, offer_id: OfferId, outcome: OfferOutcome, reason: str, at: datetime) -> bool:
        result = self._conn.execute(
            sa.update(offer_t)
            .where(offer_t.c.id == offer_id, offer_t.c.state == "pending")
            .values(state=outcome, reason=reason, decided_at=at)
        )
        return bool(result.rowcount)

    def missed_in_a_row(self, agent_id: AgentId, limit: int) -> int:
        since = sa.select(agent_t.c.status_changed_at).where(agent_t.c.id == agent_id)
        query = (
            sa.select(offer_t.c.state)
            .where(
                offer_t.c.agent_id == agent_id,
                offer_t.c.state.in_(("accepted", "rejected", "timeout")),
                offer_t.c.decided_at >= since.scalar_subquery(),
            )
            .order_by(offer_t.c.decided_at.desc())
            .limit(limit)
        )
        latest = list(self._conn.scalars(query))
        answered = next((i for i, state in enumerate(latest) if state != "timeout"), len(latest))
        return answered


class SqlOutboxWrites:
    def __init__(self, conn: sa.Connection) -> None:
        self._conn = conn

    def add(self, item: OutboxItem) -> bool:
        return outbox.add_outbox(self._conn, item)

    def claim(
        self, kinds: Sequence[str], now: datetime, limit: int, lease_until: datetime
    ) -> Claimed:
        return outbox.claim_outbox(self._conn, kinds, now, limit, lease_until)

    def interrupted(self, now: datetime) -> list[OutboxRef]:
        return outbox.interrupted_outbox(self._conn, now)

    def settle(
        self,
        item_id: str,
        state: OutboxState,
        next_attempt_at: datetime | None = None,
        last_error: str | None = None,
    ) -> None:
        outbox.settle_outbox(self._conn, item_id, state, next_attempt_at, last_error)


class SqlInboundWrites:
    def __init__(
        self, conn: sa.Connection, emit: Callable[[Event, AgentId | None, datetime | None], None]
    ) -> None:
        self._conn = conn
        self._emit = emit

    def receive(self, message: InboundMessage, place: Placement) -> Ingested:
        plan = write_plan(self._conn, [message], place)
        for event, audience, at in plan.emitted:
            self._emit(event, audience, at)
        return plan.results[0]


class SqlCallWrites:
    def __init__(self, conn: sa.Connection) -> None:
        self._conn = conn

    def get(self, sid: str) -> Call | None:
        return calls.load_call(self._conn, sid)

    def save(self, call: Call) -> None:
        calls.save_call(self._conn, call)


class SqlIdentityWrites:
    def __init__(self, conn: sa.Connection) -> None:
        self._conn = conn

    def get(self, kind: str, address: str) -> tuple[CustomerId, Identity] | None:
        row = self._conn.execute(sa.select(identity_t).where(*_verified(kind, address))).first()
        if row is None:
            return None
        identity = Identity(kind=row.kind, address=row.address, opted_out_at=row.opted_out_at)
        return CustomerId(row.customer_id), identity

    def set_opt_out(self, kind: str, address: str, at: datetime | None) -> None:
        self._conn.execute(
            sa.update(identity_t).where(*_verified(kind, address)).values(opted_out_at=at)
        )


def _verified(kind: str, address: str) -> tuple[sa.ColumnElement[bool], ...]:
    """The one identity holding this address (claims typed in the widget hold nothing)."""
    return (
        identity_t.c.kind == kind,
        identity_t.c.address == address,
        identity_t.c.verified.is_(True),
    )


class SqlLeaseReads:
    def __init__(self, conn: sa.Connection) -> None:
        self._conn = conn

    def epoch(self, name: str) -> int | None:
        return lease_epoch(self._conn, name)
