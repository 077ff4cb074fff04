"""The conversation listing (hub/ports/listing.py): a keyset page over
(last_activity_at, id) descending, the index `ix_conversation_activity` serves it, plus the
page's labels and latest messages in one read each, and counts per status."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from hub.ids import ConversationId
from hub.models import CONVERSATION_STATUSES, Label, LastMessage, ListedConversation
from hub.ports.listing import ConversationFilter, PageKey, Scope
from hub.services.offers import preview_of
from storage.database import Database
from storage.mapping import CONVERSATION_SELECT, conversation_t, message_t, to_conversation
from storage.search import matching, matching_customers
from storage.tables import ConversationLabelRow, LabelRow

label_t = LabelRow.__table__  # type: ignore[attr-defined]
conversation_label_t = ConversationLabelRow.__table__  # type: ignore[attr-defined]
_c = conversation_t.c


def conditions(
    where: ConversationFilter, scope: Scope, sqlite: bool
) -> list[sa.ColumnElement[bool]]:
    """The one place a filter becomes SQL, for the page and the counts alike."""
    found: list[sa.ColumnElement[bool]] = []
    if where.text is not None:  # the search index's matches (storage/search.py), no LIKE
        found.append(
            sa.or_(
                _c.id.in_(matching(sqlite, where.text)),
                _c.customer_id.in_(matching_customers(sqlite, where.text)),
            )
        )
    if not scope.everything:
        found.append(sa.or_(_c.queue.in_(scope.queues), _c.assignee_id == scope.agent_id))
    if where.statuses:
        found.append(_c.status.in_(where.statuses))
    equal = {
        _c.queue: where.queue,
        _c.channel: where.channel,
        _c.assignee_id: where.assignee,
        _c.priority: where.priority,
        _c.customer_id: where.customer,
    }
    found += [column == value for column, value in equal.items() if value is not None]
    if where.updated_since is not None:
        found.append(_c.last_activity_at >= where.updated_since)
    if where.unassigned:
        found.append(_c.assignee_id.is_(None))
    if where.label is not None:
        labelled = sa.select(conversation_label_t.c.conversation_id).where(
            conversation_label_t.c.label == where.label
        )
        found.append(_c.id.in_(labelled))
    return found


def _after(key: PageKey) -> sa.ColumnElement[bool]:
    # Spelled out rather than a row-value comparison, which SQLite before 3.15 lacks.
    at = _c.last_activity_at
    return sa.or_(at < key.last_activity_at, sa.and_(at == key.last_activity_at, _c.id < key.id))


class SqlConversationListing:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def page(
        self, where: ConversationFilter, scope: Scope, limit: int, after: PageKey | None
    ) -> list[ListedConversation]:
        clauses = conditions(where, scope, self._db.is_sqlite)
        if after is not None:
            clauses.append(_after(after))
        query = (
            CONVERSATION_SELECT.where(*clauses)
            .order_by(_c.last_activity_at.desc(), _c.id.desc())
            .limit(limit)
        )
        async with self._db.read() as conn:
            rows = (await conn.execute(query)).all()
            ids = [row.id for row in rows]
            labels = await _labels(conn, ids)
            latest = await _latest_messages(conn, ids)
        return [
            ListedConversation(
                **to_conversation(row).model_dump(),
                labels=labels.get(row.id, ()),
                last_message=latest.get(row.id),
                last_activity_at=row.last_activity_at,
            )
            for row in rows
        ]

    async def counts(self, where: ConversationFilter, scope: Scope) -> dict[str, int]:
        any_status = ConversationFilter(**{**where.__dict__, "statuses": ()})
        query = (
            sa.select(_c.status, sa.func.count().label("n"))
            .where(*conditions(any_status, scope, self._db.is_sqlite))
            .group_by(_c.status)
        )
        async with self._db.read() as conn:
            found = {row.status: row.n for row in await conn.execute(query)}
        return {status: found.get(status, 0) for status in CONVERSATION_STATUSES}

    async def labels(self) -> list[Label]:
        async with self._db.read() as conn:
            rows = (await conn.execute(sa.select(label_t).order_by(label_t.c.name))).all()
        return [Label(name=r.name, color=r.color, description=r.description) for r in rows]

    async def labels_of(self, conversation_id: ConversationId) -> tuple[str, ...]:
        async with self._db.read() as conn:
            return (await _labels(conn, [conversation_id])).get(conversation_id, ())

    async def snoozed_due(self, now: datetime) -> list[ConversationId]:
        query = sa.select(_c.id).where(_c.status == "snoozed", _c.snoozed_until <= now)
        async with self._db.read() as conn:
            return [ConversationId(i) for i in (await conn.scalars(query)).all()]


async def _labels(conn: Any, ids: Sequence[str]) -> dict[str, tuple[str, ...]]:
    if not ids:
        return {}
    query = (
        sa.select(conversation_label_t)
        .where(conversation_label_t.c.conversation_id.in_(ids))
        .order_by(conversation_label_t.c.label)
    )
    found: dict[str, list[str]] = {}
    for row in await conn.execute(query):
        found.setdefault(row.conversation_id, []).append(row.label)
    return {key: tuple(names) for key, names in found.items()}


async def _latest_messages(conn: Any, ids: Sequence[str]) -> dict[str, LastMessage]:
    """Each conversation's newest message, in one read (a window over the page's ids)."""
    if not ids:
        return {}
    rank = (
        sa.func.row_number()
        .over(
            partition_by=message_t.c.conversation_id,
            order_by=(message_t.c.created_at.desc(), message_t.c.id.desc()),
        )
        .label("rank")
    )
    ranked = (
        sa.select(
            message_t.c.conversation_id,
            message_t.c.body_text,
            message_t.c.direction,
            message_t.c.created_at,
            rank,
        )
        .where(message_t.c.conversation_id.in_(ids))
        .subquery()
    )
    query = sa.select(ranked).where(ranked.c.rank == 1)
    return {
        row.conversation_id: LastMessage(
            text=preview_of(row.body_text) or "", direction=row.direction, at=row.created_at
        )
        for row in await conn.execute(query)
    }
