"""Administration of agents (admins only): create, read, edit, disable, enable, reset a
password. DELETE disables: the agent's history stays (hub/services/admin.py)."""

from __future__ import annotations

from pydantic import BaseModel

from agents_ui.rest.auth import Done
from agents_ui.rest.endpoint import Call, Endpoint
from agents_ui.session import Sessions
from hub.errors import NotFound
from hub.ids import AgentId
from hub.models import Agent
from hub.ports import AgentDirectory
from hub.services.admin import AgentAdmin, AgentPatch, NewAgent

_DISABLED = (
    "A disabled agent cannot log in, every session of theirs ends, they go offline and are "
    "offered nothing, and the conversations they had open go back to their queues."
)


class PasswordReset(BaseModel):
    password: str


class AgentAdminRoutes:
    def __init__(self, admin: AgentAdmin, agents: AgentDirectory, sessions: Sessions) -> None:
        self._admin = admin
        self._agents = agents
        self._sessions = sessions

    def endpoints(self) -> list[Endpoint]:
        one = "/api/v1/agents/{id}"
        return [
            Endpoint("POST", "/api/v1/agents", self.create, "Create an agent", "agents",
                     "admin", body=NewAgent, response=Agent, status=201,
                     description="The email must be unused (409 naming `email`)."),
            Endpoint("GET", one, self.get, "An agent", "agents", "admin", response=Agent),
            Endpoint("PATCH", one, self.update, "Edit an agent", "agents", "admin",
                     body=AgentPatch, response=Agent,
                     description=f"Only the fields given change. {_DISABLED} The last "
                     "enabled admin cannot be disabled or demoted (409)."),
            Endpoint("DELETE", one, self.delete, "Remove an agent (disables)", "agents",
                     "admin", response=Agent,
                     description=f"The same as disable: the row stays for its history. "
                     f"{_DISABLED}"),
            Endpoint("POST", f"{one}/disable", self.disable, "Disable an agent", "agents",
                     "admin", response=Agent, description=_DISABLED),
            Endpoint("POST", f"{one}/enable", self.enable, "Enable an agent", "agents",
                     "admin", response=Agent),
            Endpoint("POST", f"{one}/password", self.password, "Reset an agent's password",
                     "agents", "admin", body=PasswordReset, response=Done,
                     description="The new password is set and every session of the agent "
                     "ends."),
        ]  # fmt: skip

    async def create(self, call: Call) -> Agent:
        body: NewAgent = call.body
        return await self._admin.create(call.agent, body)

    async def get(self, call: Call) -> Agent:
        agent_id = call.path("id")
        agent = await self._agents.agent(AgentId(agent_id))
        if agent is None:
            raise NotFound("agent", agent_id)
        return agent

    async def update(self, call: Call) -> Agent:
        body: AgentPatch = call.body
        return await self._changed(call, body)

    async def delete(self, call: Call) -> Agent:
        return await self._changed(call, AgentPatch(disabled=True))

    async def disable(self, call: Call) -> Agent:
        return await self._changed(call, AgentPatch(disabled=True))

    async def enable(self, call: Call) -> Agent:
        return await self._changed(call, AgentPatch(disabled=False))

    async def password(self, call: Call) -> Done:
        body: PasswordReset = call.body
        agent_id = AgentId(call.path("id"))
        await self._admin.reset_password(call.agent, agent_id, body.password)
        self._sessions.ended(agent_id)  # this process's sockets close now, others' within 15 s
        return Done()

    async def _changed(self, call: Call, patch: AgentPatch) -> Agent:
        agent = await self._admin.update(call.agent, AgentId(call.path("id")), patch)
        # This process's sockets of the agent check their session now: closed if disabled
        # (others' within 15 s), and reopened by the console under a changed role.
        self._sessions.ended(agent.id)
        return agent
