"""Saved views: named filter sets of the conversation list. An agent sees their own and the
shared ones and edits their own; shared views are made and edited by supervisors."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, model_validator

from agents_ui.rest.endpoint import Call, Endpoint
from hub.errors import NotFound
from hub.models import ChannelName, ConversationStatus
from hub.ports import SavedViews
from hub.records import SavedView
from hub.services.views import may_see, require_may_create, require_may_edit


class ViewFilters(BaseModel):
    """The conversation list's filters; each list means any of its values."""

    model_config = ConfigDict(extra="forbid")
    status: list[ConversationStatus] | None = None
    queue: list[str] | None = None
    channel: list[ChannelName] | None = None
    assignee: list[str] | None = Field(None, description="Agent ids, `me` or `none`")
    label: list[str] | None = None
    priority: list[int] | None = None
    q: str | None = Field(None, max_length=200)


class ViewBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=100)
    shared: bool = False
    filters: ViewFilters = Field(default_factory=ViewFilters)


class ViewPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str | None = Field(None, min_length=1, max_length=100)
    shared: bool | None = None
    filters: ViewFilters | None = None

    @model_validator(mode="after")
    def _required_stay_set(self) -> ViewPatch:
        for name in ("name", "shared", "filters"):
            if name in self.model_fields_set and getattr(self, name) is None:
                raise ValueError(f"{name} cannot be null")
        return self


class ViewList(BaseModel):
    views: list[SavedView]


class ViewDeleted(BaseModel):
    status: str = "deleted"


class ViewRoutes:
    def __init__(self, views: SavedViews) -> None:
        self._views = views

    def endpoints(self) -> list[Endpoint]:
        tag, path = "views", "/api/v1/views"
        return [
            Endpoint("GET", path, self.list, "My views and the shared ones", tag,
                     response=ViewList),
            Endpoint("POST", path, self.add, "Save a view", tag, body=ViewBody,
                     response=SavedView, status=201,
                     description="A shared view needs a supervisor or an admin."),
            Endpoint("PATCH", f"{path}/{{id}}", self.patch, "Edit a view", tag, body=ViewPatch,
                     response=SavedView),
            Endpoint("DELETE", f"{path}/{{id}}", self.delete, "Delete a view", tag,
                     response=ViewDeleted),
        ]  # fmt: skip

    async def list(self, call: Call) -> ViewList:
        return ViewList(views=await self._views.visible_to(call.agent.id))

    async def add(self, call: Call) -> SavedView:
        body: ViewBody = call.body
        require_may_create(call.agent, body.shared)
        filters = body.filters.model_dump(exclude_none=True)
        return await self._views.add(call.agent.id, body.name, body.shared, filters)

    async def patch(self, call: Call) -> SavedView:
        body: ViewPatch = call.body
        view = await self._visible(call)
        require_may_edit(call.agent, view, body.shared)
        changes = body.model_dump(exclude_unset=True)
        if body.filters is not None:
            changes["filters"] = body.filters.model_dump(exclude_none=True)
        found = await self._views.update(view.id, changes)
        if found is None:
            raise NotFound("view", view.id)
        return found

    async def delete(self, call: Call) -> ViewDeleted:
        view = await self._visible(call)
        require_may_edit(call.agent, view)
        await self._views.delete(view.id)
        return ViewDeleted()

    async def _visible(self, call: Call) -> SavedView:
        """Another agent's personal view is not found, rather than forbidden: it is theirs."""
        view = await self._views.get(call.path("id"))
        if view is None or not may_see(call.agent, view):
            raise NotFound("view", call.path("id"))
        return view
