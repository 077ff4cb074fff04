"""The agents inside a write transaction: presence, what they hold, and the admin's writes
(create, edit, disable, password reset), each plain synchronous Core over the batch's
connection."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from hub.errors import Conflict, NotFound
from hub.ids import AgentId, ConversationId
from hub.models import HELD_STATUSES, Agent, Presence
from storage.mapping import agent_t, conversation_t, offer_t, to_agent


class SqlAgentWrites:
    def __init__(self, conn: sa.Connection) -> None:
        self._conn = conn

    def get(self, agent_id: AgentId) -> Agent | None:
        row = self._conn.execute(sa.select(agent_t).where(agent_t.c.id == agent_id)).first()
        return to_agent(row) if row else None

    def by_email(self, email: str) -> Agent | None:
        query = sa.select(agent_t).where(agent_t.c.email == email.lower())
        row = self._conn.execute(query).first()
        return to_agent(row) if row else None

    def add(self, agent: Agent, password_hash: str) -> None:
        now = datetime.now(UTC)
        row = agent.model_dump() | {
            "skills": list(agent.skills),
            "password_hash": password_hash,
            "status_changed_at": now,
            "created_at": now,
        }
        self._unique_email(agent)
        try:
            with self._conn.begin_nested():
                self._conn.execute(sa.insert(agent_t), row)
        except IntegrityError:  # another transaction took the email meanwhile
            raise _taken(agent.email) from None

    def update(self, agent: Agent) -> None:
        self._unique_email(agent)
        values = {
            "name": agent.name,
            "email": agent.email,
            "role": agent.role,
            "skills": list(agent.skills),
            "capacity": dict(agent.capacity),
            "voice_target": agent.voice_target,
            "disabled": agent.disabled,
        }
        try:
            with self._conn.begin_nested():
                self._conn.execute(
                    sa.update(agent_t).where(agent_t.c.id == agent.id).values(**values)
                )
        except IntegrityError:  # another transaction took the email meanwhile
            raise _taken(agent.email) from None

    def set_password(self, agent_id: AgentId, password_hash: str) -> None:
        self._bump(agent_id, password_hash=password_hash)

    def revoke_sessions(self, agent_id: AgentId) -> None:
        self._bump(agent_id)

    def enabled_admins(self) -> list[AgentId]:
        query = sa.select(agent_t.c.id).where(
            agent_t.c.role == "admin", agent_t.c.disabled.is_(False)
        )
        return [AgentId(row.id) for row in self._conn.execute(query)]

    def set_presence(self, agent_id: AgentId, status: Presence) -> None:
        self._conn.execute(
            sa.update(agent_t)
            .where(agent_t.c.id == agent_id)
            .values(status=status, status_changed_at=datetime.now(UTC))
        )

    def holds(self, agent_id: AgentId, excluding: ConversationId) -> dict[str, int]:
        assigned = sa.select(conversation_t.c.id, conversation_t.c.channel).where(
            conversation_t.c.assignee_id == agent_id,
            conversation_t.c.status.in_(HELD_STATUSES),
        )
        offered = (
            sa.select(conversation_t.c.id, conversation_t.c.channel)
            .join(offer_t, offer_t.c.conversation_id == conversation_t.c.id)
            .where(offer_t.c.agent_id == agent_id, offer_t.c.state == "pending")
        )
        held = sa.union(assigned, offered).subquery()  # UNION: a conversation counts once
        query = (
            sa.select(held.c.channel, sa.func.count().label("n"))
            .where(held.c.id != excluding)
            .group_by(held.c.channel)
        )
        return {row.channel: row.n for row in self._conn.execute(query)}

    def _unique_email(self, agent: Agent) -> None:
        other = self.by_email(agent.email)
        if other is not None and other.id != agent.id:
            raise _taken(agent.email)

    def _bump(self, agent_id: AgentId, **values: str) -> None:
        statement = (
            sa.update(agent_t)
            .where(agent_t.c.id == agent_id)
            .values(token_version=agent_t.c.token_version + 1, **values)
        )
        if self._conn.execute(statement).rowcount == 0:
            raise NotFound("agent", agent_id)


def _taken(email: str) -> Conflict:
    return Conflict(f"an agent with email {email!r} already exists", field="email")
