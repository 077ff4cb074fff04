"""The router's state lives in the database: a restarted router rebuilds it, and of several
routers on one database only the lease holder routes."""

from __future__ import annotations

import pytest

from hub.events import Assigned, Ephemeral, OfferMade
from hub.flow.bus import SUBSCRIBER_BACKLOG
from hub.flow.feed import EventFeed
from hub.settings import RoutingSettings
from routing import Router
from tests.routing.conftest import AutoAccept, Hub, Ledger, Watch, open_hub


async def test_a_restarted_router_rebuilds_loads_offers_and_the_backlog(db_url: str) -> None:
    async with open_hub(db_url) as hub:
        ann = await hub.agent("Ann", capacity={"webchat": 2})
        cat = await hub.agent("Cat", status="away")  # never answers
        bob = await hub.agent("Bob", status="offline")
        async with Watch(hub.bus) as watch, AutoAccept(hub, [ann.id]), hub.router():
            c1 = await hub.customer_writes("C1")
            c2 = await hub.customer_writes("C2")
            await watch.count(Assigned, 2)
            await hub.conversations.set_presence(cat.id, "available")
            c3 = await hub.customer_writes("C3")
            stale = await watch.offer(c3.id)
            assert stale.agent_id == cat.id
            c4 = await hub.customer_writes("C4")
            await watch.position(c4.id, 2)
    async with open_hub(db_url) as hub:
        c5 = await hub.customer_writes("C5")  # arrives while no router runs
        async with Watch(hub.bus) as watch, hub.router():
            # Rebuilt: Ann holds two chats, Cat one offer; nobody is free for C4 and C5.
            await watch.position(c5.id, 3)
            assert watch.events(OfferMade) == []

            # Cat's old offer is still pending, and the new router frees her slot when she
            # rejects it. She passed on C3, but nobody else has room now (Ann is full), so
            # it comes back to her rather than wait next to an idle agent; Bob gets C4.
            await hub.offers.reject(cat.id, stale.offer_id, "busy")
            assert (await watch.offer(c3.id)).agent_id == cat.id
            await hub.conversations.set_presence(bob.id, "available")
            assert (await watch.offer(c4.id)).agent_id == bob.id
        assert {o.agent_id for o in watch.events(OfferMade)} == {cat.id, bob.id}
        owned = {c.id for c in await hub.store.reader.assigned_to(ann.id)}
        assert owned == {c1.id, c2.id}


async def test_a_pending_offer_times_out_under_the_next_router(db_url: str) -> None:
    async with open_hub(db_url) as hub:
        ann = await hub.agent("Ann")
        async with Watch(hub.bus) as watch, hub.router(offer_timeout=1.0):
            conversation = await hub.customer_writes("Dana")
            first = await watch.offer(conversation.id)
    async with open_hub(db_url) as hub:
        async with Watch(hub.bus) as watch, hub.router(offer_timeout=60.0):
            # The timer was re-armed from the offer's own expiry, not the new setting.
            closed = await watch.closed(first.offer_id)
            again = await watch.offer(conversation.id)
        assert (closed.outcome, closed.reason) == ("timeout", "no answer within 1s")
        assert again.agent_id == ann.id
        assert [o.id for o in await hub.store.reader.pending_offers()] == [again.offer_id]


async def test_only_the_lease_holder_routes(db_url: str) -> None:
    async with open_hub(db_url) as hub, open_hub(db_url, bus=hub.bus) as other:
        ann = await hub.agent("Ann", capacity={"webchat": 5})
        ledger = Ledger(capacity={ann.id: 5})
        one = hub.router("one", lease_ttl=0.6)
        async with Watch(hub.bus, [ledger]) as watch, one:
            async with other.router("two", lease_ttl=0.6) as two:
                assert one.is_leader and not two.is_leader
                waiting = [await hub.customer_writes(f"C{i}") for i in range(3)]
                for conversation in waiting:
                    await watch.offer(conversation.id)
                await watch.position(waiting[-1].id, 3)
                assert two.loads() == {}  # the stand-by keeps no state
                assert one.loads() == {ann.id: {"webchat": 3}}

                await one.__aexit__(None, None, None)  # the leader stops and frees the lease
                assert not one.is_leader
                late = await hub.customer_writes("Late")
                offer = await watch.offer(late.id)
                assert two.is_leader
                assert two.loads() == {ann.id: {"webchat": 4}}
        assert offer.agent_id == ann.id
        assert not ledger.violations, ledger.violations
        assert len(watch.events(OfferMade)) == 4, "each conversation was offered once"
        assert len(await hub.store.reader.pending_offers()) == 4


async def test_a_router_that_falls_behind_resubscribes_and_rebuilds(
    hub: Hub, caplog: pytest.LogCaptureFixture
) -> None:
    ann = await hub.agent("Ann", capacity={"webchat": 2})
    async with hub.router():
        async with Watch(hub.bus) as watch:
            first = await hub.customer_writes("First")
            await hub.accept(await watch.offer(first.id))
        # One publish larger than any subscriber's backlog: every subscription overflows,
        # the router's included, before it can read a single message.
        noise = [
            Ephemeral(type="typing", conversation_id=first.id, customer_id=first.customer_id)
            for _ in range(SUBSCRIBER_BACKLOG + 1)
        ]
        await hub.bus.publish(noise)
        async with Watch(hub.bus) as watch:
            second = await hub.customer_writes("Second")
            offer = await watch.offer(second.id)
    assert offer.agent_id == ann.id
    assert [o.id for o in await hub.store.reader.pending_offers()] == [offer.offer_id]
    assert "router fell behind the event stream" in caplog.text


async def test_routing_over_the_ordered_event_feed(hub: Hub) -> None:
    """The app hands the router hub.feed.EventFeed rather than the raw bus."""
    ann = await hub.agent("Ann")
    async with EventFeed(hub.bus, hub.store.events) as feed, Watch(hub.bus) as watch:
        router = Router(
            hub.store.reader,
            hub.store.agents,
            hub.offers,
            hub.store.leases,
            feed,
            RoutingSettings(),
            lambda: hub.settings.queues,
            "feed-router",
        )
        async with router:
            conversation = await hub.customer_writes("Dana")
            offer = await watch.offer(conversation.id)
            await hub.accept(offer)
            later = await hub.customer_writes("Eve")
            await watch.position(later.id, 1)  # the feed is ordered: the assignment came first
            assert router.loads() == {ann.id: {"webchat": 1}}
            assert watch.offers(later.id) == []
    assert offer.agent_id == ann.id
