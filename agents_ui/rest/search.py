"""Full-text search over conversations and customers (`GET /api/v1/search`)."""

from __future__ import annotations

from collections.abc import Callable

from pydantic import BaseModel, Field

from agents_ui.rest.endpoint import Call, Endpoint
from hub.models import Agent
from hub.ports import Scope, Search
from hub.records import ConversationHit, CustomerHit
from hub.services.search_terms import parse_terms


class SearchQuery(BaseModel):
    q: str = Field(min_length=1, max_length=200, description="Words; the last one a prefix")
    limit: int = Field(10, ge=1, le=50, description="At most this many of each kind")


class SearchAnswer(BaseModel):
    conversations: list[ConversationHit]
    customers: list[CustomerHit]


class SearchRoutes:
    def __init__(self, search: Search, scope: Callable[[Agent], Scope]) -> None:
        self._search = search
        self._scope = scope

    def endpoints(self) -> list[Endpoint]:
        return [
            Endpoint("GET", "/api/v1/search", self.search, "Search conversations and customers",
                     "search", query=SearchQuery, response=SearchAnswer,
                     description="Message text, customer names, email addresses and phone "
                     "numbers; snippets are segments of plain text, matches marked."),
        ]  # fmt: skip

    async def search(self, call: Call) -> SearchAnswer:
        query: SearchQuery = call.query
        terms = parse_terms(query.q)
        if terms is None:
            return SearchAnswer(conversations=[], customers=[])
        scope = self._scope(call.agent)
        queues = None if scope.everything else scope.queues
        return SearchAnswer(
            conversations=await self._search.conversations(terms, query.limit, queues),
            customers=await self._search.customers(terms, query.limit),
        )
