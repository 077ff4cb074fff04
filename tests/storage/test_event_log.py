"""The event log over time: rows written by an older version load after the models moved on,
old rows are pruned in batches, and the pruned-through mark says where replay stops."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import create_async_engine

from hub.events import EVENT_SCHEMA, Assigned, ConversationOpened, OfferMade
from hub.flow.placement import place
from hub.flow.retention import EventLogPruner
from hub.models import Conversation, InboundMessage
from hub.ports import Store
from hub.settings import EventsSettings
from storage import open_store
from storage.eventlog import event_log_t


@pytest.fixture
async def store(database_url: str) -> AsyncIterator[Store]:
    async with open_store(database_url, migrate=True) as opened:
        yield opened


async def insert_rows(database_url: str, rows: list[dict[str, Any]]) -> None:
    """Rows as an older hub wrote them, straight into the table."""
    engine = create_async_engine(database_url)
    try:
        async with engine.begin() as conn:
            await conn.execute(sa.insert(event_log_t), rows)
    finally:
        await engine.dispose()


def version_1_snapshot(conversation: Conversation) -> dict[str, Any]:
    """A conversation as version 1 embedded it: without `first_assigned_at` (a field added to
    Conversation since), and with `labels`, a field today's model does not have (as a row
    from a newer hub, or of a field since removed, would carry)."""
    dumped = conversation.model_dump(mode="json", exclude={"first_assigned_at"})
    return dumped | {"labels": ["vip"], "assignee_id": "ag1", "assignee_name": "Ann"}


async def test_version_1_rows_load_after_conversation_gained_a_field(
    store: Store, database_url: str
) -> None:
    customer = await store.customers.identify("email", "old@customer.test", "Old Row")
    inbound = InboundMessage(
        channel="email", customer_id=customer, dedupe_key="old-1", text="hi", queue="general"
    )
    (first,), _ = await store.inbound.ingest([inbound], place)
    snapshot = version_1_snapshot(first.conversation)
    now = datetime.now(UTC)
    common = {"conversation_id": first.conversation.id, "audience": "ag1", "at": now}
    await insert_rows(
        database_url,
        [
            common
            | {
                "topic": "conversation_opened",
                "payload": {"type": "conversation_opened", "conversation": snapshot},
                "schema_version": 1,
            },
            common
            | {
                "topic": "offer",
                "schema_version": 1,
                "payload": {
                    "type": "offer",
                    "offer_id": "of1",
                    "agent_id": "ag1",
                    "conversation": snapshot,
                    "expires_at": now.isoformat(),
                    "preview": "hi",
                },
            },
            common
            | {
                "topic": "assigned",
                "schema_version": 1,
                "payload": {
                    "type": "assigned",
                    "conversation": snapshot,
                    "agent_id": "ag1",
                    "via": "offer",
                },
            },
        ],
    )
    opened, offered, assigned = [e.event for e in await store.events.after(0, limit=100)][-3:]
    assert isinstance(opened, ConversationOpened)
    assert opened.conversation.id == first.conversation.id
    assert opened.conversation.first_assigned_at is None  # missing: its default
    assert isinstance(offered, OfferMade)
    assert (offered.conversation_id, offered.customer_id) == (first.conversation.id, customer)
    assert offered.channel == "email" and offered.preview == "hi"
    assert isinstance(assigned, Assigned)
    assert (assigned.conversation_id, assigned.agent_name) == (first.conversation.id, "Ann")
    # The agent's own stream replays them too (what a resuming console is sent).
    mine = await store.events.after(0, audience="ag1")  # type: ignore[arg-type]
    assert [e.event.type for e in mine] == ["conversation_opened", "offer", "assigned"]


async def test_a_row_of_a_type_this_version_does_not_know_is_skipped(
    store: Store, database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    customer = await store.customers.identify("email", "newer@customer.test", "Newer")
    inbound = InboundMessage(
        channel="email", customer_id=customer, dedupe_key="n-1", text="hi", queue="general"
    )
    _, before = await store.inbound.ingest([inbound], place)
    future = {"type": "csat", "score": 5}  # as a newer hub, since downgraded, wrote it
    row = {"topic": "csat", "payload": future, "schema_version": EVENT_SCHEMA + 1}
    await insert_rows(database_url, [row | {"at": datetime.now(UTC)}])
    inbound = inbound.model_copy(update={"dedupe_key": "n-2"})
    _, after = await store.inbound.ingest([inbound], place)
    replayed = await store.events.after(0)
    assert [e.id for e in replayed] == [e.id for e in before + after]
    assert "unreadable, skipped" in caplog.text


async def test_new_rows_carry_the_current_schema_version(store: Store, database_url: str) -> None:
    customer = await store.customers.identify("email", "new@customer.test", "New Row")
    inbound = InboundMessage(
        channel="email", customer_id=customer, dedupe_key="new-1", text="hi", queue="general"
    )
    _, envelopes = await store.inbound.ingest([inbound], place)
    engine = create_async_engine(database_url)
    try:
        async with engine.connect() as conn:
            versions = (await conn.execute(sa.select(event_log_t.c.schema_version))).scalars()
            assert set(versions) == {EVENT_SCHEMA}
    finally:
        await engine.dispose()
    assert len(envelopes) == 2  # conversation_opened, message


async def test_old_rows_are_pruned_in_batches_and_the_mark_moves(store: Store) -> None:
    customer = await store.customers.identify("email", "prune@customer.test", "Pruned")
    batch = [
        InboundMessage(
            channel="email", customer_id=customer, dedupe_key=f"p{n}", text="x", queue="general"
        )
        for n in range(5)
    ]
    _, envelopes = await store.inbound.ingest(batch, place)
    last = envelopes[-1].id
    assert await store.events.pruned_through() == 0
    pruner = EventLogPruner(store.events, EventsSettings(retention_days=1, prune_batch_rows=2))
    assert await pruner.prune(now=datetime.now(UTC)) == 0  # nothing is a day old yet
    deleted = await pruner.prune(now=datetime.now(UTC) + timedelta(days=2))
    # One opening and five messages, two at a time; the newest row stays, so ids never
    # start over (SQLite numbers a row max(id) + 1).
    assert len(envelopes) == 6 and deleted == 5
    assert [e.id for e in await store.events.after(0)] == [last]
    assert await store.events.pruned_through() == envelopes[-2].id
    _, more = await store.inbound.ingest([batch[0].model_copy(update={"dedupe_key": "p9"})], place)
    assert more[0].id > last
