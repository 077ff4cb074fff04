"""Web chat visitors in storage: the visitor token is the customer's only credential, so only
its hash is stored and no reader ever returns it."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import AsyncIterator

import pytest
import sqlalchemy as sa

from hub.models import WEB_VISITOR
from hub.ports import Store
from storage import open_store
from storage.queries import identity_t


@pytest.fixture
async def store(database_url: str) -> AsyncIterator[Store]:
    async with open_store(database_url, migrate=True) as opened:
        yield opened


async def _addresses(database_url: str) -> set[str]:
    from sqlalchemy.ext.asyncio import create_async_engine

    engine = create_async_engine(database_url)
    try:
        async with engine.connect() as conn:
            return set((await conn.execute(sa.select(identity_t.c.address))).scalars())
    finally:
        await engine.dispose()


async def test_only_the_hash_of_a_visitor_token_is_stored(store: Store, database_url: str) -> None:
    token = "a-visitor-token-0123456789"
    customer_id = await store.visitors.register(token, "Gus", None)
    stored = await _addresses(database_url)
    assert token not in stored
    digest = hashlib.sha256(token.encode()).hexdigest()
    assert digest in stored
    again = await store.visitors.find(token)
    assert again is not None and again.customer.id == customer_id
    customer = await store.reader.customer(customer_id)
    assert customer is not None
    assert [(i.kind, i.address) for i in customer.identities] == [("webchat", WEB_VISITOR)]
    # The hash itself is no way in either.
    assert await store.visitors.find(digest) is None


async def test_one_customer_per_token_when_sockets_race(store: Store) -> None:
    token = "a-visitor-token-with-two-tabs"
    made = await asyncio.gather(*(store.visitors.register(token, "Tab", None) for _ in range(5)))
    assert len(set(made)) == 1
