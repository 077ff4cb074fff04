"""The audit trail and the queues: written inside an admin's write transaction (the facets),
read outside one (`SqlQueueStore`, `read_audit`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from hub.errors import Conflict
from hub.ids import AgentId
from hub.models import AuditEntry, AuditKind, AuditRecord
from hub.settings.sections import QueueSettings
from storage.database import Database
from storage.mapping import conversation_t
from storage.tables import AuthAuditRow, QueueRow

audit_t = AuthAuditRow.__table__  # type: ignore[attr-defined]
queue_t = QueueRow.__table__  # type: ignore[attr-defined]


class SqlAuditWrites:
    def __init__(self, conn: sa.Connection) -> None:
        self._conn = conn

    def record(self, entry: AuditRecord) -> None:
        self._conn.execute(sa.insert(audit_t), entry.model_dump())


def audit_query(limit: int, kind: AuditKind | None, agent_id: AgentId | None) -> sa.Select[Any]:
    query = sa.select(audit_t).order_by(audit_t.c.id.desc()).limit(limit)
    if kind is not None:
        query = query.where(audit_t.c.kind == kind)
    if agent_id is not None:
        query = query.where(sa.or_(audit_t.c.agent_id == agent_id, audit_t.c.actor_id == agent_id))
    return query


def to_audit(row: Any) -> AuditEntry:
    return AuditEntry(
        id=row.id,
        at=row.at,
        kind=row.kind,
        agent_id=AgentId(row.agent_id) if row.agent_id else None,
        email=row.email,
        address=row.address,
        detail=row.detail,
        actor_id=AgentId(row.actor_id) if row.actor_id else None,
        before=row.before,
        after=row.after,
    )


class SqlQueueWrites:
    def __init__(self, conn: sa.Connection) -> None:
        self._conn = conn

    def all(self) -> list[QueueSettings]:
        rows = self._conn.execute(sa.select(queue_t).order_by(queue_t.c.position))
        return [to_queue(row) for row in rows]

    def get(self, name: str) -> QueueSettings | None:
        row = self._conn.execute(sa.select(queue_t).where(queue_t.c.name == name)).first()
        return to_queue(row) if row else None

    def add(self, queue: QueueSettings) -> None:
        last = self._conn.scalar(sa.select(sa.func.max(queue_t.c.position)))
        try:
            with self._conn.begin_nested():
                self._conn.execute(sa.insert(queue_t), queue_values(queue, (last or 0) + 1))
        except IntegrityError:
            raise Conflict(f"a queue named {queue.name!r} already exists", field="name") from None

    def save(self, queue: QueueSettings) -> None:
        values = queue_values(queue, 0)
        del values["position"], values["name"]
        self._conn.execute(sa.update(queue_t).where(queue_t.c.name == queue.name).values(values))

    def delete(self, name: str) -> None:
        self._conn.execute(sa.delete(queue_t).where(queue_t.c.name == name))

    def unresolved_in(self, name: str) -> int:
        query = sa.select(sa.func.count()).where(
            conversation_t.c.queue == name, conversation_t.c.status != "resolved"
        )
        return int(self._conn.scalar(query) or 0)


class SqlQueueStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def queues(self) -> list[QueueSettings]:
        async with self._db.read() as conn:
            rows = (await conn.execute(sa.select(queue_t).order_by(queue_t.c.position))).all()
        return [to_queue(row) for row in rows]

    async def seed(self, queues: Sequence[QueueSettings]) -> bool:
        rows = [queue_values(q, position) for position, q in enumerate(queues, 1)]
        try:
            async with self._db.write() as conn:
                if await conn.scalar(sa.select(sa.func.count()).select_from(queue_t)):
                    return False
                await conn.execute(sa.insert(queue_t), rows)
        except IntegrityError:  # another process seeded it at the same moment
            return False
        return True


def queue_values(queue: QueueSettings, position: int) -> dict[str, Any]:
    return queue.model_dump(mode="json") | {"position": position}


def to_queue(row: Any) -> QueueSettings:
    return QueueSettings(
        name=row.name,
        channels=tuple(row.channels),
        skills=tuple(row.skills),
        priority=row.priority,
        service_level_seconds=row.service_level_seconds,
        policy=row.policy,
    )
