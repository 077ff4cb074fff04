"""The agents' own tools: canned responses and saved views of the conversation list."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from hub.ids import AgentId
from hub.records import CannedResponse, SavedView


class CannedResponses(Protocol):
    async def list(self, prefix: str | None = None) -> list[CannedResponse]:
        """By short code; with `prefix`, those whose short code starts with it (any case)."""
        ...

    async def get(self, response_id: str) -> CannedResponse | None: ...

    async def add(self, short_code: str, title: str | None, text: str) -> CannedResponse:
        """Raises Conflict when the short code is taken."""
        ...

    async def update(self, response_id: str, changes: Mapping[str, Any]) -> CannedResponse | None:
        """Set the given fields (short_code, title, text); None if unknown. Conflict when the
        new short code is taken."""
        ...

    async def delete(self, response_id: str) -> bool: ...


class SavedViews(Protocol):
    async def visible_to(self, agent_id: AgentId) -> list[SavedView]:
        """The agent's own views and the shared ones, by name."""
        ...

    async def get(self, view_id: str) -> SavedView | None: ...

    async def add(
        self, owner_id: AgentId, name: str, shared: bool, filters: Mapping[str, Any]
    ) -> SavedView: ...

    async def update(self, view_id: str, changes: Mapping[str, Any]) -> SavedView | None:
        """Set the given fields (name, shared, filters); None if unknown."""
        ...

    async def delete(self, view_id: str) -> bool: ...
