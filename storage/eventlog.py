"""The event log: numbered events, each also a timeline entry when it concerns a customer.
Both are written with one executemany apiece, inside the caller's transaction."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa

from hub.events import EVENT_ADAPTER, Envelope, Event, conversation_of, customer_of
from hub.ids import AgentId, EventId
from storage.database import Database
from storage.tables import EventLogRow, TimelineEntryRow

event_log_t = EventLogRow.__table__  # type: ignore[attr-defined]
timeline_t = TimelineEntryRow.__table__  # type: ignore[attr-defined]
Emitted = tuple[Event, AgentId | None]


def write_events(conn: sa.Connection, emitted: Sequence[Emitted]) -> list[Envelope]:
    """Synchronous Core: called in the batch writer's thread, or through run_sync."""
    if not emitted:
        return []
    at = datetime.now(UTC)
    payloads = [event.model_dump(mode="json") for event, _ in emitted]
    log_rows = [
        {
            "topic": event.type,
            "conversation_id": conversation_of(event),
            "audience": audience,
            "payload": payload,
            "at": at,
        }
        for (event, audience), payload in zip(emitted, payloads, strict=True)
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
        for (event, _), payload, event_id in zip(emitted, payloads, ids, strict=True)
        if (customer := customer_of(event)) is not None
    ]
    if timeline_rows:
        conn.execute(sa.insert(timeline_t), timeline_rows)
    return [
        Envelope(id=EventId(event_id), at=at, audience=audience, event=event)
        for (event, audience), event_id in zip(emitted, ids, strict=True)
    ]


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
        return [
            Envelope(
                id=EventId(row.id),
                at=row.at,
                audience=row.audience,
                event=EVENT_ADAPTER.validate_python(row.payload),
            )
            for row in rows
        ]

    async def last_id(self) -> EventId:
        async with self._db.read() as conn:
            value = await conn.scalar(sa.select(sa.func.max(event_log_t.c.id)))
        return EventId(value or 0)
