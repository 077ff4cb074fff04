"""Queues: skills, priority order, positions, transfers and per-queue policies."""

from __future__ import annotations

import asyncio

from hub.errors import Conflict
from hub.events import Assigned, OfferMade, Unassigned
from tests.routing.conftest import AutoAccept, Hub, Watch


async def test_a_queue_needs_its_skills(hub: Hub) -> None:
    await hub.agent("Ann")
    bob = await hub.agent("Bob", skills=("billing",))
    async with Watch(hub.bus) as watch, hub.router():
        conversation = await hub.customer_writes("Dana", queue="billing")
        offer = await watch.offer(conversation.id)
    assert offer.agent_id == bob.id


async def test_higher_priority_is_served_first(hub: Hub) -> None:
    ann = await hub.agent("Ann", status="away")
    async with Watch(hub.bus) as watch, hub.router():
        plain = await hub.customer_writes("Plain")
        urgent = await hub.customer_writes("Urgent", priority=5)
        vip = await hub.customer_writes("Vip", queue="vip")
        await watch.position(plain.id, 2)
        await watch.position(urgent.id, 1)
        await watch.position(vip.id, 1)
        await hub.conversations.set_presence(ann.id, "available")
        offer = await watch.offer(vip.id)  # the vip queue outranks the general one
        await hub.offers.reject(ann.id, offer.offer_id, "")
        # Nobody else could take it, so it comes back to Ann rather than wait for nobody.
        await hub.accept(await watch.offer(vip.id, 2))
        await hub.resolve(vip.id)
        await hub.accept(await watch.offer(urgent.id))
        await hub.resolve(urgent.id)
        await watch.offer(plain.id)
    order = [o.conversation_id for o in watch.events(OfferMade)]
    assert order == [vip.id, vip.id, urgent.id, plain.id]


async def test_queue_positions_are_published_as_they_change(hub: Hub) -> None:
    ann = await hub.agent("Ann", status="away")
    async with Watch(hub.bus) as watch, hub.router():
        first = await hub.customer_writes("First")
        await watch.position(first.id, 1)
        second = await hub.customer_writes("Second")
        await watch.position(second.id, 2)
        jumper = await hub.customer_writes("Jumper", priority=1)
        await watch.position(jumper.id, 1)
        await watch.position(second.id, 3)
        await watch.position(first.id, 2)

        await hub.conversations.set_presence(ann.id, "available")
        await hub.accept(await watch.offer(jumper.id))
        await watch.position(second.id, 2)
        await watch.position(first.id, 1)
    # Each change is published once: no repeats of an unchanged position.
    assert watch.positions(first.id) == [1, 2, 1]
    assert watch.positions(second.id) == [2, 3, 2]
    assert watch.positions(jumper.id) == [1]


async def test_transfer_to_an_agent_pins_the_offer(hub: Hub) -> None:
    ann = await hub.agent("Ann")
    bob = await hub.agent("Bob", status="away")
    await hub.agent("Cat")
    async with Watch(hub.bus) as watch, AutoAccept(hub), hub.router():
        conversation = await hub.customer_writes("Dana")
        await watch.until(lambda: watch.events(Assigned))
        assert watch.events(Assigned)[0].agent_id == ann.id
        await hub.conversations.transfer(ann, conversation.id, to_agent_id=bob.id)
        await watch.until(lambda: watch.events(Unassigned))
        # Queued again (a second position 1) and waiting for Bob, who is away, though Cat is
        # free and Ann has room again.
        await watch.until(lambda: watch.positions(conversation.id) == [1, 1])
        assert len(watch.offers(conversation.id)) == 1
        await hub.conversations.set_presence(bob.id, "available")
        offer = await watch.offer(conversation.id, 2)
        await watch.count(Assigned, 2)
    assert offer.agent_id == bob.id
    stored = await hub.store.reader.conversation(conversation.id)
    assert stored is not None
    assert (stored.assignee_id, stored.target_agent_id) == (bob.id, None)


