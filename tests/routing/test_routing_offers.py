"""The life of an offer through the real router: accept, reject, time out, agent goes away.
Every outcome is on the customer's timeline with its reason."""

from __future__ import annotations

from hub.events import Assigned, PresenceChanged
from hub.ids import CustomerId
from hub.settings import RoutingSettings
from tests.routing.conftest import Hub, Watch, open_hub


async def timeline_kinds(hub: Hub, customer_id: CustomerId) -> list[tuple[str, str | None]]:
    entries = await hub.store.reader.timeline(customer_id)
    return [(e.kind, e.payload.get("outcome")) for e in entries]


async def test_offer_accept_assigns(hub: Hub) -> None:
    ann = await hub.agent("Ann")
    async with Watch(hub.bus) as watch, hub.router():
        conversation = await hub.customer_writes("Dana")
        offer = await watch.offer(conversation.id)
        assert offer.agent_id == ann.id
        assert [o.id for o in await hub.store.reader.pending_offers()] == [offer.offer_id]

        assigned = await hub.accept(offer)
        await watch.until(lambda: watch.events(Assigned))

    assert assigned.status == "open" and assigned.assignee_id == ann.id
    stored = await hub.store.reader.conversation(conversation.id)
    assert stored is not None and stored.assignee_id == ann.id
    assert await timeline_kinds(hub, conversation.customer_id) == [
        ("conversation_opened", None),
        ("message", None),
        ("offer", None),
        ("offer_closed", "accepted"),
        ("assigned", None),
    ]


async def test_a_rejected_offer_goes_to_the_next_agent(hub: Hub) -> None:
    ann = await hub.agent("Ann")
    bob = await hub.agent("Bob")
    async with Watch(hub.bus) as watch, hub.router():
        conversation = await hub.customer_writes("Dana")
        first = await watch.offer(conversation.id)
        await hub.offers.reject(first.agent_id, first.offer_id, "on a call")
        second = await watch.offer(conversation.id, 2)

    assert {first.agent_id, second.agent_id} == {ann.id, bob.id}
    closed = [
        e.payload
        for e in await hub.store.reader.timeline(conversation.customer_id)
        if e.kind == "offer_closed"
    ]
    assert [(c["offer_id"], c["outcome"], c["reason"]) for c in closed] == [
        (first.offer_id, "rejected", "on a call")
    ]
    assert [o.id for o in await hub.store.reader.pending_offers()] == [second.offer_id]


async def test_an_unanswered_offer_times_out_to_the_next_agent(hub: Hub) -> None:
    await hub.agent("Ann")
    await hub.agent("Bob")
    async with Watch(hub.bus) as watch, hub.router(offer_timeout=0.2):
        conversation = await hub.customer_writes("Dana")
        first = await watch.offer(conversation.id)
        second = await watch.offer(conversation.id, 2)
        closed = await watch.closed(first.offer_id)
        pending = await hub.store.reader.pending_offers()

    assert second.agent_id != first.agent_id
    assert (closed.outcome, closed.reason) == ("timeout", "no answer within 0.2s")
    assert [o.id for o in pending] == [second.offer_id]
    entries = await hub.store.reader.timeline(conversation.customer_id)
    recorded = [e.payload for e in entries if e.kind == "offer_closed"]
    assert recorded[0]["offer_id"] == first.offer_id
    assert (recorded[0]["outcome"], recorded[0]["reason"]) == ("timeout", "no answer within 0.2s")


async def test_a_lone_agent_is_offered_again_after_a_timeout(hub: Hub) -> None:
    ann = await hub.agent("Ann")
    async with Watch(hub.bus) as watch, hub.router(offer_timeout=0.2):
        conversation = await hub.customer_writes("Dana")
        await watch.offer(conversation.id)
        again = await watch.offer(conversation.id, 2)
        assert again.agent_id == ann.id  # nobody else can take it: it does not get stuck
        await hub.accept(again)
        await watch.until(lambda: watch.events(Assigned))


