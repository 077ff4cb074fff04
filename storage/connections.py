"""Console sockets per hub process, shared through the database (see AgentConnectionRow)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from hub.ids import AgentId
from storage.database import Database
from storage.tables import AgentConnectionRow

connection_t = AgentConnectionRow.__table__  # type: ignore[attr-defined]


class SqlConnections:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def report(self, holder: str, sockets: dict[AgentId, int]) -> None:
        now = datetime.now(UTC)
        async with self._db.write() as conn:
            await conn.execute(sa.delete(connection_t).where(connection_t.c.holder == holder))
            rows = [
                {"holder": holder, "agent_id": agent, "sockets": count, "seen_at": now}
                for agent, count in sockets.items()
                if count > 0
            ]
            if rows:
                await conn.execute(sa.insert(connection_t), rows)

    async def connected_elsewhere(
        self, holder: str, agent_id: AgentId, fresh_seconds: float
    ) -> bool:
        since = datetime.now(UTC) - timedelta(seconds=fresh_seconds)
        query = sa.select(sa.func.count()).where(
            connection_t.c.agent_id == agent_id,
            connection_t.c.holder != holder,
            connection_t.c.sockets > 0,
            connection_t.c.seen_at > since,
        )
        async with self._db.read() as conn:
            return bool(await conn.scalar(query))
