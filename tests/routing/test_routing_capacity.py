"""Capacity holds and the backlog drains: checked on every event as it is published."""

from __future__ import annotations

import asyncio
import random
from collections import Counter

from hub.events import Assigned, OfferMade
from hub.ids import ConversationId
from tests.routing.conftest import AutoAccept, Hub, Ledger, Watch

CONVERSATIONS, AGENTS, CAPACITY = 30, 3, 2


async def test_capacity_is_never_exceeded_and_nothing_is_assigned_twice(hub: Hub) -> None:
    agents = [await hub.agent(f"Agent{i}", capacity={"webchat": CAPACITY}) for i in range(AGENTS)]
    ledger = Ledger(capacity={a.id: CAPACITY for a in agents})
    rng = random.Random(7)
    async with Watch(hub.bus, [ledger]) as watch, AutoAccept(hub), hub.router():
        conversations = await asyncio.gather(
            *(hub.customer_writes(f"Customer{i}") for i in range(CONVERSATIONS))
        )
        resolved: set[ConversationId] = set()
        while len(resolved) < CONVERSATIONS:
            # Wait until every slot is used or nobody is left waiting, then free one to three
            # slots at once, so several dispatches compete for the freed capacity.
            await watch.count(Assigned, min(CONVERSATIONS, len(resolved) + AGENTS * CAPACITY))
            assert not ledger.violations, ledger.violations
            open_now = sorted(set(ledger.assigned) - resolved)
            batch = rng.sample(open_now, min(len(open_now), rng.randint(1, 3)))
            await asyncio.gather(*(hub.resolve(c) for c in batch))
            resolved.update(batch)

    assert not ledger.violations, ledger.violations
    assert sorted(ledger.assignments) == sorted(c.id for c in conversations)
    assert set(ledger.assignments.values()) == {1}
    offered = Counter(o.conversation_id for o in watch.events(OfferMade))
    assert set(offered.values()) == {1}, "every offer was accepted, so one offer each"
    assert await hub.store.reader.unresolved() == []
    assert await hub.store.reader.pending_offers() == []


async def test_a_freed_slot_drains_the_backlog_at_once(hub: Hub) -> None:
    ann = await hub.agent("Ann", capacity={"webchat": 1})
    async with Watch(hub.bus) as watch, hub.router():
        first = await hub.customer_writes("Dana")
        await hub.accept(await watch.offer(first.id))
        second = await hub.customer_writes("Eve")
        # The router has placed Eve in the queue: it routed her, and Ann is full.
        await watch.position(second.id, 1)
        assert watch.offers(second.id) == []

        # Resolving frees the slot; no safety resync (600 s here) is needed to notice.
        await hub.resolve(first.id)
        offer = await watch.offer(second.id)
    assert offer.agent_id == ann.id


async def test_capacity_is_per_channel(hub: Hub) -> None:
    ann = await hub.agent("Ann", capacity={"webchat": 1, "email": 1})
    async with Watch(hub.bus) as watch, AutoAccept(hub), hub.router():
        chat = await hub.customer_writes("Dana")
        await watch.until(lambda: watch.events(Assigned))
        mail = await hub.customer_writes("Eve", channel="email")
        sms = await hub.customer_writes("Fay", channel="sms")
        second_chat = await hub.customer_writes("Gus")
        await watch.count(Assigned, 2)
        await watch.position(sms.id, 1)
        await watch.position(second_chat.id, 2)
    assert {o.conversation_id for o in watch.events(OfferMade)} == {chat.id, mail.id}
    assert all(o.agent_id == ann.id for o in watch.events(OfferMade))
