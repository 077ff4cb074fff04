"""Saved views: who may see, create and edit which (pure rules)."""

from __future__ import annotations

from hub.errors import Forbidden
from hub.models import Agent
from hub.records import SavedView


def may_see(agent: Agent, view: SavedView) -> bool:
    return view.shared or view.owner_id == agent.id


def require_may_create(agent: Agent, shared: bool) -> None:
    if shared and not agent.is_supervisor:
        raise Forbidden("only supervisors and admins create shared views")


def require_may_edit(agent: Agent, view: SavedView, shared: bool | None = None) -> None:
    """An agent edits their own views; supervisors also the shared ones. Making a view
    shared (or a shared one personal) needs a supervisor."""
    own = view.owner_id == agent.id and not view.shared
    if not (own or (agent.is_supervisor and (view.shared or view.owner_id == agent.id))):
        raise Forbidden("you may edit only your own views")
    if shared is not None and shared != view.shared and not agent.is_supervisor:
        raise Forbidden("only supervisors and admins share views")
