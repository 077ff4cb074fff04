"""Full-text search, done by the database (FTS5 on SQLite, a tsvector with a GIN index on
PostgreSQL) over message text, customer names and email and phone identities."""

from __future__ import annotations

from collections.abc import Collection
from typing import Protocol

from hub.ids import ConversationId
from hub.records import ConversationHit, CustomerHit
from hub.services.search_terms import SearchTerms


class Search(Protocol):
    async def conversations(
        self, terms: SearchTerms, limit: int, queues: Collection[str] | None = None
    ) -> list[ConversationHit]:
        """Conversations whose messages match, best first, each with a snippet of its best
        matching message; with `queues`, only conversations in those queues."""
        ...

    async def customers(self, terms: SearchTerms, limit: int) -> list[CustomerHit]:
        """Customers (not merged away) whose name or an identity matches, best first."""
        ...

    async def conversation_ids(self, terms: SearchTerms, limit: int = 1000) -> list[ConversationId]:
        """Ids of the conversations whose messages match (the conversation list's `q`).
        Storage code composes the same condition in SQL with storage.search.matching()."""
        ...
