"""Agents: the directory the CLI writes and the login reads; their token versions, the
wrong-password counts behind lockouts, and the security audit trail."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from hub.errors import Conflict, NotFound
from hub.ids import AgentId, new_id
from hub.models import Agent, AuditEntry, AuditKind, AuditRecord, LoginFailures, Role
from storage.admin_facets import audit_query, audit_t, to_audit
from storage.database import Database
from storage.mapping import agent_t, to_agent
from storage.tables import LoginLockoutRow

lockout_t = LoginLockoutRow.__table__  # type: ignore[attr-defined]
# Wrong-password rows untouched this long (and not locked) are dropped: the count is stale.
FORGET_AFTER = timedelta(days=1)


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

    async def credentials(self, email: str) -> tuple[Agent, str, int] | None:
        query = sa.select(agent_t).where(agent_t.c.email == email.lower())
        async with self._db.read() as conn:
            row = (await conn.execute(query)).first()
        return (to_agent(row), row.password_hash, row.token_version) if row else None

    async def session(self, agent_id: AgentId) -> tuple[Agent, int] | None:
        async with self._db.read() as conn:
            row = (await conn.execute(sa.select(agent_t).where(agent_t.c.id == agent_id))).first()
        return (to_agent(row), row.token_version) if row else None

    async def revoke_sessions(self, agent_id: AgentId) -> int:
        return await self._bump(agent_id, {})

    async def set_password(self, agent_id: AgentId, password_hash: str) -> int:
        return await self._bump(agent_id, {"password_hash": password_hash})

    async def _bump(self, agent_id: AgentId, values: dict[str, Any]) -> int:
        statement = (
            sa.update(agent_t)
            .where(agent_t.c.id == agent_id)
            .values(token_version=agent_t.c.token_version + 1, **values)
            .returning(agent_t.c.token_version)
        )
        async with self._db.write() as conn:
            version = (await conn.execute(statement)).scalar()
        if version is None:
            raise NotFound("agent", agent_id)
        return int(version)

    async def login_failures(self, email: str) -> LoginFailures | None:
        query = sa.select(lockout_t).where(lockout_t.c.email == email.lower())
        async with self._db.read() as conn:
            row = (await conn.execute(query)).first()
        return _failures(row) if row else None

    async def login_failed(
        self,
        email: str,
        now: datetime,
        rule: Callable[[LoginFailures | None, datetime], LoginFailures],
    ) -> LoginFailures:
        key = email.lower()
        async with self._db.write() as conn:
            await conn.execute(
                sa.delete(lockout_t).where(
                    lockout_t.c.updated_at < now - FORGET_AFTER,
                    sa.or_(lockout_t.c.locked_until.is_(None), lockout_t.c.locked_until < now),
                )
            )
            row = (await conn.execute(sa.select(lockout_t).where(lockout_t.c.email == key))).first()
            state = rule(_failures(row) if row else None, now)
            values = state.model_dump()
            if row is None:
                await conn.execute(sa.insert(lockout_t).values(email=key, **values))
            else:
                await conn.execute(
                    sa.update(lockout_t).where(lockout_t.c.email == key).values(**values)
                )
        return state

    async def clear_login_failures(self, email: str) -> None:
        async with self._db.write() as conn:
            await conn.execute(sa.delete(lockout_t).where(lockout_t.c.email == email.lower()))

    async def record_audit(
        self,
        kind: AuditKind,
        at: datetime,
        *,
        agent_id: AgentId | None = None,
        email: str | None = None,
        address: str | None = None,
        detail: str = "",
    ) -> None:
        entry = AuditRecord(
            at=at, kind=kind, agent_id=agent_id, email=email, address=address, detail=detail
        )
        async with self._db.write() as conn:
            await conn.execute(sa.insert(audit_t), entry.model_dump())

    async def audit(
        self, limit: int = 100, *, kind: AuditKind | None = None, agent_id: AgentId | None = None
    ) -> list[AuditEntry]:
        async with self._db.read() as conn:
            rows = (await conn.execute(audit_query(limit, kind, agent_id))).all()
        return [to_audit(row) for row in rows]

    async def agent(self, agent_id: AgentId) -> Agent | None:
        async with self._db.read() as conn:
            row = (await conn.execute(sa.select(agent_t).where(agent_t.c.id == agent_id))).first()
        return to_agent(row) if row else None

    async def agents(self) -> list[Agent]:
        async with self._db.read() as conn:
            rows = (await conn.execute(sa.select(agent_t).order_by(agent_t.c.name))).all()
        return [to_agent(row) for row in rows]


def _failures(row: Any) -> LoginFailures:
    return LoginFailures(
        failures=row.failures,
        lockouts=row.lockouts,
        locked_until=row.locked_until,
        updated_at=row.updated_at,
    )
