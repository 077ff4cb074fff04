"""Who works here: the caller, the agents with their load, the audit trail."""

from __future__ import annotations

from pydantic import BaseModel, Field

from agents_ui.rest.endpoint import Call, Endpoint
from hub.ids import AgentId
from hub.models import Agent, AuditEntry, AuditKind
from hub.ports import AgentDirectory, ConversationReader
from hub.services.logins import Logins


class AgentWithLoad(Agent):
    # Open conversations held, per channel.
    load: dict[str, int] = Field(default_factory=dict)


class AgentList(BaseModel):
    agents: list[AgentWithLoad]


class AuditQuery(BaseModel):
    limit: int = Field(100, ge=1, le=1000, description="How many entries, newest first")
    kind: AuditKind | None = Field(None, description="Only entries of this kind")
    agent_id: AgentId | None = Field(
        None, description="Only entries about this agent or made by them"
    )


class AuditList(BaseModel):
    entries: list[AuditEntry]


class DirectoryRoutes:
    def __init__(
        self,
        logins: Logins,
        reader: ConversationReader,
        agents: AgentDirectory,
    ) -> None:
        self._logins = logins
        self._reader = reader
        self._agents = agents

    def endpoints(self) -> list[Endpoint]:
        return [
            Endpoint("GET", "/api/v1/me", self.me, "Who I am", "agents", response=Agent),
            Endpoint("GET", "/api/v1/agents", self.agents, "Agents and their load", "agents",
                     response=AgentList),
            Endpoint("GET", "/api/v1/audit", self.audit, "The audit trail", "audit", "admin",
                     query=AuditQuery, response=AuditList),
        ]  # fmt: skip

    async def me(self, call: Call) -> Agent:
        return call.agent

    async def agents(self, call: Call) -> AgentList:
        load: dict[str, dict[str, int]] = {}
        for conversation in await self._reader.unresolved():
            if conversation.status == "open" and conversation.assignee_id:
                per_channel = load.setdefault(conversation.assignee_id, {})
                per_channel[conversation.channel] = per_channel.get(conversation.channel, 0) + 1
        rows = [
            AgentWithLoad(**a.model_dump(), load=load.get(a.id, {}))
            for a in await self._agents.agents()
        ]
        return AgentList(agents=rows)

    async def audit(self, call: Call) -> AuditList:
        query: AuditQuery = call.query
        entries = await self._logins.audit(query.limit, kind=query.kind, agent_id=query.agent_id)
        return AuditList(entries=entries)
