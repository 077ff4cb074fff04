"""One message the database refuses never fails the others of its batch: through the real
inbound stream and store, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from hub.flow.bus import Bus
from hub.flow.inbound import InboundStream
from hub.ids import CustomerId
from hub.models import InboundMessage, Ingested
from hub.ports import Store
from hub.settings import DatabaseSettings
from storage import open_store


@pytest.fixture
async def store(database_url: str) -> AsyncIterator[Store]:
    async with open_store(database_url, migrate=True) as opened:
        yield opened


async def test_a_row_the_database_refuses_fails_alone_in_a_batch_of_30(store: Store) -> None:
    customers = [
        await store.customers.identify("phone", f"+1555000{n:04d}", f"C{n}") for n in range(29)
    ]
    batch = [
        InboundMessage(
            channel="sms",
            customer_id=customer,
            dedupe_key=f"sms:{customer}:1",
            text=f"hello from {n}",
            queue="general",
        )
        for n, customer in enumerate(customers)
    ]
    # A customer that does not exist: the database refuses its conversation (foreign key).
    refused = batch[0].model_copy(
        update={"customer_id": CustomerId("nobody"), "dedupe_key": "sms:nobody:1"}
    )
    batch.insert(17, refused)
    settings = DatabaseSettings(group_commit_ms=10.0, group_commit_rows=256)
    async with Bus(None, namespace="t") as bus, InboundStream(store.inbound, bus, settings) as s:
        outcomes = await asyncio.gather(*(s.receive(m) for m in batch), return_exceptions=True)
    failed = [o for o in outcomes if isinstance(o, BaseException)]
    assert len(failed) == 1 and outcomes[17] is failed[0]
    stored = [o for o in outcomes if isinstance(o, Ingested)]
    assert len(stored) == 29 and not any(o.duplicate for o in stored)
    for customer, outcome in zip(customers, stored, strict=True):
        [message] = await store.reader.messages(outcome.conversation.id)
        assert message.id == outcome.message.id
        assert outcome.conversation.customer_id == customer
