"""Labels: anyone signed in lists them; supervisors and admins make, edit and delete them."""

from __future__ import annotations

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field

from agents_ui.rest.endpoint import Call, Endpoint
from hub.models import Label
from hub.ports import ConversationListing
from hub.services.labels import LabelService

NAME = r"^[^\s/][^/]*$"  # a path segment: no slash, not blank at the start
COLOR = r"^#[0-9A-Fa-f]{6}$"


class LabelList(BaseModel):
    labels: list[Label]


class NewLabel(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=64, pattern=NAME)
    color: str = Field("#888888", pattern=COLOR)
    description: str = Field("", max_length=500)


class LabelEdit(BaseModel):
    model_config = ConfigDict(extra="forbid")
    color: str | None = Field(None, pattern=COLOR)
    description: str | None = Field(None, max_length=500)


class LabelRoutes:
    def __init__(self, listing: ConversationListing, labels: LabelService) -> None:
        self._listing = listing
        self._labels = labels

    def endpoints(self) -> list[Endpoint]:
        return [
            Endpoint("GET", "/api/v1/labels", self.list_labels, "Labels", "labels",
                     response=LabelList),
            Endpoint("POST", "/api/v1/labels", self.create, "Make a label", "labels",
                     "supervisor", body=NewLabel, response=Label, status=201),
            Endpoint("PATCH", "/api/v1/labels/{name}", self.edit, "Edit a label", "labels",
                     "supervisor", body=LabelEdit, response=Label),
            Endpoint("DELETE", "/api/v1/labels/{name}", self.delete,
                     "Delete a label (it leaves every conversation)", "labels", "supervisor",
                     status=204),
        ]  # fmt: skip

    async def list_labels(self, call: Call) -> LabelList:
        return LabelList(labels=await self._listing.labels())

    async def create(self, call: Call) -> Label:
        body: NewLabel = call.body
        return await self._labels.create(Label(**body.model_dump()))

    async def edit(self, call: Call) -> Label:
        body: LabelEdit = call.body
        return await self._labels.edit(call.path("name"), body.color, body.description)

    async def delete(self, call: Call) -> web.StreamResponse:
        await self._labels.delete(call.agent, call.path("name"))
        return web.Response(status=204, headers={"Cache-Control": "no-store"})
