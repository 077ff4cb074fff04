"""The bus on memory and Redis, and the feed that turns it into an ordered, gap-free stream."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest

from hub.events import Envelope, Ephemeral, PresenceChanged
from hub.flow.bus import SUBSCRIBER_BACKLOG, Bus, BusMessage
from hub.flow.feed import EventFeed
from hub.ids import AgentId, ConversationId, CustomerId, EventId
from hub.ports import Store
from storage import open_store
from tests.services import redis_url


@pytest.fixture(params=["memory", "redis"])
async def bus_url(request: pytest.FixtureRequest) -> str | None:
    return None if request.param == "memory" else await redis_url()


def _presence(event_id: int, agent: str = "a1") -> Envelope:
    return Envelope(
        id=EventId(event_id),
        at=datetime.now(UTC),
        audience=AgentId(agent),
        event=PresenceChanged(agent_id=AgentId(agent), status="available"),
    )


def _typing() -> Ephemeral:
    return Ephemeral(
        type="typing",
        conversation_id=ConversationId("c1"),
        customer_id=CustomerId("u1"),
        author="customer",
        typing=True,
        audience=AgentId("a1"),
    )


async def _take(subscription: object, count: int) -> list[BusMessage]:
    return [
        await asyncio.wait_for(subscription.get(), 5)  # type: ignore[attr-defined]
        for _ in range(count)
    ]


async def test_bus_delivers_envelopes_and_ephemerals(bus_url: str | None) -> None:
    async with Bus(bus_url) as bus, bus.subscribe() as subscription:
        await asyncio.sleep(0.05)  # Redis: the subscription is live once SUBSCRIBE returns
        await bus.publish([_presence(1), _typing()])
        received = await _take(subscription, 2)
    assert received == [_presence(1).model_copy(update={"at": received[0].at}), _typing()]


async def test_redis_bus_joins_processes() -> None:
    url = await redis_url()
    async with Bus(url) as one, Bus(url) as two, two.subscribe() as subscription:
        await asyncio.sleep(0.05)
        await one.publish([_presence(7)])
        [received] = await _take(subscription, 1)
    assert isinstance(received, Envelope) and received.id == 7


def test_bus_refuses_unknown_schemes() -> None:
    with pytest.raises(ValueError, match="redis://"):
        Bus("kafka://somewhere")


@pytest.fixture
async def store(sqlite_url: str) -> AsyncIterator[Store]:
    async with open_store(sqlite_url) as opened:
        yield opened


async def _log_presence(store: Store, count: int) -> list[Envelope]:
    envelopes: list[Envelope] = []
    for _ in range(count):
        event = PresenceChanged(agent_id=AgentId("a1"), status="away")
        _, written = await store.work.run_batch([lambda tx, e=event: tx.emit(e, AgentId("a1"))])
        envelopes.extend(written)
    return envelopes


async def test_feed_reorders_what_the_bus_delivers_out_of_order(store: Store) -> None:
    async with Bus() as bus, EventFeed(bus, store.events) as feed:
        envelopes = await _log_presence(store, 3)
        async with feed.subscribe(audience=AgentId("a1")) as subscription:
            await bus.publish([envelopes[2], envelopes[0], envelopes[1]])
            received = await _take(subscription, 3)
    assert [m.id for m in received] == [e.id for e in envelopes]  # type: ignore[union-attr]


async def test_feed_fills_a_message_the_bus_lost_from_the_log(store: Store) -> None:
    async with Bus() as bus, EventFeed(bus, store.events) as feed:
        async with feed.subscribe() as subscription:
            envelopes = await _log_presence(store, 3)
            await bus.publish([envelopes[0], envelopes[2]])  # the middle one never arrives
            received = await _take(subscription, 3)
            assert [m.id for m in received] == [e.id for e in envelopes]  # type: ignore[union-attr]
            # Nothing arrives at all: the idle check reads the log.
            [silent] = await _log_presence(store, 1)
            [late] = await _take(subscription, 1)
            assert late.id == silent.id  # type: ignore[union-attr]


async def test_feed_routes_by_audience_and_customer(store: Store) -> None:
    async with Bus() as bus, EventFeed(bus, store.events) as feed:
        async with (
            feed.subscribe(audience=AgentId("a1")) as mine,
            feed.subscribe(audience=AgentId("a2")) as theirs,
            feed.subscribe(customer=CustomerId("u1")) as customer,
        ):
            envelopes = await _log_presence(store, 1)
            await bus.publish([envelopes[0], _typing()])
            assert len(await _take(mine, 2)) == 2
            assert await _take(customer, 1) == [_typing()]
            await asyncio.sleep(0.05)
            assert theirs.get_nowait() is None


async def test_installations_sharing_a_redis_never_mix() -> None:
    url = await redis_url()
    async with (
        Bus(url, namespace="install-a") as a,
        Bus(url, namespace="install-b") as b,
        Bus(url, namespace="install-a") as a_too,
        b.subscribe() as other,
        a_too.subscribe() as same,
    ):
        await asyncio.sleep(0.05)
        await a.publish([_presence(3)])
        [received] = await _take(same, 1)
        assert received.id == 3  # type: ignore[union-attr]
        await asyncio.sleep(0.1)
        assert other.get_nowait() is None


async def test_each_database_has_its_own_installation_id(tmp_path: object) -> None:
    async with open_store(f"sqlite+aiosqlite:///{tmp_path}/a.db") as a:
        first = a.installation_id
    async with open_store(f"sqlite+aiosqlite:///{tmp_path}/a.db") as again:
        assert again.installation_id == first  # stable across restarts
    async with open_store(f"sqlite+aiosqlite:///{tmp_path}/b.db") as b:
        assert b.installation_id != first and len(first) == 16


async def test_feed_drops_an_envelope_its_log_does_not_have(store: Store) -> None:
    async with Bus() as bus, EventFeed(bus, store.events) as feed:
        async with feed.subscribe() as subscription:
            [ours] = await _log_presence(store, 1)
            foreign = _presence(ours.id + 50)  # another installation's id, far ahead
            await bus.publish([foreign])
            await asyncio.sleep(0.2)  # past the gap wait: the feed reads its log
            await bus.publish([ours])
            [received] = await _take(subscription, 1)
            assert received.id == ours.id  # type: ignore[union-attr]
            [later] = await _log_presence(store, 1)
            await bus.publish([later])
            [next_one] = await _take(subscription, 1)
            assert next_one.id == later.id  # type: ignore[union-attr]


async def test_redis_bus_resubscribes_after_losing_its_connection() -> None:
    import redis.asyncio as aioredis

    url = await redis_url()
    async with Bus(url, namespace="reconnect") as bus, bus.subscribe() as subscription:
        admin = aioredis.from_url(url)
        try:
            # Drop every pub/sub connection to this Redis, as a restart or network cut would.
            await admin.execute_command("CLIENT", "KILL", "TYPE", "pubsub")
            for attempt in range(100):
                await bus.publish([_presence(attempt + 1)])
                message = await _first_or_none(subscription, 0.1)
                if message is not None:
                    break
            assert message is not None, "the bus never received again after the cut"
        finally:
            await admin.aclose()


async def _first_or_none(subscription: object, timeout: float) -> BusMessage | None:
    try:
        return await asyncio.wait_for(subscription.get(), timeout)  # type: ignore[attr-defined]
    except TimeoutError:
        return None


async def test_feed_fills_a_permanent_gap_under_steady_traffic(
    store: Store, sqlite_url: str
) -> None:
    """A rolled-back id never arrives. Messages every 10 ms must not postpone filling the gap:
    the feed waits from when the gap appeared, not from the last message."""
    import sqlalchemy as sa
    from sqlalchemy.ext.asyncio import create_async_engine

    async with Bus() as bus, EventFeed(bus, store.events) as feed:
        async with feed.subscribe() as subscription:
            envelopes = await _log_presence(store, 120)
            engine = create_async_engine(sqlite_url)
            async with engine.begin() as conn:  # as if its transaction had rolled back
                await conn.execute(
                    sa.text("DELETE FROM event_log WHERE id = :i"), {"i": envelopes[0].id}
                )
            await engine.dispose()

            async def steady_traffic() -> None:
                for envelope in envelopes[1:]:
                    await bus.publish([envelope])
                    await asyncio.sleep(0.01)  # steadier than the 50 ms gap wait

            traffic = asyncio.create_task(steady_traffic())
            [first] = await _take(subscription, 1)
            assert not traffic.done(), "events were held back until the traffic stopped"
            received = [first, *await _take(subscription, len(envelopes) - 2)]
            await traffic
            assert [m.id for m in received] == [e.id for e in envelopes[1:]]  # type: ignore[union-attr]


async def test_the_feed_recovers_from_its_own_overflow(store: Store) -> None:
    """A burst bigger than the feed's mailbox (10,000 queue positions at once, as one
    dispatch pass over a big backlog publishes) used to leave every listener of the process
    on one-second log polls, and typing signals never came again."""
    async with Bus(None, namespace="t") as bus, EventFeed(bus, store.events) as feed:
        async with feed.subscribe(audience=AgentId("a1")) as mine:
            burst = [
                Ephemeral(
                    type="queue",
                    conversation_id=ConversationId(f"c{n}"),
                    customer_id=CustomerId(f"u{n}"),
                    position=n,
                )
                for n in range(SUBSCRIBER_BACKLOG + 500)
            ]
            [logged] = await _log_presence(store, 1)  # in the log, never on the bus
            await bus.publish(burst)  # delivered before the feed's task can run
            await asyncio.sleep(0.1)
            await bus.publish([_typing()])
            got = await _take(mine, 2)
            assert logged in got  # read from the log
            assert any(isinstance(m, Ephemeral) and m.type == "typing" for m in got)  # live