async def test_an_agent_going_away_has_their_offer_cancelled(hub: Hub) -> None:
    ann = await hub.agent("Ann")
    bob = await hub.agent("Bob", status="away")
    async with Watch(hub.bus) as watch, hub.router():
        conversation = await hub.customer_writes("Dana")
        first = await watch.offer(conversation.id)
        assert first.agent_id == ann.id
        await hub.conversations.set_presence(bob.id, "available")
        await hub.conversations.set_presence(ann.id, "away")
        closed = await watch.closed(first.offer_id)
        second = await watch.offer(conversation.id, 2)

    assert (closed.outcome, closed.reason) == ("cancelled", "agent went away")
    assert second.agent_id == bob.id
    assert [o.agent_id for o in await hub.store.reader.pending_offers()] == [bob.id]


async def test_an_agent_who_comes_back_gets_the_waiting_conversation(hub: Hub) -> None:
    ann = await hub.agent("Ann", status="offline")
    async with Watch(hub.bus) as watch, hub.router():
        conversation = await hub.customer_writes("Dana")
        await watch.position(conversation.id, 1)  # routed, and nobody to offer it to
        assert watch.offers(conversation.id) == []
        await hub.conversations.set_presence(ann.id, "available")
        offer = await watch.offer(conversation.id)
    assert offer.agent_id == ann.id


async def test_resolving_a_conversation_cancels_its_pending_offer(hub: Hub) -> None:
    ann = await hub.agent("Ann")
    supervisor = await hub.supervisor()
    async with Watch(hub.bus) as watch, hub.router():
        conversation = await hub.customer_writes("Dana")
        offer = await watch.offer(conversation.id)
        await hub.conversations.resolve(supervisor, conversation.id)
        closed = await watch.closed(offer.offer_id)
    assert (closed.agent_id, closed.outcome, closed.reason) == (
        ann.id,
        "cancelled",
        "conversation resolved",
    )
    assert await hub.store.reader.pending_offers() == []


async def test_one_who_declined_gets_it_again_when_the_only_other_agent_is_full(
    hub: Hub,
) -> None:
    ann = await hub.agent("Ann")
    bob = await hub.agent("Bob")
    async with Watch(hub.bus) as watch, hub.router():
        busy = await hub.customer_writes("Busy")
        first = await watch.offer(busy.id)
        await hub.accept(first)
        other = ann if first.agent_id == bob.id else bob
        # The other agent passes on the next one; the only agent left has no free slot.
        waiting = await hub.customer_writes("Dana")
        declined = await watch.offer(waiting.id)
        assert declined.agent_id == other.id
        await hub.offers.reject(other.id, declined.offer_id, "not now")
        again = await watch.offer(waiting.id, 2)
    assert again.agent_id == other.id, "idle next to work: offered again rather than stuck"


async def test_an_agent_who_misses_offers_in_a_row_is_set_away(db_url: str) -> None:
    """routing.max_missed_offers (2) unanswered offers in a row: the agent is set away, with
    the reason, instead of being offered the same conversation every timeout forever. An
    answer (a rejection too) between two timeouts starts the count again."""
    routing = RoutingSettings(offer_timeout_seconds=0.2)
    async with open_hub(db_url, routing=routing) as hub:
        ann = await hub.agent("Ann")
        async with Watch(hub.bus) as watch, hub.router(offer_timeout=0.2):
            conversation = await hub.customer_writes("Dana")
            first = await watch.offer(conversation.id)
            await watch.closed(first.offer_id)  # missed: one
            second = await watch.offer(conversation.id, 2)
            await hub.offers.reject(ann.id, second.offer_id, "not yet")  # an answer
            third = await watch.offer(conversation.id, 3)
            await watch.closed(third.offer_id)  # missed: one again
            fourth = await watch.offer(conversation.id, 4)
            closed = await watch.closed(fourth.offer_id)  # missed: two in a row
            away = await watch.until(
                lambda: [p for p in watch.events(PresenceChanged) if p.status == "away"]
            )
            await watch.position(conversation.id, 1)  # routed again, and nobody to offer it to
        assert closed.outcome == "timeout"
        assert away[0].agent_id == ann.id
        assert away[0].reason == "2 offers in a row went unanswered"
        assert len(watch.offers(conversation.id)) == 4
        stored = await hub.store.agents.agent(ann.id)
        assert stored is not None and stored.status == "away"
        entries = await hub.store.reader.timeline(conversation.customer_id)
        assert [e.kind for e in entries][-1] == "offer_closed"  # presence is not the customer's
