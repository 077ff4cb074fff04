"""Read-side queries: conversations, messages, timelines, offers and queue statistics."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from hub.ids import AgentId, ConversationId, CustomerId
from hub.models import (
    HELD_STATUSES,
    WEB_VISITOR,
    Conversation,
    Customer,
    Identity,
    Message,
    Offer,
    QueueStats,
    TimelineEntry,
)
from storage.database import Database
from storage.eventlog import timeline_t
from storage.mapping import (
    CONVERSATION_SELECT,
    MESSAGE_SELECT,
    conversation_t,
    customer_t,
    message_t,
    offer_t,
    to_conversation,
    to_message,
    to_offer,
)
from storage.tables import CustomerIdentityRow

identity_t = CustomerIdentityRow.__table__  # type: ignore[attr-defined]


class SqlConversationReader:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def conversation(self, conversation_id: ConversationId) -> Conversation | None:
        found = await self._conversations(conversation_t.c.id == conversation_id)
        return found[0] if found else None

    async def unresolved(self) -> list[Conversation]:
        return await self._conversations(conversation_t.c.status != "resolved")

    async def assigned_to(self, agent_id: AgentId) -> list[Conversation]:
        # A snoozed conversation is still its assignee's (it wakes open to them).
        return await self._conversations(
            conversation_t.c.assignee_id == agent_id,
            conversation_t.c.status.in_(HELD_STATUSES),
        )

    async def _conversations(self, *where: sa.ColumnElement[bool]) -> list[Conversation]:
        query = CONVERSATION_SELECT.where(*where).order_by(conversation_t.c.created_at)
        async with self._db.read() as conn:
            return [to_conversation(row) for row in (await conn.execute(query)).all()]

    async def messages(self, conversation_id: ConversationId) -> list[Message]:
        query = MESSAGE_SELECT.where(message_t.c.conversation_id == conversation_id).order_by(
            message_t.c.created_at, message_t.c.id
        )
        async with self._db.read() as conn:
            return [to_message(row) for row in (await conn.execute(query)).all()]

    async def customer(self, customer_id: CustomerId) -> Customer | None:
        async with self._db.read() as conn:
            row = (
                await conn.execute(sa.select(customer_t).where(customer_t.c.id == customer_id))
            ).first()
            if row is None:
                return None
            identities = (
                await conn.execute(
                    sa.select(
                        identity_t.c.kind,
                        identity_t.c.address,
                        identity_t.c.verified,
                        identity_t.c.opted_out_at,
                    )
                    .where(identity_t.c.customer_id == customer_id)
                    .order_by(identity_t.c.id)
                )
            ).all()
        return Customer(
            id=CustomerId(row.id),
            display_name=row.display_name,
            email=row.email,
            identities=tuple(to_identity(i) for i in identities),
            created_at=row.created_at,
        )

    async def timeline(self, customer_id: CustomerId) -> list[TimelineEntry]:
        query = (
            sa.select(timeline_t)
            .where(timeline_t.c.customer_id == customer_id)
            .order_by(timeline_t.c.id)
        )
        async with self._db.read() as conn:
            rows = (await conn.execute(query)).all()
        return [
            TimelineEntry(
                id=row.id,
                kind=row.kind,
                conversation_id=row.conversation_id,
                at=row.at,
                payload=row.payload,
            )
            for row in rows
        ]

    async def pending_offers(self, agent_id: AgentId | None = None) -> list[Offer]:
        query = sa.select(offer_t).where(offer_t.c.state == "pending")
        if agent_id is not None:
            query = query.where(offer_t.c.agent_id == agent_id)
        async with self._db.read() as conn:
            rows = (await conn.execute(query.order_by(offer_t.c.created_at))).all()
        return [to_offer(row) for row in rows]

    async def queue_stats(
        self, queues: Sequence[tuple[str, int]], since: datetime
    ) -> list[QueueStats]:
        now = datetime.now(UTC)
        async with self._db.read() as conn:
            waiting = {
                row.queue: (row.n, row.oldest)
                for row in await conn.execute(
                    sa.select(
                        conversation_t.c.queue,
                        sa.func.count().label("n"),
                        sa.func.min(conversation_t.c.queued_at).label("oldest"),
                    )
                    .where(conversation_t.c.status == "pending")
                    .group_by(conversation_t.c.queue)
                )
            }
            # Today's conversations that count for the service level: those answered
            # (first assigned), and those still waiting for their first assignment.
            today = (
                await conn.execute(
                    sa.select(
                        conversation_t.c.queue,
                        conversation_t.c.created_at,
                        conversation_t.c.first_assigned_at,
                    ).where(
                        conversation_t.c.created_at >= since,
                        sa.or_(
                            conversation_t.c.first_assigned_at.is_not(None),
                            conversation_t.c.status == "pending",
                        ),
                    )
                )
            ).all()
        return [
            _stats(name, target, waiting.get(name), [r for r in today if r.queue == name], now)
            for name, target in queues
        ]


def _stats(
    name: str,
    target: int,
    waiting: tuple[int, datetime] | None,
    today: Sequence[sa.Row[tuple[str, datetime, datetime | None]]],
    now: datetime,
) -> QueueStats:
    count, oldest = waiting if waiting else (0, None)
    if oldest is not None and oldest.tzinfo is None:
        oldest = oldest.replace(tzinfo=UTC)  # aggregates bypass the column's type on SQLite
    answered = [row.first_assigned_at - row.created_at for row in today if row.first_assigned_at]
    # Not answered yet, and already later than the target: missed, whenever it is answered.
    late = sum(
        1
        for row in today
        if row.first_assigned_at is None and (now - row.created_at).total_seconds() > target
    )
    return QueueStats(
        name=name,
        waiting=count,
        longest_wait_seconds=(now - oldest).total_seconds() if oldest else 0.0,
        service_level_seconds=target,
        answered=len(answered),
        answered_within_target=sum(1 for took in answered if took.total_seconds() <= target),
        waiting_past_target=late,
    )


def to_identity(row: sa.Row[Any]) -> Identity:
    # A web chat identity's address is a credential's hash: no reader gets it.
    address = WEB_VISITOR if row.kind == "webchat" else row.address
    return Identity(
        kind=row.kind, address=address, verified=row.verified, opted_out_at=row.opted_out_at
    )
