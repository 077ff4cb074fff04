"""The unit of work: one serialized write transaction whose emitted events are written to the
event log and timeline just before it commits."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from hub.events import Envelope, Event, OfferOutcome
from hub.ids import AgentId, ConversationId, CustomerId, OfferId
from hub.models import Agent, Conversation, Message, Offer, Presence
from storage.database import Database
from storage.eventlog import Emitted, write_events
from storage.records import (
    CONVERSATION_SELECT,
    MESSAGE_SELECT,
    agent_t,
    conversation_t,
    conversation_values,
    message_t,
    message_values,
    offer_t,
    to_agent,
    to_conversation,
    to_message,
    to_offer,
)
from storage.tables import UTCDateTime


class SqlTransaction:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn
        self._emitted: list[Emitted] = []
        self._envelopes: list[Envelope] = []

    async def conversation(self, conversation_id: ConversationId) -> Conversation | None:
        query = CONVERSATION_SELECT.where(conversation_t.c.id == conversation_id)
        row = (await self._conn.execute(query)).first()
        return to_conversation(row) if row else None

    async def agent(self, agent_id: AgentId) -> Agent | None:
        row = (await self._conn.execute(sa.select(agent_t).where(agent_t.c.id == agent_id))).first()
        return to_agent(row) if row else None

    async def offer(self, offer_id: OfferId) -> Offer | None:
        row = (await self._conn.execute(sa.select(offer_t).where(offer_t.c.id == offer_id))).first()
        return to_offer(row) if row else None

    async def pending_offer_for(self, conversation_id: ConversationId) -> Offer | None:
        query = sa.select(offer_t).where(
            offer_t.c.conversation_id == conversation_id, offer_t.c.state == "pending"
        )
        row = (await self._conn.execute(query)).first()
        return to_offer(row) if row else None

    async def message_by_dedupe_key(self, key: str) -> Message | None:
        query = MESSAGE_SELECT.where(message_t.c.dedupe_key == key)
        row = (await self._conn.execute(query)).first()
        return to_message(row) if row else None

    async def add_message(self, message: Message, customer_id: CustomerId, key: str) -> None:
        await self._conn.execute(sa.insert(message_t), message_values(message, customer_id, key))

    async def add_offer(self, offer: Offer) -> None:
        await self._conn.execute(sa.insert(offer_t), offer.model_dump())

    async def close_offer(
        self, offer_id: OfferId, outcome: OfferOutcome, reason: str, at: datetime
    ) -> bool:
        result = await self._conn.execute(
            sa.update(offer_t)
            .where(offer_t.c.id == offer_id, offer_t.c.state == "pending")
            .values(state=outcome, reason=reason, decided_at=at)
        )
        return bool(result.rowcount)

    async def save_conversation(self, conversation: Conversation) -> None:
        values = conversation_values(conversation)
        if conversation.assignee_id is not None:
            # first_assigned_at feeds the service level; only the first assignment counts.
            now = sa.bindparam("now", datetime.now(UTC), type_=UTCDateTime)
            values["first_assigned_at"] = sa.func.coalesce(conversation_t.c.first_assigned_at, now)
        await self._conn.execute(
            sa.update(conversation_t).where(conversation_t.c.id == conversation.id).values(values)
        )

    async def set_presence(self, agent_id: AgentId, status: Presence) -> None:
        await self._conn.execute(
            sa.update(agent_t)
            .where(agent_t.c.id == agent_id)
            .values(status=status, status_changed_at=datetime.now(UTC))
        )

    def emit(self, event: Event, audience: AgentId | None = None) -> None:
        self._emitted.append((event, audience))

    @property
    def envelopes(self) -> Sequence[Envelope]:
        return self._envelopes

    async def flush_events(self) -> None:
        self._envelopes = await self._conn.run_sync(write_events, self._emitted)


class SqlUnitOfWork:
    def __init__(self, db: Database) -> None:
        self._db = db

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[SqlTransaction]:
        async with self._db.write() as conn:
            tx = SqlTransaction(conn)
            yield tx
            await tx.flush_events()
