"""GET /api/v1/conversations and its counts: the console's conversation list, filtered,
newest activity first, a keyset page at a time, limited to what the caller may see.

The guarantee while paging: a conversation is never listed twice in one walk through the
pages, and every conversation that existed when the walk began and has no activity during it
is listed exactly once. A conversation with activity during the walk moves to the top, above
the pages still to come: it is listed once if its page was fetched before it moved, else not
at all; the first page's `as_of` lets a client catch up with `updated_since=<as_of>`."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from agents_ui.rest import cursor
from agents_ui.rest.endpoint import Call, Endpoint
from hub.errors import Invalid
from hub.ids import AgentId, CustomerId
from hub.models import Agent, ChannelName, ConversationStatus, ListedConversation
from hub.ports import ConversationFilter, ConversationListing, PageKey, Scope
from hub.services.search_terms import parse_terms


class CountsQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")
    queue: str | None = None
    channel: ChannelName | None = None
    assignee: str | None = Field(None, description="An agent id, `me`, or `none` (unassigned)")
    label: str | None = None
    priority: int | None = None
    customer: str | None = Field(None, description="A customer id")
    updated_since: AwareDatetime | None = Field(
        None, description="Only conversations with activity at or after this (ISO 8601)"
    )
    q: str | None = Field(
        None,
        max_length=200,
        description="Full text: message text, the customer's name, email or phone "
        "(as GET /api/v1/search matches them)",
    )


class ListQuery(CountsQuery):
    status: list[ConversationStatus] = Field(
        default_factory=list, description="Repeat for several: `status=open&status=pending`"
    )
    limit: int = Field(25, ge=1, le=100)
    cursor: str | None = Field(None, description="`next_cursor` of the previous page")


class ConversationPage(BaseModel):
    conversations: list[ListedConversation]
    next_cursor: str | None = Field(description="The next page's cursor; null on the last page")
    as_of: datetime = Field(description="When this page was read")


class StatusCounts(BaseModel):
    open: int
    pending: int
    snoozed: int
    resolved: int


class ListingRoutes:
    def __init__(self, listing: ConversationListing, scope: Callable[[Agent], Scope]) -> None:
        self._listing = listing
        self._scope = scope

    def endpoints(self) -> list[Endpoint]:
        return [
            Endpoint("GET", "/api/v1/conversations", self.conversations,
                     "Conversations, newest activity first", "conversations",
                     query=ListQuery, response=ConversationPage,
                     description=__doc__ or ""),
            Endpoint("GET", "/api/v1/conversations/counts", self.counts,
                     "How many conversations of each status match", "conversations",
                     query=CountsQuery, response=StatusCounts),
        ]  # fmt: skip

    async def conversations(self, call: Call) -> ConversationPage:
        query: ListQuery = call.query
        after = cursor.decode(query.cursor) if query.cursor else None
        as_of = datetime.now(UTC)
        where = _filter(query, call.agent, tuple(query.status))
        rows = await self._listing.page(where, self._scope(call.agent), query.limit + 1, after)
        page, more = rows[: query.limit], len(rows) > query.limit
        next_cursor = None
        if more:
            last = page[-1]
            next_cursor = cursor.encode(PageKey(last.last_activity_at, last.id))
        return ConversationPage(conversations=page, next_cursor=next_cursor, as_of=as_of)

    async def counts(self, call: Call) -> StatusCounts:
        query: CountsQuery = call.query
        counts = await self._listing.counts(_filter(query, call.agent, ()), self._scope(call.agent))
        return StatusCounts.model_validate(counts)


def _filter(
    query: CountsQuery, agent: Agent, statuses: tuple[ConversationStatus, ...]
) -> ConversationFilter:
    assignee = query.assignee
    if assignee == "":
        raise Invalid("assignee: give an agent id, me or none", field="assignee")
    return ConversationFilter(
        statuses=statuses,
        queue=query.queue,
        channel=query.channel,
        assignee=AgentId(agent.id if assignee == "me" else assignee)
        if assignee not in (None, "none")
        else None,
        unassigned=assignee == "none",
        label=query.label,
        priority=query.priority,
        customer=CustomerId(query.customer) if query.customer else None,
        updated_since=query.updated_since,
        text=parse_terms(query.q) if query.q else None,
    )
