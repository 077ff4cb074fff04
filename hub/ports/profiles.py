"""Customer profiles as agents read them (the writes are the `tx.customers` facet)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from hub.ids import CustomerId
from hub.records import CustomerMerge, CustomerPage, CustomerProfile


class CustomerProfiles(Protocol):
    async def profile(self, customer_id: CustomerId) -> CustomerProfile | None:
        """Identities on every channel, attributes, labels, every conversation newest first;
        a merged-away customer too (with `merged_into`)."""
        ...

    async def profiles(self, customer_ids: Sequence[CustomerId]) -> list[CustomerProfile]:
        """Those profiles, in the order asked (unknown ids left out)."""
        ...

    async def page(self, limit: int, cursor: str | None = None) -> CustomerPage:
        """Customers not merged away, newest first; `next_cursor` continues after the last."""
        ...

    async def merge(self, merge_id: str) -> CustomerMerge | None: ...
