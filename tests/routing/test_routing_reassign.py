"""A supervisor's reassignment: the conversation waits for the chosen agent only so long,
then goes back to its queue, and the customer keeps their place and their wait clock. An
agent's own transfer to a colleague stays pinned to them."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from hub.events import Assigned, Unpinned
from hub.settings import RoutingSettings
from tests.routing.conftest import Hub, Watch, open_hub

TIMEOUT = 0.5  # routing.offer_timeout_seconds here: how long a supervisor's pin holds


@pytest.fixture
async def quick(db_url: str) -> AsyncIterator[Hub]:
    async with open_hub(db_url, routing=RoutingSettings(offer_timeout_seconds=TIMEOUT)) as hub:
        yield hub


async def test_reassigning_to_an_away_agent_falls_back_to_the_queue(quick: Hub) -> None:
    hub = quick
    supervisor = await hub.supervisor()
    bob = await hub.agent("Bob", status="away")
    cat = await hub.agent("Cat", status="away")
    async with Watch(hub.bus) as watch, hub.router(offer_timeout=TIMEOUT):
        earlier = await hub.customer_writes("Earlier")
        waiting = await hub.customer_writes("Dana")
        await watch.position(waiting.id, 2)
        reassigned = await hub.conversations.reassign(supervisor, waiting.id, bob.id)
        assert (reassigned.target.id, reassigned.target.status) == (bob.id, "away")
        stored = await hub.store.reader.conversation(waiting.id)
        assert stored is not None
        assert stored.queued_at == waiting.queued_at, "the wait clock runs on"
        assert stored.pinned_until == reassigned.waits_until
        await hub.conversations.set_presence(cat.id, "available")
        # Cat is free, but the conversation waits for Bob until the pin runs out...
        first = await watch.offer(earlier.id)
        assert first.agent_id == cat.id and watch.offers(waiting.id) == []
        await hub.accept(first)
        await hub.resolve(earlier.id)
        unpinned = await watch.until(lambda: watch.events(Unpinned))
        # ... and then anyone in the queue may take it.
        offer = await watch.offer(waiting.id)
    assert offer.agent_id == cat.id
    assert (unpinned[0].agent_id, unpinned[0].reason) == (bob.id, "not taken within 0.5s")
    stored = await hub.store.reader.conversation(waiting.id)
    assert stored is not None and (stored.target_agent_id, stored.pinned_until) == (None, None)
    assert stored.queued_at == waiting.queued_at


async def test_a_supervisors_pin_is_dropped_after_one_rejected_offer(hub: Hub) -> None:
    # The default offer timeout (20 s): the pin must end by the rejection, not by its
    # deadline, however slow this machine is today.
    supervisor = await hub.supervisor()
    ann = await hub.agent("Ann", status="away")
    bob = await hub.agent("Bob", status="away")
    async with Watch(hub.bus) as watch, hub.router(offer_timeout=60):
        waiting = await hub.customer_writes("Dana")
        await watch.position(waiting.id, 1)
        await hub.conversations.reassign(supervisor, waiting.id, bob.id)
        await hub.conversations.set_presence(bob.id, "available")
        await hub.conversations.set_presence(ann.id, "available")
        first = await watch.offer(waiting.id)
        assert first.agent_id == bob.id
        await hub.offers.reject(bob.id, first.offer_id, "not mine")
        second = await watch.offer(waiting.id, 2)
    assert second.agent_id == ann.id
    unpinned = watch.events(Unpinned)
    assert [(u.agent_id, u.reason) for u in unpinned] == [(bob.id, "offer rejected")]


async def test_an_agents_transfer_to_a_colleague_stays_theirs_after_a_rejection(
    hub: Hub,
) -> None:
    """A hand-off between agents is the sender's choice, made seeing the colleague's
    presence: it waits for them, and is offered to them again after they reject it."""
    ann = await hub.agent("Ann")
    bob = await hub.agent("Bob")
    async with Watch(hub.bus) as watch, hub.router():
        conversation = await hub.customer_writes("Dana")
        offer = await watch.offer(conversation.id)
        owner = ann if offer.agent_id == ann.id else bob
        colleague = bob if owner is ann else ann
        await hub.accept(offer)
        await hub.conversations.transfer(owner, conversation.id, to_agent_id=colleague.id)
        first = await watch.offer(conversation.id, 2)
        await hub.offers.reject(colleague.id, first.offer_id, "in a minute")
        again = await watch.offer(conversation.id, 3)
        await hub.accept(again)
        await watch.count(Assigned, 2)
    assert (first.agent_id, again.agent_id) == (colleague.id, colleague.id)
    assert watch.events(Unpinned) == []