async def test_transfer_to_a_queue_routes_by_its_skills(hub: Hub) -> None:
    ann = await hub.agent("Ann")
    async with Watch(hub.bus) as watch, AutoAccept(hub), hub.router() as router:
        conversation = await hub.customer_writes("Dana")
        await watch.until(lambda: watch.events(Assigned))
        # Bob joins after the router started: it learns of him from his presence event.
        bob = await hub.agent("Bob", skills=("billing",), status="away")
        await hub.conversations.transfer(ann, conversation.id, to_queue="billing")
        # Queued again (a second position 1), and only Bob has the skill: he is away.
        await watch.until(lambda: watch.positions(conversation.id) == [1, 1])
        assert router.loads()[ann.id] == {}  # the transfer freed Ann's slot
        await hub.conversations.set_presence(bob.id, "available")
        offer = await watch.offer(conversation.id, 2)
        await watch.count(Assigned, 2)
        assert router.loads()[bob.id] == {"webchat": 1}
    assert offer.agent_id == bob.id
    stored = await hub.store.reader.conversation(conversation.id)
    assert stored is not None and (stored.queue, stored.assignee_id) == ("billing", bob.id)


async def test_round_robin_queue_takes_turns(hub: Hub) -> None:
    agents = [await hub.agent(name, capacity={"webchat": 5}) for name in ("Ann", "Bob", "Cat")]
    async with Watch(hub.bus) as watch, AutoAccept(hub), hub.router():
        for i in range(6):
            conversation = await hub.customer_writes(f"C{i}", queue="rr")
            await watch.offer(conversation.id)
    picked = [o.agent_id for o in watch.events(OfferMade)]
    ordered = sorted(a.id for a in agents)
    assert picked == ordered + ordered


async def test_least_busy_queue_fills_the_emptiest_agent(hub: Hub) -> None:
    ann = await hub.agent("Ann", capacity={"webchat": 2})
    bob = await hub.agent("Bob", capacity={"webchat": 4})
    async with Watch(hub.bus) as watch, AutoAccept(hub), hub.router():
        for i in range(5):
            conversation = await hub.customer_writes(f"C{i}", queue="lb")
            await watch.offer(conversation.id)
            await watch.count(Assigned, i + 1)
    picked = [o.agent_id for o in watch.events(OfferMade)]
    # 0/2 vs 0/4: tie, Ann by id; 1/2 vs 0/4; 1/2 vs 1/4; 1/2 vs 2/4: tie, Ann idle longer;
    # then Ann is full.
    assert picked == [ann.id, bob.id, bob.id, ann.id, bob.id]


async def test_an_offer_made_before_a_transfer_cannot_be_accepted_after_it(hub: Hub) -> None:
    """Ann, without the billing skill, is offered a general conversation; a supervisor moves
    it to billing and Ann accepts in the same moment (one write batch, before the router
    could cancel the offer). The transfer closes the offer, so her accept is refused."""
    ann = await hub.agent("Ann")
    supervisor = await hub.supervisor()
    async with Watch(hub.bus) as watch, hub.router():
        conversation = await hub.customer_writes("Dana")
        offer = await watch.offer(conversation.id)
        assert offer.agent_id == ann.id
        moved, accepted = await asyncio.gather(
            hub.conversations.transfer(supervisor, conversation.id, to_queue="billing"),
            hub.accept(offer),
            return_exceptions=True,
        )
        closed = await watch.closed(offer.offer_id)
    assert moved is None
    assert isinstance(accepted, Conflict), accepted
    assert (closed.outcome, closed.reason) == ("cancelled", "conversation transferred")
    stored = await hub.store.reader.conversation(conversation.id)
    assert stored is not None
    assert (stored.status, stored.queue, stored.assignee_id) == ("pending", "billing", None)
