"""The supervisor's snapshot, built from storage: the live service level counts a customer
still waiting past the queue's target as missed, so it cannot read 100% while they wait."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from agents_ui.dashboard import Dashboard
from hub.flow.placement import place
from hub.models import InboundMessage
from hub.ports import Store, Transaction
from hub.settings import QueueSettings
from storage import open_store
from tests.visitors import new_visitor


@pytest.fixture
async def store(database_url: str) -> AsyncIterator[Store]:
    async with open_store(database_url, migrate=True) as opened:
        yield opened


async def waiting_since(store: Store, name: str, seconds: float) -> None:
    visitor = await new_visitor(store, name)
    message = InboundMessage(
        channel="webchat",
        customer_id=visitor.customer.id,
        dedupe_key=f"dash:{name}",
        text="hello?",
        queue="general",
    )
    [ingested], _ = await store.inbound.ingest([message], place)
    then = datetime.now(UTC) - timedelta(seconds=seconds)
    backdated = ingested.conversation.model_copy(update={"created_at": then, "queued_at": then})

    def save(tx: Transaction) -> None:
        tx.conversations.save(backdated)

    await store.work.run_batch([save])


async def test_a_customer_waiting_past_target_brings_the_service_level_down(
    store: Store,
) -> None:
    dashboard = Dashboard(
        store.reader,
        store.agents,
        lambda: [QueueSettings(name="general", service_level_seconds=60)],
    )
    await waiting_since(store, "Early", 10)
    [queue] = (await dashboard.snapshot())["queues"]
    assert (queue["waiting"], queue["waiting_past_target"]) == (1, 0)
    assert queue["service_level_pct"] is None  # nobody answered or missed yet

    await waiting_since(store, "Late", 90)
    [queue] = (await dashboard.snapshot())["queues"]
    assert (queue["waiting"], queue["waiting_past_target"], queue["answered"]) == (2, 1, 0)
    assert queue["service_level_pct"] == 0.0
