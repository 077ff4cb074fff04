"""The event log: numbered events, each also a timeline entry when it concerns a customer.
Both are written with one executemany apiece, inside the caller's transaction."""

from __future__ import annotations

import itertools
import logging
from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from pydantic import ValidationError

from hub.events import (
    EVENT_SCHEMA,
    Envelope,
    conversation_of,
    is_activity,
    read_event,
    timeline_customers,
)
from hub.ids import AgentId, ConversationId, EventId
from hub.ports import Emitted
from storage.database import Database
from storage.tables import ConversationRow, EventLogRetentionRow, EventLogRow, TimelineEntryRow

log = logging.getLogger(__name__)
event_log_t = EventLogRow.__table__  # type: ignore[attr-defined]
timeline_t = TimelineEntryRow.__table__  # type: ignore[attr-defined]
retention_t = EventLogRetentionRow.__table__  # type: ignore[attr-defined]
_conversation_t = ConversationRow.__table__  # type: ignore[attr-defined]


def write_events(conn: sa.Connection, emitted: Sequence[Emitted]) -> list[Envelope]:
    """Synchronous Core: called in the batch writer's thread, or through run_sync."""
    if not emitted:
        return []
    now = datetime.now(UTC)
    # Each event at its service's clock when it said (a backdated history), else now.
    ats = [at or now for _, _, at in emitted]
    payloads = [event.model_dump(mode="json") for event, _, _ in emitted]
    log_rows = [
        {
            "topic": event.type,
            "conversation_id": conversation_of(event),
            "audience": audience,
            "payload": payload,
            "schema_version": EVENT_SCHEMA,
            "at": at,
        }
        for (event, audience, _), payload, at in zip(emitted, payloads, ats, strict=True)
    ]
    result = conn.execute(
        sa.insert(event_log_t).returning(event_log_t.c.id, sort_by_parameter_order=True),
        log_rows,
    )
    ids = [row.id for row in result]
    timeline_rows = [
        {
            "customer_id": customer,
            "conversation_id": conversation_of(event),
            "kind": event.type,
            "payload": payload | {"event_id": event_id},
            "at": at,
        }
        for (event, _, _), payload, event_id, at in zip(emitted, payloads, ids, ats, strict=True)
        for customer in timeline_customers(event)
    ]
    if timeline_rows:
        conn.execute(sa.insert(timeline_t), timeline_rows)
    _touch_activity(conn, emitted, ats)
    return [
        Envelope(id=EventId(event_id), at=at, audience=audience, event=event)
        for (event, audience, _), event_id, at in zip(emitted, ids, ats, strict=True)
    ]


def _touch_activity(
    conn: sa.Connection, emitted: Sequence[Emitted], ats: Sequence[datetime]
) -> None:
    """Move `last_activity_at` of the conversations these events are activity on to their
    latest event's time, in the same transaction and one statement per distinct time (one
    for a live batch, whose events share it). Only forward: a page cursor relies on a
    conversation never sinking below a place it was already listed at."""
    latest: dict[ConversationId, datetime] = {}
    for (event, _, _), at in zip(emitted, ats, strict=True):
        if is_activity(event) and (conversation := conversation_of(event)):
            latest[conversation] = max(at, latest.get(conversation, at))
    by_time: dict[datetime, list[ConversationId]] = {}
    for conversation, at in latest.items():
        by_time.setdefault(at, []).append(conversation)
    column = _conversation_t.c.last_activity_at
    for at, touched in by_time.items():
        conn.execute(
            sa.update(_conversation_t)
            .where(_conversation_t.c.id.in_(touched), column < at)
            .values(last_activity_at=at)
        )


class SqlEventLog:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def after(
        self, event_id: int, audience: AgentId | None = None, limit: int = 1000
    ) -> list[Envelope]:
        query = sa.select(event_log_t).where(event_log_t.c.id > event_id)
        if audience is not None:
            query = query.where(event_log_t.c.audience == audience)
        query = query.order_by(event_log_t.c.id).limit(limit)
        async with self._db.read() as conn:
            rows = (await conn.execute(query)).all()
        envelopes = []
        for row in rows:
            try:
                event = read_event(row.payload, row.schema_version)
            except ValidationError as exc:
                # A type this version does not know (written by a newer hub) or a mangled
                # row: skipped, never raised, or every console resuming past it would fail
                # and reconnect forever.
                log.error("event log row %s (%s) unreadable, skipped: %s", row.id, row.topic, exc)
                continue
            envelopes.append(
                Envelope(id=EventId(row.id), at=row.at, audience=row.audience, event=event)
            )
        return envelopes

    async def last_id(self) -> EventId:
        async with self._db.read() as conn:
            value = await conn.scalar(sa.select(sa.func.max(event_log_t.c.id)))
        return EventId(value or 0)

    async def prune(self, before: datetime, limit: int) -> int:
        return await self._db.write_batch(lambda conn: _prune(conn, before, limit))

    async def pruned_through(self) -> EventId:
        async with self._db.read() as conn:
            value = await conn.scalar(sa.select(retention_t.c.pruned_through))
        return EventId(value or 0)


def _prune(conn: sa.Connection, before: datetime, limit: int) -> int:
    """Delete the oldest rows, as long as they were written before `before`: only a prefix of
    ids goes, so everything at or below the mark is gone and nothing above it is. The newest
    row always stays: SQLite hands out max(id) + 1, and an emptied table would start again
    at 1, below every id a console holds."""
    newest = sa.select(sa.func.max(event_log_t.c.id)).scalar_subquery()
    oldest = conn.execute(
        sa.select(event_log_t.c.id, event_log_t.c.at)
        .where(event_log_t.c.id < newest)
        .order_by(event_log_t.c.id)
        .limit(limit)
    ).all()
    doomed = list(itertools.takewhile(lambda row: row.at < before, oldest))
    if not doomed:
        return 0
    through = doomed[-1].id
    conn.execute(sa.delete(event_log_t).where(event_log_t.c.id <= through))
    conn.execute(
        sa.update(retention_t)
        .where(retention_t.c.id == 1, retention_t.c.pruned_through < through)
        .values(pruned_through=through)
    )
    return len(doomed)
