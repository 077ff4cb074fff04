"""The storage contract: every port behaves the same on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from hub.events import MessageCreated, NoteAdded, OfferOutcome, PresenceChanged
from hub.flow.placement import place
from hub.ids import AgentId, NoteId, OfferId
from hub.models import InboundMessage, Offer
from hub.ports import Failed, Store, Transaction
from storage import open_store
from tests.visitors import new_visitor


@pytest.fixture
async def store(database_url: str) -> AsyncIterator[Store]:
    async with open_store(database_url, migrate=True) as opened:
        yield opened


def _inbound(customer_id: str, key: str, text: str = "hi") -> InboundMessage:
    return InboundMessage(
        channel="webchat",
        customer_id=customer_id,  # type: ignore[arg-type]
        dedupe_key=key,
        text=text,
        client_id=key,
        queue="general",
    )


async def test_ingest_dedupes_and_opens_one_conversation(store: Store) -> None:
    visitor = await new_visitor(store, "Eve")
    cid = visitor.customer.id
    batch = [_inbound(cid, "a", "one"), _inbound(cid, "b", "two"), _inbound(cid, "a", "again")]
    results, envelopes = await store.inbound.ingest(batch, place)
    assert [r.duplicate for r in results] == [False, False, True]
    assert results[2].message.id == results[0].message.id
    assert len({r.conversation.id for r in results}) == 1
    assert [e.event.type for e in envelopes] == ["conversation_opened", "message", "message"]
    assert [e.id for e in envelopes] == sorted(e.id for e in envelopes)

    again, more = await store.inbound.ingest([_inbound(cid, "b", "two")], place)
    assert again[0].duplicate and again[0].message.id == results[1].message.id and more == []
    messages = await store.reader.messages(results[0].conversation.id)
    assert [m.text for m in messages] == ["one", "two"]
    kinds = [entry.kind for entry in await store.reader.timeline(cid)]
    assert kinds == ["conversation_opened", "message", "message"]


async def test_a_resolved_conversation_is_not_reused(store: Store) -> None:
    visitor = await new_visitor(store, "Fay")
    first, _ = await store.inbound.ingest([_inbound(visitor.customer.id, "1")], place)
    conversation = first[0].conversation
    resolved = conversation.model_copy(update={"status": "resolved"})
    await store.work.run_batch([lambda tx: tx.conversations.save(resolved)])
    second, _ = await store.inbound.ingest([_inbound(visitor.customer.id, "2")], place)
    assert second[0].conversation.id != conversation.id
    assert second[0].conversation.status == "pending"


async def test_visitor_token_resumes_and_email_is_never_stolen(store: Store) -> None:
    token = "gus-token-0123456789"
    first = await store.visitors.register(token, "Gus", "gus@example.com")
    assert await store.visitors.register(token, "Gus again", None) == first
    found = await store.visitors.find(token)
    assert found is not None and found.customer.id == first
    assert found.customer.display_name == "Gus"
    impostor = await new_visitor(store, "Not Gus", "GUS@example.com")
    assert impostor.customer.id != first
    identities = {(i.kind, i.address, i.verified) for i in impostor.customer.identities}
    assert ("email", "gus@example.com", True) not in identities  # a claim, no more
    assert await store.visitors.find("no-such-token-123") is None


async def test_a_failing_action_is_rolled_back_alone(store: Store) -> None:
    agent = await store.agents.add_agent("Hal", "hal@example.com", "x", "agent", [], {})
    visitor = await new_visitor(store, "Ida")
    results, _ = await store.inbound.ingest([_inbound(visitor.customer.id, "k")], place)
    conversation = results[0].conversation
    before = await store.events.last_id()

    def crashing(tx: Transaction) -> None:
        tx.emit(PresenceChanged(agent_id=agent.id, status="available"), agent.id)
        tx.agents.set_presence(agent.id, "available")
        raise RuntimeError("crash mid-action")

    def noting(tx: Transaction) -> str:
        note = NoteAdded(
            conversation_id=conversation.id,
            customer_id=visitor.customer.id,
            note_id=NoteId("n1"),
            agent_id=agent.id,
            agent_name="Hal",
            text="private",
        )
        tx.emit(note, agent.id)
        tx.emit(PresenceChanged(agent_id=agent.id, status="away"), agent.id)
        return "noted"

    outcomes, envelopes = await store.work.run_batch([crashing, noting])
    assert isinstance(outcomes[0], Failed) and str(outcomes[0].error) == "crash mid-action"
    assert outcomes[1] == "noted"
    assert (await store.agents.agent(agent.id)).status == "offline"  # type: ignore[union-attr]
    assert [e.event.type for e in envelopes] == ["note", "presence"]
    mine = await store.events.after(before, agent.id)
    assert [e.id for e in mine] == [e.id for e in envelopes]
    timeline = await store.reader.timeline(visitor.customer.id)
    assert timeline[-1].kind == "note" and timeline[-1].payload["event_id"] == envelopes[0].id


async def test_an_offer_is_decided_once(store: Store) -> None:
    agent = await store.agents.add_agent("Jo", "jo@example.com", "x", "agent", [], {})
    visitor = await new_visitor(store, "Kim")
    results, _ = await store.inbound.ingest([_inbound(visitor.customer.id, "k")], place)
    now = datetime.now(UTC)
    offer = Offer(
        id=OfferId("offer-1"),
        conversation_id=results[0].conversation.id,
        agent_id=agent.id,
        state="pending",
        created_at=now,
        expires_at=now + timedelta(seconds=20),
    )
    await store.work.run_batch([lambda tx: tx.offers.add(offer)])
    assert [o.id for o in await store.reader.pending_offers(agent.id)] == ["offer-1"]

    async def decide(outcome: OfferOutcome) -> bool:
        [decided], _ = await store.work.run_batch(
            [lambda tx: tx.offers.close(offer.id, outcome, outcome, now)]
        )
        return bool(decided)

    outcomes = await asyncio.gather(decide("accepted"), decide("timeout"))
    assert sorted(outcomes) == [False, True]
    assert await store.reader.pending_offers() == []


async def test_event_ids_follow_commit_order_under_concurrency(store: Store) -> None:
    agent = await store.agents.add_agent("Lu", "lu@example.com", "x", "agent", [], {})
    start = await store.events.last_id()

    async def write(n: int) -> None:
        event = PresenceChanged(agent_id=agent.id, status="available" if n % 2 else "away")
        await store.work.run_batch([lambda tx: tx.emit(event)])

    await asyncio.gather(
        *(write(n) for n in range(40)), *(_ingest_one(store, n) for n in range(20))
    )
    ids = [e.id for e in await store.events.after(start)]
    assert len(ids) == 40 + 40 and ids == sorted(ids)


async def _ingest_one(store: Store, n: int) -> None:
    visitor = await new_visitor(store, f"V{n}")
    await store.inbound.ingest([_inbound(visitor.customer.id, f"order-{n}")], place)


async def test_leases_have_one_holder_until_they_expire(store: Store) -> None:
    assert await store.leases.acquire("router", "a", 60)
    assert not await store.leases.acquire("router", "b", 60)
    assert await store.leases.acquire("router", "a", 60)  # renewal
    await store.leases.release("router", "a")
    assert await store.leases.acquire("router", "b", 0.01)
    await asyncio.sleep(0.05)
    assert await store.leases.acquire("router", "a", 60)  # b's lease ran out


async def test_a_leases_epoch_grows_with_each_new_holder(store: Store) -> None:
    """The epoch fences a deposed holder's writes: it must never come back to a value an
    earlier holder had, whether the lease ran out or was released."""
    assert await store.leases.acquire("router", "a", 0.01) == 1
    assert await store.leases.acquire("router", "a", 0.01) == 1  # a renewal keeps it
    await asyncio.sleep(0.05)
    assert await store.leases.acquire("router", "b", 60) == 2  # a's ran out
    assert await store.leases.acquire("router", "a", 60) is None
    assert await store.leases.acquire("router", "b", 60) == 2
    await store.leases.release("router", "b")
    assert await store.leases.acquire("router", "b", 60) == 3  # released: a new term
    assert await store.leases.acquire("other", "a", 60) == 1  # each lease counts its own

    def epoch(tx: Transaction) -> int | None:
        return tx.leases.epoch("router")

    assert (await store.work.run_batch([epoch]))[0] == [3]


async def test_queue_stats_count_waiting_and_service_level(store: Store) -> None:
    agent = await store.agents.add_agent("Mo", "mo@example.com", "x", "agent", [], {})
    customers = [await new_visitor(store, f"C{i}") for i in range(3)]
    results, _ = await store.inbound.ingest(
        [_inbound(c.customer.id, f"k{i}") for i, c in enumerate(customers)], place
    )
    conversation = results[0].conversation
    # Storage writes what hub decides: the first assignment's time is hub's rule.
    assigned = {"status": "open", "assignee_id": agent.id, "first_assigned_at": datetime.now(UTC)}
    opened = conversation.model_copy(update=assigned)
    await store.work.run_batch([lambda tx: tx.conversations.save(opened)])
    since = datetime.now(UTC) - timedelta(hours=1)
    [stats] = await store.reader.queue_stats([("general", 60)], since)
    assert stats.waiting == 2 and stats.longest_wait_seconds >= 0
    assert (stats.answered, stats.answered_within_target) == (1, 1)
    assert stats.service_level_pct == 100.0
    assert [c.id for c in await store.reader.assigned_to(AgentId(agent.id))] == [conversation.id]


async def test_a_customer_waiting_past_target_counts_as_missed(store: Store) -> None:
    """The live service level: answered within target over answered plus those still
    waiting past it. A transferred conversation waits again but was answered already."""
    agent = await store.agents.add_agent("Mo", "mo@example.com", "x", "agent", [], {})
    customers = [await new_visitor(store, f"C{i}") for i in range(4)]
    results, _ = await store.inbound.ingest(
        [_inbound(c.customer.id, f"k{i}") for i, c in enumerate(customers)], place
    )
    answered, overdue, recent, transferred = (r.conversation for r in results)
    now = datetime.now(UTC)
    long_ago = now - timedelta(seconds=120)
    changes = [
        answered.model_copy(
            update={"status": "open", "assignee_id": agent.id, "first_assigned_at": now}
        ),
        overdue.model_copy(update={"created_at": long_ago, "queued_at": long_ago}),
        transferred.model_copy(
            update={"created_at": long_ago, "first_assigned_at": long_ago + timedelta(seconds=5)}
        ),
    ]
    await store.work.run_batch([lambda tx, c=c: tx.conversations.save(c) for c in changes])
    [stats] = await store.reader.queue_stats([("general", 60)], now - timedelta(hours=1))
    assert stats.waiting == 3 and stats.longest_wait_seconds >= 120
    assert (stats.answered, stats.answered_within_target) == (2, 2)
    assert stats.waiting_past_target == 1  # `recent` is still within target
    assert stats.service_level_pct == round(100 * 2 / 3, 1)
    assert recent.status == "pending"

    [none_yet] = await store.reader.queue_stats([("other", 60)], now - timedelta(hours=1))
    assert none_yet.service_level_pct is None


async def test_agent_directory(store: Store) -> None:
    added = await store.agents.add_agent(
        "Ned", "Ned@Example.com", "hash", "supervisor", ["billing"], {"webchat": 2}
    )
    found = await store.agents.credentials("ned@example.com")
    assert found is not None and found[0] == added and found[1] == "hash"
    assert added.is_supervisor and added.skills == ("billing",)
    assert await store.agents.credentials("nobody@example.com") is None


async def test_message_events_round_trip_through_the_log(store: Store) -> None:
    visitor = await new_visitor(store, "Ola")
    _, envelopes = await store.inbound.ingest([_inbound(visitor.customer.id, "z", "hello")], place)
    replayed = await store.events.after(envelopes[0].id - 1)
    assert replayed == envelopes
    message = replayed[-1].event
    assert isinstance(message, MessageCreated) and message.text == "hello"
    assert message.created_at.tzinfo is not None


async def test_the_database_refuses_a_second_pending_offer(store: Store) -> None:
    from sqlalchemy.exc import IntegrityError

    agent = await store.agents.add_agent("Pat", "pat@example.com", "x", "agent", [], {})
    visitor = await new_visitor(store, "Ray")
    results, _ = await store.inbound.ingest([_inbound(visitor.customer.id, "k")], place)
    conversation_id = results[0].conversation.id
    now = datetime.now(UTC)

    def offer(offer_id: str) -> Offer:
        return Offer(
            id=OfferId(offer_id),
            conversation_id=conversation_id,
            agent_id=agent.id,
            state="pending",
            created_at=now,
            expires_at=now + timedelta(seconds=20),
        )

    outcomes, _ = await store.work.run_batch(
        [
            lambda tx: tx.offers.add(offer("first")),
            lambda tx: tx.offers.add(offer("second")),
            lambda tx: tx.offers.pending_for(conversation_id),
        ]
    )
    assert isinstance(outcomes[1], Failed) and isinstance(outcomes[1].error, IntegrityError)
    assert outcomes[2].id == "first"  # the batch went on after the refused action
    outcomes, _ = await store.work.run_batch(
        [
            lambda tx: tx.offers.close(OfferId("first"), "timeout", "test", now),
            lambda tx: tx.offers.add(offer("third")),  # allowed once the first is decided
        ]
    )
    assert outcomes == [True, None]


async def test_a_snoozed_conversation_still_holds_its_agents_slot(store: Store) -> None:
    agent = await store.agents.add_agent("Ann", "ann@x.test", "h", "agent", [], {"webchat": 1})
    visitor = await new_visitor(store, "Sid")
    results, _ = await store.inbound.ingest([_inbound(visitor.customer.id, "s1")], place)
    conversation = results[0].conversation
    other, _ = await store.inbound.ingest(
        [_inbound((await new_visitor(store, "O")).customer.id, "o")], place
    )
    until = datetime.now(UTC) + timedelta(hours=1)
    snoozed = conversation.model_copy(
        update={"status": "snoozed", "assignee_id": agent.id, "snoozed_until": until}
    )

    def snooze(tx: Transaction) -> dict[str, int]:
        tx.conversations.save(snoozed)
        return tx.agents.holds(agent.id, other[0].conversation.id)

    [held], _ = await store.work.run_batch([snooze])
    assert held == {"webchat": 1}
    assert [c.id for c in await store.reader.assigned_to(agent.id)] == [conversation.id]
    assert await store.listing.snoozed_due(until - timedelta(seconds=1)) == []
    assert await store.listing.snoozed_due(until) == [conversation.id]
