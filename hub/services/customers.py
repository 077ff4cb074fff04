"""What agents do to customer profiles: edit them, merge two customers and undo a merge.
Any agent edits a profile (name, attributes, labels); merging and unmerging, which move
conversations between customers, are for supervisors and admins. Each change is one
transaction with its event and timeline entries (a merge's on both customers)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from hub.errors import BadInput, Conflict, Forbidden, NotFound
from hub.events import CustomersMerged, CustomersUnmerged
from hub.flow.publishing import PublishingWork
from hub.ids import CustomerId
from hub.models import Agent
from hub.ports import Transaction
from hub.records import CustomerFields, CustomerMerge


def merged_fields(survivor: CustomerFields, merged: CustomerFields) -> CustomerFields:
    """The survivor keeps its name and attributes, takes the attributes it lacks from the
    merged customer, and holds both customers' labels (its own first)."""
    attributes = {**merged.attributes, **survivor.attributes}
    labels = survivor.labels + tuple(x for x in merged.labels if x not in survivor.labels)
    return survivor.model_copy(update={"attributes": attributes, "labels": labels})


def require_merger(agent: Agent) -> None:
    if not agent.is_supervisor:
        raise Forbidden("only supervisors and admins merge customers")


class CustomerService:
    def __init__(self, work: PublishingWork) -> None:
        self._work = work

    async def update(
        self, agent: Agent, customer_id: CustomerId, changes: Mapping[str, Any]
    ) -> None:
        """Set the name, attributes or labels given. A merged-away customer is read only."""

        def act(tx: Transaction) -> None:
            _live(tx, customer_id)
            tx.customers.update(customer_id, changes)

        await self._work.run(act)

    async def merge(
        self, agent: Agent, survivor_id: CustomerId, merged_id: CustomerId
    ) -> CustomerMerge:
        require_merger(agent)
        if survivor_id == merged_id:
            raise BadInput("a customer cannot be merged into itself", field="from")

        def act(tx: Transaction) -> CustomerMerge:
            survivor, merged = _live(tx, survivor_id), _live(tx, merged_id)
            at = datetime.now(UTC)
            record = tx.customers.merge(
                survivor, merged, merged_fields(survivor, merged), agent.id, at
            )
            tx.emit(
                CustomersMerged(
                    merge_id=record.id,
                    customer_id=survivor_id,
                    merged_id=merged_id,
                    by_agent_id=agent.id,
                    identities=record.identities,
                    conversations=record.conversations,
                )
            )
            return record

        return await self._work.run(act)

    async def unmerge(self, agent: Agent, survivor_id: CustomerId, merge_id: str) -> None:
        """Undo the survivor's newest merge: a later one must be undone first, since
        restoring fields as they were before would drop what it brought."""
        require_merger(agent)

        def act(tx: Transaction) -> None:
            record = tx.customers.merge_of(merge_id)
            if record is None or record.survivor_id != survivor_id:
                raise NotFound("merge", merge_id)
            if record.undone_at is not None:
                raise Conflict(f"merge {merge_id} was undone already")
            _live(tx, survivor_id)
            latest = tx.customers.latest_merge(survivor_id)
            if latest is not None and latest.id != merge_id:
                raise Conflict(f"undo the later merge {latest.id} first")
            tx.customers.unmerge(merge_id, datetime.now(UTC))
            tx.emit(
                CustomersUnmerged(
                    merge_id=merge_id,
                    customer_id=survivor_id,
                    merged_id=record.merged_id,
                    by_agent_id=agent.id,
                )
            )

        await self._work.run(act)


def _live(tx: Transaction, customer_id: CustomerId) -> CustomerFields:
    found = tx.customers.fields(customer_id)
    if found is None:
        raise NotFound("customer", customer_id)
    if found.merged_into is not None:
        raise Conflict(f"customer {customer_id} was merged into {found.merged_into}")
    return found
