"""The queues: anyone signed in lists them, admins create, edit and delete them. They live in
the database (seeded from config.toml when the table is empty); a change reaches every
process's QueueDirectory, and routing, without a restart."""

from __future__ import annotations

from pydantic import BaseModel

from agents_ui.rest.auth import Done
from agents_ui.rest.endpoint import Call, Endpoint
from hub.flow.queues import QueueDirectory
from hub.services.queue_admin import QueueAdmin, QueuePatch
from hub.settings import QueueSettings


class QueueList(BaseModel):
    queues: list[QueueSettings]


class QueueRoutes:
    def __init__(self, directory: QueueDirectory, admin: QueueAdmin) -> None:
        self._directory = directory
        self._admin = admin

    def endpoints(self) -> list[Endpoint]:
        one = "/api/v1/queues/{name}"
        return [
            Endpoint("GET", "/api/v1/queues", self.queues, "Queues", "queues",
                     response=QueueList),
            Endpoint("POST", "/api/v1/queues", self.create, "Create a queue", "queues",
                     "admin", body=QueueSettings, response=QueueSettings, status=201,
                     description="Listed last; the name must be unused (409 naming `name`)."),
            Endpoint("PATCH", one, self.update, "Edit a queue", "queues", "admin",
                     body=QueuePatch, response=QueueSettings,
                     description="Only the fields given change; routing uses them at once."),
            Endpoint("DELETE", one, self.delete, "Delete a queue", "queues", "admin",
                     response=Done,
                     description="Refused (409) while conversations are unresolved in it, "
                     "while a channel's config sends conversations to it, or if it is the "
                     "last queue."),
        ]  # fmt: skip

    async def queues(self, call: Call) -> QueueList:
        return QueueList(queues=list(self._directory.all()))

    async def create(self, call: Call) -> QueueSettings:
        body: QueueSettings = call.body
        return await self._admin.create(call.agent.id, body)

    async def update(self, call: Call) -> QueueSettings:
        body: QueuePatch = call.body
        return await self._admin.update(call.agent.id, call.path("name"), body)

    async def delete(self, call: Call) -> Done:
        await self._admin.delete(call.agent.id, call.path("name"))
        return Done()
