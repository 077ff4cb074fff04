"""Full-text search behaves the same on SQLite (FTS5) and PostgreSQL (tsvector, GIN)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import create_async_engine

from hub.flow.placement import place
from hub.ids import CustomerId
from hub.models import InboundMessage
from hub.ports import Store
from hub.services.search_terms import SearchTerms, parse_terms
from storage import open_store
from storage.migrate import upgrade
from storage.search import matching
from tests.visitors import new_visitor


@pytest.fixture
async def store(database_url: str) -> AsyncIterator[Store]:
    async with open_store(database_url, migrate=True) as opened:
        yield opened


def terms(text: str) -> SearchTerms:
    parsed = parse_terms(text)
    assert parsed is not None
    return parsed


async def say(
    store: Store, customer: CustomerId, text: str, key: str, queue: str = "general"
) -> str:
    message = InboundMessage(
        channel="webchat",
        customer_id=customer,
        dedupe_key=key,
        text=text,
        client_id=key,
        queue=queue,
    )
    results, _ = await store.inbound.ingest([message], place)
    return results[0].conversation.id


async def found_conversations(store: Store, text: str, **kw: object) -> list[str]:
    return [h.conversation_id for h in await store.search.conversations(terms(text), 20, **kw)]  # type: ignore[arg-type]


async def found_customers(store: Store, text: str) -> list[str]:
    return [h.customer_id for h in await store.search.customers(terms(text), 20)]


async def test_messages_are_found_by_words_with_the_last_one_a_prefix(store: Store) -> None:
    ana = await store.customers.identify("email", "ana@example.com", "Ana Lima")
    bob = await store.customers.identify("email", "bob@example.org", "Bob Stone")
    kettle = await say(store, ana, "My kettle stopped boiling this morning", "a1")
    toaster = await say(store, bob, "The toaster burns everything", "b1")
    assert await found_conversations(store, "kettle") == [kettle]
    assert await found_conversations(store, "KETTLE stop") == [kettle]  # prefix, any case
    assert await found_conversations(store, "toast") == [toaster]
    assert await found_conversations(store, "kettle toaster") == []  # every word must match
    hit = (await store.search.conversations(terms("boil"), 5))[0]
    assert hit.customer_name == "Ana Lima" and hit.channel == "webchat"
    matched = [s.text for s in hit.snippet if s.match]
    assert matched == ["boiling"]
    assert "".join(s.text for s in hit.snippet) == "My kettle stopped boiling this morning"


async def test_agent_replies_are_indexed_too_and_the_queue_filter_holds(store: Store) -> None:
    ana = await store.customers.identify("email", "ana@example.com", "Ana")
    general = await say(store, ana, "hello there", "a1", queue="general")
    carl = await store.customers.identify("email", "carl@example.com", "Carl")
    billing = await say(store, carl, "hello about my invoice", "c1", queue="billing")
    assert set(await found_conversations(store, "hello")) == {general, billing}
    assert await found_conversations(store, "hello", queues={"billing"}) == [billing]
    assert await found_conversations(store, "hello", queues=set()) == []


async def test_identities_match_by_their_parts(store: Store) -> None:
    ana = await store.customers.identify("email", "ana.lima@example.com", "Customer One")
    phone = await store.customers.identify("phone", "+15550001111", "Customer Two")
    other = await store.customers.identify("phone", "+447700900123", "Customer Three")
    assert await found_customers(store, "ana") == [ana]
    assert await found_customers(store, "example.com") == [ana]
    assert await found_customers(store, "ana.lima@exa") == [ana]
    assert await found_customers(store, "lima") == [ana]
    for typed in ("+15550001111", "15550001111", "5550001111", "0001111", "1111", "555000",
                  "+1 (555) 000-1111", "555-000-1111"):  # fmt: skip
        assert await found_customers(store, typed) == [phone], typed
    assert await found_customers(store, "7700900123") == [other]
    assert await found_customers(store, "2222") == []
    hit = (await store.search.customers(terms("5550001111"), 5))[0]
    assert hit.matched == "identity" and [s.match for s in hit.snippet] == [True]
    assert "".join(s.text for s in hit.snippet) == "+15550001111"


async def test_names_match_and_follow_renames(store: Store) -> None:
    visitor = await new_visitor(store, "Zelda Fitzgerald")
    customer = visitor.customer.id
    assert await found_customers(store, "zelda") == [customer]
    await store.visitors.update(customer, "Scott", None)
    assert await found_customers(store, "zelda") == []
    assert await found_customers(store, "scott") == [customer]
    hit = (await store.search.customers(terms("scott"), 5))[0]
    assert hit.matched == "name" and hit.snippet[0].match


async def test_visitor_tokens_are_never_searchable(store: Store) -> None:
    token = "visitor-token-abcdef0123456789"
    customer = await store.visitors.register(token, "Nemo", "nemo@example.com")
    assert await found_customers(store, token) == []
    assert await found_customers(store, "nemo") == [customer]  # name and typed email


@pytest.mark.parametrize(
    "hostile",
    ['"', "(", ")", "*", "kettle*", '"kettle', "kettle OR toaster", "NOT kettle", "NEAR(a b)",
     "a AND", "-kettle", "kettle:*", "'", "\\", "!&|<->", "col:kettle", "^kettle", "{a b}",
     "kettle's", "ümlaut", "日本語"],
)  # fmt: skip
async def test_no_input_breaks_the_query(store: Store, hostile: str) -> None:
    ana = await store.customers.identify("email", "ana@example.com", "Ana")
    kettle = await say(store, ana, "kettle's not working, ümlaut 日本語", "a1")
    parsed = parse_terms(hostile)
    if parsed is None:
        return  # nothing to search for: the API answers empty lists
    found = [h.conversation_id for h in await store.search.conversations(parsed, 10)]
    assert found in ([], [kettle])
    await store.search.customers(parsed, 10)
    if hostile in ("kettle*", '"kettle', "kettle:*", "^kettle", "-kettle", "kettle's"):
        assert found == [kettle]


async def test_snippet_markers_typed_by_a_customer_are_not_matches(store: Store) -> None:
    ana = await store.customers.identify("email", "ana@example.com", "Ana")
    await say(store, ana, "fake \ue000bold\ue001 and real kettle", "a1")
    hit = (await store.search.conversations(terms("kettle"), 5))[0]
    assert [s.text for s in hit.snippet if s.match] == ["kettle"]
    assert "\ue000" not in "".join(s.text for s in hit.snippet)


async def test_the_matching_condition_composes_with_other_queries(store: Store) -> None:
    from storage.database import Database
    from storage.mapping import conversation_t

    ana = await store.customers.identify("email", "ana@example.com", "Ana")
    kettle = await say(store, ana, "kettle", "a1")
    bob = await store.customers.identify("email", "bob@example.com", "Bob")
    await say(store, bob, "toaster", "b1")
    assert await store.search.conversation_ids(terms("kett")) == [kettle]
    db = Database(store_url(store))
    try:
        query = sa.select(conversation_t.c.id).where(
            conversation_t.c.id.in_(matching(db.is_sqlite, terms("kettle"))),
            conversation_t.c.status == "pending",
        )
        async with db.read() as conn:
            assert list((await conn.scalars(query)).all()) == [kettle]
    finally:
        await db.dispose()


def store_url(store: Store) -> str:
    return store.search._db.url  # type: ignore[attr-defined]


async def test_the_migration_indexes_rows_stored_before_it(database_url: str) -> None:
    engine = create_async_engine(database_url)
    now = datetime.now(UTC)
    try:
        await upgrade(engine, "0011")
        async with engine.begin() as conn:
            await conn.execute(
                sa.text(
                    "INSERT INTO customer (id, display_name, created_at) "
                    "VALUES ('c1', 'Old Timer', :at)"
                ),
                {"at": now},
            )
            await conn.execute(
                sa.text(
                    "INSERT INTO customer_identity (customer_id, kind, address) "
                    "VALUES ('c1', 'phone', '+15550009999'), ('c1', 'webchat', 'abc123hash')"
                )
            )
            await conn.execute(
                sa.text(
                    "INSERT INTO conversation (id, customer_id, channel, queue, status, "
                    "priority, created_at, queued_at) "
                    "VALUES ('v1', 'c1', 'sms', 'general', 'pending', 0, :at, :at)"
                ),
                {"at": now},
            )
            await conn.execute(
                sa.text(
                    "INSERT INTO message (id, conversation_id, customer_id, direction, author, "
                    "channel, body_text, dedupe_key, attachments, meta, created_at) VALUES "
                    "('m1', 'v1', 'c1', 'in', 'customer', 'sms', 'an old dishwasher', 'k1', "
                    "'[]', '{}', :at)"
                ),
                {"at": now},
            )
        await upgrade(engine)
    finally:
        await engine.dispose()
    async with open_store(database_url) as store:
        assert await found_conversations(store, "dishwash") == ["v1"]
        assert await found_customers(store, "timer") == ["c1"]
        assert await found_customers(store, "9999") == ["c1"]
        assert await found_customers(store, "abc123hash") == []


async def test_the_engine_is_the_databases_own(database_url: str) -> None:
    """FTS5 on SQLite; on PostgreSQL the tsvector column and its GIN index (the migration
    test leaves these dialect-specific objects out of its comparison)."""
    engine = create_async_engine(database_url)
    try:
        await upgrade(engine)
        async with engine.connect() as conn:
            if engine.dialect.name == "sqlite":
                sql = await conn.scalar(
                    sa.text("SELECT sql FROM sqlite_master WHERE name = 'search_fts'")
                )
                assert "USING fts5" in sql
            else:
                index = await conn.scalar(
                    sa.text(
                        "SELECT indexdef FROM pg_indexes "
                        "WHERE indexname = 'ix_search_document_vector'"
                    )
                )
                assert "USING gin (search_vector)" in index
                kind = await conn.scalar(
                    sa.text(
                        "SELECT data_type FROM information_schema.columns "
                        "WHERE table_name = 'search_document' AND column_name = 'search_vector'"
                    )
                )
                assert kind == "tsvector"
    finally:
        await engine.dispose()
