"""Phone calls, in the caller's transaction."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from hub.ids import AgentId, ConversationId, CustomerId
from hub.models import Call
from storage.database import Database
from storage.tables import CallRow

call_t = CallRow.__table__  # type: ignore[attr-defined]


def load_call(conn: sa.Connection, sid: str) -> Call | None:
    row = conn.execute(sa.select(call_t).where(call_t.c.sid == sid)).first()
    return to_call(row) if row else None


def save_call(conn: sa.Connection, call: Call) -> None:
    values = call.model_dump() | {"updated_at": datetime.now(UTC)}
    updated = conn.execute(sa.update(call_t).where(call_t.c.sid == call.sid).values(values))
    if not updated.rowcount:
        conn.execute(sa.insert(call_t), values)


def to_call(row: Any) -> Call:
    return Call(
        sid=row.sid,
        conversation_id=ConversationId(row.conversation_id),
        customer_id=CustomerId(row.customer_id),
        from_number=row.from_number,
        to_number=row.to_number,
        state=row.state,
        agent_id=AgentId(row.agent_id) if row.agent_id else None,
        answered_at=row.answered_at,
        ended_at=row.ended_at,
        duration_seconds=row.duration_seconds,
        created_at=row.created_at,
    )


class SqlCalls:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def call(self, sid: str) -> Call | None:
        async with self._db.read() as conn:
            row = (await conn.execute(sa.select(call_t).where(call_t.c.sid == sid))).first()
        return to_call(row) if row else None

    async def of_conversation(self, conversation_id: ConversationId) -> list[Call]:
        query = (
            sa.select(call_t)
            .where(call_t.c.conversation_id == conversation_id)
            .order_by(call_t.c.created_at)
        )
        async with self._db.read() as conn:
            return [to_call(row) for row in (await conn.execute(query)).all()]
