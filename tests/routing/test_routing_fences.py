"""What the database refuses whatever a router believes: an offer to an agent who has no room
for it (made or accepted), and any write of a router that was deposed while it still thought
it led (its lease's epoch moved on)."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from hub.errors import LeaseLost, Unfit
from hub.flow.publishing import PublishingWork
from hub.ids import AgentId, ConversationId, OfferId, new_id
from hub.models import LeaseTerm, Offer
from hub.ports import Leases, Transaction
from hub.services.offers import OfferService
from hub.settings import RoutingSettings
from routing.router import LEASE
from tests.routing.conftest import Hub, Watch, eventually, open_hub


async def term(hub: Hub, holder: str = "test-router") -> LeaseTerm:
    epoch = await hub.store.leases.acquire(LEASE, holder, 60)
    assert epoch is not None
    return LeaseTerm(name=LEASE, epoch=epoch)


async def give_away(hub: Hub, holder: str) -> LeaseTerm:
    """Another router takes the lease after the current holder's ran out."""
    await hub.store.leases.acquire(LEASE, holder, 0.01)  # renewed to expire at once
    await asyncio.sleep(0.05)
    return await term(hub, f"successor-{uuid.uuid4().hex[:6]}")


async def test_no_offer_is_made_to_an_agent_without_a_free_slot(hub: Hub) -> None:
    fence = await term(hub)
    ann = await hub.agent("Ann", capacity={"webchat": 1})
    first = await hub.customer_writes("Dana")
    second = await hub.customer_writes("Eve")
    made = await hub.offers.make(first.id, ann.id, 60, term=fence)
    assert made is not None
    with pytest.raises(Unfit, match="no free webchat slot"):
        await hub.offers.make(second.id, ann.id, 60, term=fence)  # the pending offer counts
    await hub.offers.accept(ann.id, made.id)
    with pytest.raises(Unfit, match="no free webchat slot"):
        await hub.offers.make(second.id, ann.id, 60, term=fence)  # and so does the assignment
    assert [o.id for o in await hub.store.reader.pending_offers()] == []


async def test_capacity_falls_back_to_the_defaults_and_calls_block_chats(hub: Hub) -> None:
    fence = await term(hub)
    # No capacity of her own: routing.default_capacity (one call, three chats).
    ann = await hub.store.agents.add_agent("Ann", "ann@example.com", "x", "agent", [], {})
    await hub.conversations.set_presence(ann.id, "available")
    call = await hub.customer_writes("Caller", channel="voice")
    chat = await hub.customer_writes("Dana")
    offer = await hub.offers.make(call.id, ann.id, 60, term=fence)
    assert offer is not None
    await hub.offers.accept(ann.id, offer.id)
    with pytest.raises(Unfit, match="on a call"):
        await hub.offers.make(chat.id, ann.id, 60, term=fence)
    async with PublishingWork(hub.store.work, hub.bus) as work:
        allowed = RoutingSettings(chats_during_calls=True)
        during_calls = OfferService(work, allowed, lambda: hub.settings.queues)
        assert await during_calls.make(chat.id, ann.id, 60, term=fence) is not None


async def test_no_offer_is_made_to_an_agent_who_is_not_available(hub: Hub) -> None:
    fence = await term(hub)
    bob = await hub.agent("Bob", status="away")
    waiting = await hub.customer_writes("Dana")
    with pytest.raises(Unfit, match="the agent is away"):
        await hub.offers.make(waiting.id, bob.id, 60, term=fence)


async def test_an_accept_beyond_capacity_is_refused_and_closed(hub: Hub) -> None:
    """Two offers out to an agent with one slot (written past OfferService, as a router
    without these checks could): the first accept is refused while the other offer holds the
    slot, and closing it leaves the other to be accepted."""
    ann = await hub.agent("Ann", capacity={"webchat": 1})
    conversations = [await hub.customer_writes(name) for name in ("Dana", "Eve")]
    first, second = [unchecked_offer(c.id, ann.id) for c in conversations]
    await hub.store.work.run_batch([add(first), add(second)])
    async with Watch(hub.bus) as watch:
        with pytest.raises(Unfit, match=r"no free webchat slot \(1 of 1 in use\)"):
            await hub.offers.accept(ann.id, first.id)
        closed = await watch.closed(first.id)
        await hub.offers.accept(ann.id, second.id)
    assert (closed.outcome, closed.reason) == ("cancelled", "no free webchat slot (1 of 1 in use)")
    assert [c.id for c in await hub.store.reader.assigned_to(ann.id)] == [conversations[1].id]
    assert await hub.store.reader.pending_offers() == []


