"""Full-text search over conversations and customers (`GET /api/v1/search`)."""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import BaseModel, Field

from agents_ui.rest.endpoint import Call, Endpoint
from hub.ports import Search
from hub.records import ConversationHit, CustomerHit
from hub.services.queue_access import visible_queues
from hub.services.search_terms import parse_terms
from hub.settings import QueueSettings


class SearchQuery(BaseModel):
    q: str = Field(min_length=1, max_length=200, description="Words; the last one a prefix")
    limit: int = Field(10, ge=1, le=50, description="At most this many of each kind")


class SearchAnswer(BaseModel):
    conversations: list[ConversationHit]
    customers: list[CustomerHit]


class SearchRoutes:
    def __init__(self, search: Search, queues: Sequence[QueueSettings]) -> None:
        self._search = search
        self._queues = queues

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
        queues = visible_queues(call.agent, self._queues)
        return SearchAnswer(
            conversations=await self._search.conversations(terms, query.limit, queues),
            customers=await self._search.customers(terms, query.limit),
        )
