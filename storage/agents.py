"""Agents: the directory the CLI writes and the login reads."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from hub.errors import Conflict
from hub.ids import AgentId, new_id
from hub.models import Agent, Role
from storage.database import Database
from storage.mapping import agent_t, to_agent


class SqlAgentDirectory:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def add_agent(
        self,
        name: str,
        email: str,
        password_hash: str,
        role: Role,
        skills: Sequence[str],
        capacity: dict[str, int],
        voice_target: str | None = None,
    ) -> Agent:
        now = datetime.now(UTC)
        agent = Agent(
            id=AgentId(new_id()),
            name=name,
            email=email.lower(),
            role=role,
            skills=tuple(skills),
            capacity=capacity,
            voice_target=voice_target,
        )
        row = agent.model_dump() | {
            "skills": list(skills),
            "password_hash": password_hash,
            "status_changed_at": now,
            "created_at": now,
        }
        try:
            async with self._db.write() as conn:
                await conn.execute(sa.insert(agent_t), row)
        except IntegrityError:
            raise Conflict(f"an agent with email {email!r} already exists") from None
        return agent

    async def credentials(self, email: str) -> tuple[Agent, str] | None:
        query = sa.select(agent_t).where(agent_t.c.email == email.lower())
        async with self._db.read() as conn:
            row = (await conn.execute(query)).first()
        return (to_agent(row), row.password_hash) if row else None

    async def agent(self, agent_id: AgentId) -> Agent | None:
        async with self._db.read() as conn:
            row = (await conn.execute(sa.select(agent_t).where(agent_t.c.id == agent_id))).first()
        return to_agent(row) if row else None

    async def agents(self) -> list[Agent]:
        async with self._db.read() as conn:
            rows = (await conn.execute(sa.select(agent_t).order_by(agent_t.c.name))).all()
        return [to_agent(row) for row in rows]