async def test_an_offer_for_a_queue_the_agent_lacks_skills_for_is_refused_on_accept(
    hub: Hub,
) -> None:
    """However it came to stand (made for the old queue, before a move): an accept checks the
    conversation's queue as it is now, and the refusal closes the offer."""
    ann = await hub.agent("Ann")
    waiting = await hub.customer_writes("Dana", queue="billing")
    stale = unchecked_offer(waiting.id, ann.id)
    await hub.store.work.run_batch([add(stale)])
    async with Watch(hub.bus) as watch:
        with pytest.raises(Unfit, match=r"lacks the billing queue's skills \(billing\)"):
            await hub.offers.accept(ann.id, stale.id)
        closed = await watch.closed(stale.id)
    assert (closed.outcome, closed.reason) == (
        "cancelled",
        "lacks the billing queue's skills (billing)",
    )
    stored = await hub.store.reader.conversation(waiting.id)
    assert stored is not None and stored.status == "pending"


async def test_a_deposed_routers_offers_and_closes_are_refused(hub: Hub) -> None:
    ann = await hub.agent("Ann", capacity={"webchat": 2})
    old = await term(hub, "old")
    first = await hub.customer_writes("Dana")
    second = await hub.customer_writes("Eve")
    offer = await hub.offers.make(first.id, ann.id, 60, term=old)
    assert offer is not None
    new = await give_away(hub, "old")
    assert new.epoch > old.epoch
    with pytest.raises(LeaseLost):
        await hub.offers.make(second.id, ann.id, 60, term=old)
    with pytest.raises(LeaseLost):
        await hub.offers.close(offer.id, "timeout", "late timer", term=old)
    assert [o.id for o in await hub.store.reader.pending_offers()] == [offer.id]
    assert await hub.offers.close(offer.id, "cancelled", "the new router's call", term=new)


async def test_a_router_that_lost_its_lease_mid_pass_decides_nothing(db_url: str) -> None:
    """The old router's renewals hang (a stalled process), so it still believes it leads
    when the lease runs out and a new router takes over. Cut off from the new router's bus,
    it then hears of a customer the new router's picture already accounts for and tries to
    offer it to the agent who is full: the write is refused, and the old router stops."""
    async with open_hub(db_url) as old_side, open_hub(db_url) as new_side:
        ann = await new_side.agent("Ann", capacity={"webchat": 1})
        stalling = StallingLeases(old_side.store.leases)
        async with old_side.router("old", lease_ttl=0.6, leases=stalling) as old:
            assert old.is_leader
            stalling.stall()
            async with Watch(new_side.bus) as watch, new_side.router("new", lease_ttl=0.6) as new:
                await eventually(lambda: new.is_leader)
                assert old.is_leader, "its renewal hangs: it does not know it was deposed"
                first = await new_side.customer_writes("Dana")
                offer = await watch.offer(first.id)
                assert offer.agent_id == ann.id  # Ann is full now
                await old_side.customer_writes("Eve")  # only the old router hears of it
                await eventually(lambda: not old.is_leader)
                assert new.is_leader
        pending = await new_side.store.reader.pending_offers()
    assert [o.id for o in pending] == [offer.offer_id]


class StallingLeases:
    """The real leases, whose acquire can be made to hang, as in a process that stalled."""

    def __init__(self, leases: Leases) -> None:
        self._leases = leases
        self._stalled = False
        self._never = asyncio.Event()

    def stall(self) -> None:
        self._stalled = True

    async def acquire(self, name: str, holder: str, ttl_seconds: float) -> int | None:
        if self._stalled:
            await self._never.wait()
        return await self._leases.acquire(name, holder, ttl_seconds)

    async def release(self, name: str, holder: str) -> None:
        await self._leases.release(name, holder)


def unchecked_offer(conversation_id: ConversationId, agent_id: AgentId) -> Offer:
    now = datetime.now(UTC)
    return Offer(
        id=OfferId(new_id()),
        conversation_id=conversation_id,
        agent_id=agent_id,
        state="pending",
        created_at=now,
        expires_at=now + timedelta(seconds=60),
    )


def add(offer: Offer) -> object:
    def act(tx: Transaction) -> None:
        tx.offers.add(offer)

    return act
