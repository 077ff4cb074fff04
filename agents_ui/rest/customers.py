"""Customer profiles: the list and search, a profile, edits, merges and their undoing."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, JsonValue

from agents_ui.rest.endpoint import Call, Endpoint
from hub.errors import NotFound
from hub.ids import CustomerId
from hub.ports import CustomerProfiles, Search
from hub.records import CustomerMerge, CustomerPage, CustomerProfile
from hub.services.customers import CustomerService
from hub.services.search_terms import parse_terms

Label = Annotated[str, Field(min_length=1, max_length=64, pattern=r"\S")]


class CustomerListQuery(BaseModel):
    q: str | None = Field(None, max_length=200, description="Search names and identities")
    limit: int = Field(25, ge=1, le=100)
    cursor: str | None = Field(None, description="next_cursor of the page before (without q)")


class CustomerPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    display_name: str | None = Field(None, min_length=1, max_length=200)
    attributes: dict[str, JsonValue] | None = Field(
        None, max_length=100, description="Replaces the custom attributes"
    )
    labels: list[Label] | None = Field(None, max_length=50, description="Replaces the labels")


class MergeBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    from_: str = Field(alias="from", description="The customer merged away into this one")


class UnmergeBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    merge_id: str


class CustomerRoutes:
    def __init__(
        self, profiles: CustomerProfiles, search: Search, customers: CustomerService
    ) -> None:
        self._profiles = profiles
        self._search = search
        self._customers = customers

    def endpoints(self) -> list[Endpoint]:
        tag = "customers"
        return [
            Endpoint("GET", "/api/v1/customers", self.list, "Customers, newest first, or found",
                     tag, query=CustomerListQuery, response=CustomerPage,
                     description="Without q, cursor-paginated; with q, the best matches."),
            Endpoint("GET", "/api/v1/customers/{id}", self.profile, "A customer's profile", tag,
                     response=CustomerProfile,
                     description="A merged-away customer names the survivor in merged_into."),
            Endpoint("PATCH", "/api/v1/customers/{id}", self.patch, "Edit a customer", tag,
                     body=CustomerPatch, response=CustomerProfile),
            Endpoint("POST", "/api/v1/customers/{id}/merge", self.merge,
                     "Merge another customer into this one", tag, "supervisor",
                     body=MergeBody, response=CustomerMerge),
            Endpoint("POST", "/api/v1/customers/{id}/unmerge", self.unmerge, "Undo a merge",
                     tag, "supervisor", body=UnmergeBody, response=CustomerMerge),
        ]  # fmt: skip

    async def list(self, call: Call) -> CustomerPage:
        query: CustomerListQuery = call.query
        if query.q is None:
            return await self._profiles.page(query.limit, query.cursor)
        terms = parse_terms(query.q)
        hits = await self._search.customers(terms, query.limit) if terms else []
        found = await self._profiles.profiles([h.customer_id for h in hits])
        return CustomerPage(customers=tuple(found))

    async def profile(self, call: Call) -> CustomerProfile:
        return await self._profile(CustomerId(call.path("id")))

    async def patch(self, call: Call) -> CustomerProfile:
        body: CustomerPatch = call.body
        customer_id = CustomerId(call.path("id"))
        changes: dict[str, Any] = body.model_dump(exclude_unset=True, exclude_none=True)
        if "labels" in changes:  # once each, in the order given
            changes["labels"] = list(dict.fromkeys(label.strip() for label in changes["labels"]))
        await self._customers.update(call.agent, customer_id, changes)
        return await self._profile(customer_id)

    async def merge(self, call: Call) -> CustomerMerge:
        body: MergeBody = call.body
        return await self._customers.merge(
            call.agent, CustomerId(call.path("id")), CustomerId(body.from_)
        )

    async def unmerge(self, call: Call) -> CustomerMerge:
        body: UnmergeBody = call.body
        await self._customers.unmerge(call.agent, CustomerId(call.path("id")), body.merge_id)
        record = await self._profiles.merge(body.merge_id)
        assert record is not None
        return record

    async def _profile(self, customer_id: CustomerId) -> CustomerProfile:
        found = await self._profiles.profile(customer_id)
        if found is None:
            raise NotFound("customer", customer_id)
        return found
