"""Web chat visitors in storage: the visitor token is the customer's only credential, so only
its hash is stored and no reader ever returns it."""

from __future__ import annotations

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
    visitor = await store.visitors.visitor(None, "Gus", None)
    stored = await _addresses(database_url)
    assert visitor.token not in stored
    assert hashlib.sha256(visitor.token.encode()).hexdigest() in stored
    again = await store.visitors.visitor(visitor.token, None, None)
    assert again.customer.id == visitor.customer.id
    customer = await store.reader.customer(visitor.customer.id)
    assert customer is not None
    assert [(i.kind, i.address) for i in customer.identities] == [("webchat", WEB_VISITOR)]
    # The hash itself is no way in either.
    digest = hashlib.sha256(visitor.token.encode()).hexdigest()
    stranger = await store.visitors.visitor(digest, None, None)
    assert stranger.customer.id != visitor.customer.id
