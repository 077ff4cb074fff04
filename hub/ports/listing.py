"""The conversation listing's port: one page of conversations matching a filter, newest
activity first, after a keyset cursor, limited to what the caller may see; and the counts per
status for the same filter. Storage builds the SQL from `ConversationFilter` in one place
(storage/listing.py `conditions`), where a full-text `q` condition joins later."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from hub.ids import AgentId, ConversationId, CustomerId
from hub.models import ChannelName, ConversationStatus, Label, ListedConversation
from hub.services.search_terms import SearchTerms


@dataclass(frozen=True)
class Scope:
    """What an agent may see (hub/services/access.py decides it): the conversations of
    `queues` and those assigned to `agent_id`; `everything` for supervisors and admins."""

    agent_id: AgentId
    queues: frozenset[str]
    everything: bool = False


@dataclass(frozen=True)
class ConversationFilter:
    """Every condition is ANDed; an empty `statuses` means any status."""

    statuses: tuple[ConversationStatus, ...] = ()
    queue: str | None = None
    channel: ChannelName | None = None
    assignee: AgentId | None = None
    unassigned: bool = False  # `assignee=none`
    label: str | None = None
    priority: int | None = None
    customer: CustomerId | None = None
    updated_since: datetime | None = None  # last_activity_at at or after this
    # Full text: a message of the conversation, or its customer's name or an identity, matches.
    text: SearchTerms | None = None


@dataclass(frozen=True)
class PageKey:
    """Where a page ends: the last row's (last_activity_at, id). The next page is the rows
    strictly below it in the listing's order."""

    last_activity_at: datetime
    id: ConversationId


class ConversationListing(Protocol):
    async def page(
        self, where: ConversationFilter, scope: Scope, limit: int, after: PageKey | None
    ) -> list[ListedConversation]:
        """Up to `limit` conversations matching `where` within `scope`, ordered by
        (last_activity_at, id) descending, strictly after `after`; each with its labels and
        its latest message."""
        ...

    async def counts(self, where: ConversationFilter, scope: Scope) -> dict[str, int]:
        """How many match `where` (its statuses ignored) within `scope`, per status; every
        status is a key, with 0 when none."""
        ...

    async def labels(self) -> list[Label]:
        """Every label, by name."""
        ...

    async def labels_of(self, conversation_id: ConversationId) -> tuple[str, ...]: ...

    async def snoozed_due(self, now: datetime) -> list[ConversationId]:
        """Snoozed conversations whose `snoozed_until` is at or before `now`."""
        ...
