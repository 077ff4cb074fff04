"""Administration of agents: create, edit, disable, enable, reset a password. Each change is
one write transaction with its audit entry and its event (`agent_updated`; a disabled agent's
`presence` goes offline too), so the trail and the change commit or fail together.

Disabling is how an agent leaves (DELETE /api/v1/agents/{id} disables too): the row stays, so
the history naming them stays whole. A disabled agent cannot log in, every session of theirs
ends (token version bumped), they go offline (the router cancels their pending offers and
offers them nothing), and the conversations they had open go back to their queues, keeping
their place. There is always an enabled admin: a change that would leave none is refused."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import Field, StringConstraints

from hub.errors import BadInput, Conflict, NotFound
from hub.events import AgentUpdated, PresenceChanged
from hub.flow.publishing import PublishingWork
from hub.ids import AgentId, new_id
from hub.models import Agent, AuditKind, AuditRecord, ChannelName, Record, Role
from hub.ports import Transaction
from hub.services.auth import HashPool
from hub.services.conversations import requeue
from hub.services.logins import MAX_EMAIL, MAX_PASSWORD, MIN_PASSWORD

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")
_E164 = re.compile(r"^\+[1-9][0-9]{6,14}$")
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Skill = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
Capacity = dict[ChannelName, Annotated[int, Field(ge=0, le=1000)]]


class NewAgent(Record):
    name: Name
    email: str = Field(max_length=MAX_EMAIL)
    role: Role = "agent"
    skills: tuple[Skill, ...] = ()
    # Per channel; empty: routing.default_capacity.
    capacity: Capacity = Field(default_factory=dict)
    voice_target: str | None = None
    password: str = Field(description=f"{MIN_PASSWORD} to {MAX_PASSWORD} characters")


class AgentPatch(Record):
    """Only the fields given change."""

    name: Name | None = None
    email: str | None = Field(None, max_length=MAX_EMAIL)
    role: Role | None = None
    skills: tuple[Skill, ...] | None = None
    capacity: Capacity | None = None
    voice_target: str | None = None
    disabled: bool | None = None


class AgentAdmin:
    def __init__(self, work: PublishingWork, hashes: HashPool) -> None:
        self._work = work
        self._hashes = hashes

    async def create(self, actor: Agent, new: NewAgent) -> Agent:
        """A new agent, enabled and offline; Conflict naming `email` if it is taken."""
        email = valid_email(new.email)
        password_hash = await self._hashes.hash(valid_password(new.password))
        agent = Agent(
            id=AgentId(new_id()),
            name=new.name,
            email=email,
            role=new.role,
            skills=new.skills,
            capacity=dict(new.capacity),
            voice_target=valid_voice_target(new.voice_target),
        )

        def act(tx: Transaction) -> Agent:
            tx.agents.add(agent, password_hash)
            _audit(tx, "agent_created", actor, agent, after=agent)
            tx.emit(AgentUpdated(agent_id=agent.id))
            return agent

        return await self._work.run(act)

    async def update(self, actor: Agent, agent_id: AgentId, patch: AgentPatch) -> Agent:
        """The agent as changed. Disabling ends their sessions and requeues what they held."""
        changes: dict[str, Any] = {key: getattr(patch, key) for key in patch.model_fields_set}
        nulls = sorted(k for k, v in changes.items() if v is None and k != "voice_target")
        if nulls:
            raise BadInput(f"{nulls[0]} cannot be null", field=nulls[0])
        if "email" in changes:
            changes["email"] = valid_email(changes["email"])
        if "voice_target" in changes:
            changes["voice_target"] = valid_voice_target(changes["voice_target"])
        return await self._work.run(lambda tx: _update(tx, actor, agent_id, changes))

    async def reset_password(self, actor: Agent, agent_id: AgentId, password: str) -> None:
        """Set the agent's password; every session of theirs ends."""
        password_hash = await self._hashes.hash(valid_password(password))

        def act(tx: Transaction) -> None:
            agent = _get(tx, agent_id)
            tx.agents.set_password(agent_id, password_hash)
            _audit(tx, "password_reset", actor, agent, detail="every session of the agent ended")

        await self._work.run(act)


def _update(tx: Transaction, actor: Agent, agent_id: AgentId, changes: dict[str, Any]) -> Agent:
    before = _get(tx, agent_id)
    after = before.model_copy(update=changes)
    if _admin(before) and not _admin(after) and tx.agents.enabled_admins() == [agent_id]:
        field = "disabled" if after.disabled else "role"
        raise Conflict(f"{before.email} is the last enabled admin", field=field)
    tx.agents.update(after)
    kind: AuditKind = "agent_updated"
    if after.disabled and not before.disabled:
        kind = "agent_disabled"
        _leave(tx, actor, after)
        after = after.model_copy(update={"status": "offline"})
    elif before.disabled and not after.disabled:
        kind = "agent_enabled"
    _audit(tx, kind, actor, after, before=before, after=after)
    tx.emit(AgentUpdated(agent_id=agent_id))
    return after


def _leave(tx: Transaction, actor: Agent, agent: Agent) -> None:
    """A disabled agent's sessions end, they go offline, and what they held is requeued."""
    tx.agents.revoke_sessions(agent.id)
    if agent.status != "offline":
        tx.agents.set_presence(agent.id, "offline")
        tx.emit(
            PresenceChanged(agent_id=agent.id, status="offline", reason="disabled by an admin"),
            audience=agent.id,
        )
    for conversation in tx.conversations.held_by(agent.id):
        requeue(tx, actor, conversation, datetime.now(UTC))


def _get(tx: Transaction, agent_id: AgentId) -> Agent:
    agent = tx.agents.get(agent_id)
    if agent is None:
        raise NotFound("agent", agent_id)
    return agent


def _admin(agent: Agent) -> bool:
    return agent.role == "admin" and not agent.disabled


def _audit(
    tx: Transaction,
    kind: AuditKind,
    actor: Agent,
    agent: Agent,
    *,
    before: Agent | None = None,
    after: Agent | None = None,
    detail: str = "",
) -> None:
    tx.audit.record(
        AuditRecord(
            at=datetime.now(UTC),
            kind=kind,
            agent_id=agent.id,
            email=agent.email,
            detail=detail,
            actor_id=actor.id,
            before=_shown(before),
            after=_shown(after),
        )
    )


def _shown(agent: Agent | None) -> dict[str, Any] | None:
    # Presence is not an admin's change: left out, so before/after show only what was edited.
    return agent.model_dump(mode="json", exclude={"status"}) if agent is not None else None


def valid_email(email: str) -> str:
    key = email.strip().lower()
    if not 0 < len(key) <= MAX_EMAIL or not _EMAIL.match(key):
        raise BadInput(f"{email!r} is not an email address", field="email")
    return key


def valid_voice_target(target: str | None) -> str | None:
    """An E.164 number or `client:<identity>` (Twilio Client), as `contacthub agents add`
    stores them; empty is none."""
    if not target:
        return None
    if not (_E164.match(target) or (target.startswith("client:") and len(target) > 7)):
        raise BadInput(
            f"{target!r}: give an E.164 number (+15551234567) or client:<identity>",
            field="voice_target",
        )
    return target


def valid_password(password: str) -> str:
    if not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        raise BadInput(
            f"a password needs {MIN_PASSWORD} to {MAX_PASSWORD} characters", field="password"
        )
    return password
