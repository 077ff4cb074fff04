"""Canned responses: every agent reads them (the console's `/` menu filters by short code),
supervisors and admins manage them; `render` fills their placeholders for a conversation."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator

from agents_ui.rest.endpoint import Call, Endpoint
from hub.errors import NotFound
from hub.ids import ConversationId
from hub.models import Agent
from hub.ports import CannedResponses, ConversationReader, Scope
from hub.records import CannedResponse
from hub.services.access import require_access
from hub.services.canned import placeholders, render

ShortCode = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[\w.-]+$")]
Text = Annotated[str, Field(min_length=1, max_length=10_000)]


class CannedQuery(BaseModel):
    q: str | None = Field(None, max_length=64, description="Short codes starting with this")


class CannedList(BaseModel):
    canned_responses: list[CannedResponse]


class CannedBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    short_code: ShortCode
    title: str | None = Field(None, max_length=200)
    text: Text


class CannedPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    short_code: ShortCode | None = None
    title: str | None = Field(None, max_length=200)
    text: Text | None = None

    @model_validator(mode="after")
    def _required_stay_set(self) -> CannedPatch:
        for name in ("short_code", "text"):
            if name in self.model_fields_set and getattr(self, name) is None:
                raise ValueError(f"{name} cannot be null")
        return self


class RenderQuery(BaseModel):
    conversation_id: str = Field(min_length=1)


class Rendered(BaseModel):
    text: str


class Deleted(BaseModel):
    status: str = "deleted"


class CannedRoutes:
    def __init__(
        self,
        canned: CannedResponses,
        reader: ConversationReader,
        scope: Callable[[Agent], Scope],
    ) -> None:
        self._canned = canned
        self._reader = reader
        self._scope = scope

    def endpoints(self) -> list[Endpoint]:
        tag, path = "canned-responses", "/api/v1/canned-responses"
        return [
            Endpoint("GET", path, self.list, "Canned responses", tag, query=CannedQuery,
                     response=CannedList),
            Endpoint("POST", path, self.add, "Add a canned response", tag, "supervisor",
                     body=CannedBody, response=CannedResponse, status=201,
                     description="`{name}` (the customer's name) and `{agent}` (the agent's) "
                     "are filled in by render; other `{x}` stay as written."),
            Endpoint("PATCH", f"{path}/{{id}}", self.patch, "Edit a canned response", tag,
                     "supervisor", body=CannedPatch, response=CannedResponse),
            Endpoint("DELETE", f"{path}/{{id}}", self.delete, "Delete a canned response", tag,
                     "supervisor", response=Deleted),
            Endpoint("GET", f"{path}/{{id}}/render", self.render, "Fill in for a conversation",
                     tag, query=RenderQuery, response=Rendered),
        ]  # fmt: skip

    async def list(self, call: Call) -> CannedList:
        query: CannedQuery = call.query
        return CannedList(canned_responses=await self._canned.list(query.q))

    async def add(self, call: Call) -> CannedResponse:
        body: CannedBody = call.body
        return await self._canned.add(body.short_code, body.title, body.text)

    async def patch(self, call: Call) -> CannedResponse:
        body: CannedPatch = call.body
        found = await self._canned.update(call.path("id"), body.model_dump(exclude_unset=True))
        if found is None:
            raise NotFound("canned response", call.path("id"))
        return found

    async def delete(self, call: Call) -> Deleted:
        if not await self._canned.delete(call.path("id")):
            raise NotFound("canned response", call.path("id"))
        return Deleted()

    async def render(self, call: Call) -> Rendered:
        query: RenderQuery = call.query
        canned = await self._canned.get(call.path("id"))
        if canned is None:
            raise NotFound("canned response", call.path("id"))
        conversation = await self._reader.conversation(ConversationId(query.conversation_id))
        if conversation is None:
            raise NotFound("conversation", query.conversation_id)
        require_access(self._scope(call.agent), conversation)
        values = placeholders(conversation.customer_name, call.agent.name)
        return Rendered(text=render(canned.text, values))
