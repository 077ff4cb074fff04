"""The inbound hot path: one transaction per batch of customer messages and a handful of
set-based statements whatever the batch size (measured: per-row ORM commits cap out below
1,000 msg/s; batched Core inserts reach tens of thousands of rows/s). Where each message
lands is hub's rule (`Placement`); this module reads what it needs and writes what it says."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa

from hub.events import Envelope
from hub.ids import ConversationId, CustomerId
from hub.models import ChannelName, Conversation, InboundMessage, Ingested
from hub.ports import InboundLookup, InboundPlan, Placement
from storage.database import Database
from storage.eventlog import write_events
from storage.mapping import (
    CONVERSATION_SELECT,
    MESSAGE_SELECT,
    conversation_t,
    conversation_values,
    customer_t,
    message_t,
    message_values,
    to_conversation,
    to_message,
)


class SqlInboundWriter:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def ingest(
        self, batch: Sequence[InboundMessage], place: Placement
    ) -> tuple[list[Ingested], list[Envelope]]:
        return await self._db.write_batch(lambda conn: _ingest(conn, batch, place))


def _ingest(
    conn: sa.Connection, batch: Sequence[InboundMessage], place: Placement
) -> tuple[list[Ingested], list[Envelope]]:
    plan = write_plan(conn, batch, place)
    return plan.results, write_events(conn, plan.emitted)


def write_plan(
    conn: sa.Connection, batch: Sequence[InboundMessage], place: Placement
) -> InboundPlan:
    """Read the batch's lookup, let `place` decide, write the conversations and messages it
    says; the plan's events are the caller's to write (its own batch, or a transaction's)."""
    plan = place(batch, lookup(conn, batch), datetime.now(UTC))
    if plan.opened:
        rows = [conversation_values(c) | {"last_activity_at": c.created_at} for c in plan.opened]
        conn.execute(sa.insert(conversation_t), rows)
    for conversation in plan.reopened:
        conn.execute(
            sa.update(conversation_t)
            .where(conversation_t.c.id == conversation.id)
            .values(conversation_values(conversation))
        )
    if plan.messages:
        rows = [message_values(m, customer, key) for m, customer, key in plan.messages]
        conn.execute(sa.insert(message_t), rows)
    return plan


def lookup(conn: sa.Connection, batch: Sequence[InboundMessage]) -> InboundLookup:
    """Everything the placement rule may ask about this batch, in at most four reads."""
    named = {i.conversation_id for i in batch if i.conversation_id and not i.new_conversation}
    unresolved = _unresolved(conn, {i.customer_id for i in batch if not i.new_conversation})
    # Names are only needed where a conversation may be opened: in the steady state (every
    # customer already has one) this read is skipped.
    may_open = {
        i.customer_id
        for i in batch
        if i.new_conversation or (i.customer_id, i.channel) not in unresolved
    }
    return InboundLookup(
        known=_known(conn, {item.dedupe_key for item in batch}),
        named=_conversations(conn, named),
        unresolved=unresolved,
        customer_names=_names(conn, may_open),
    )


def _known(conn: sa.Connection, keys: set[str]) -> dict[str, Ingested]:
    rows = conn.execute(MESSAGE_SELECT.where(message_t.c.dedupe_key.in_(keys))).all()
    if not rows:
        return {}
    by_id = _conversations(conn, {ConversationId(row.conversation_id) for row in rows})
    return {
        row.dedupe_key: Ingested(
            message=to_message(row), conversation=by_id[row.conversation_id], duplicate=True
        )
        for row in rows
    }


def _conversations(
    conn: sa.Connection, ids: set[ConversationId]
) -> dict[ConversationId, Conversation]:
    if not ids:
        return {}
    rows = conn.execute(CONVERSATION_SELECT.where(conversation_t.c.id.in_(ids))).all()
    return {c.id: c for c in map(to_conversation, rows)}


def _unresolved(
    conn: sa.Connection, customers: set[CustomerId]
) -> dict[tuple[CustomerId, ChannelName], Conversation]:
    if not customers:
        return {}
    query = CONVERSATION_SELECT.where(
        conversation_t.c.customer_id.in_(customers), conversation_t.c.status != "resolved"
    ).order_by(conversation_t.c.created_at)
    # Oldest first, so the newest of several on one channel is the one kept.
    return {(c.customer_id, c.channel): c for c in map(to_conversation, conn.execute(query))}


def _names(conn: sa.Connection, customers: set[CustomerId]) -> dict[CustomerId, str]:
    if not customers:
        return {}
    query = sa.select(customer_t.c.id, customer_t.c.display_name).where(
        customer_t.c.id.in_(customers)
    )
    return {CustomerId(row.id): row.display_name for row in conn.execute(query)}
