"""RoutingState on its own: eligibility, slots counted once, events applied idempotently."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hub.ids import AgentId, ConversationId, CustomerId, OfferId
from hub.models import Agent, Conversation, Offer, Presence
from hub.settings import QueueSettings, RoutingSettings
from routing.state import RoutingState
from routing.tickets import Reservation

NOW = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
QUEUES = (QueueSettings(name="general"), QueueSettings(name="billing", skills=("billing",)))


def state() -> RoutingState:
    return RoutingState(lambda: QUEUES, RoutingSettings().default_capacity)


def agent(
    name: str,
    *,
    skills: tuple[str, ...] = (),
    capacity: dict[str, int] | None = None,
    status: Presence = "available",
) -> Agent:
    return Agent(
        id=AgentId(name),
        name=name,
        email=f"{name}@example.com",
        role="agent",
        skills=skills,
        capacity={"webchat": 1} if capacity is None else capacity,
        status=status,
    )


def conversation(
    name: str,
    *,
    queue: str = "general",
    status: str = "pending",
    assignee: str | None = None,
    target: str | None = None,
) -> Conversation:
    return Conversation.model_validate(
        {
            "id": name,
            "customer_id": f"customer-{name}",
            "customer_name": name,
            "channel": "webchat",
            "queue": queue,
            "status": status,
            "assignee_id": assignee,
            "target_agent_id": target,
            "created_at": NOW,
            "queued_at": NOW,
        }
    )


def offer(offer_id: str, conversation_id: str, agent_id: str) -> Reservation:
    return Reservation.of(
        Offer(
            id=OfferId(offer_id),
            conversation_id=ConversationId(conversation_id),
            agent_id=AgentId(agent_id),
            state="pending",
            created_at=NOW,
            expires_at=NOW + timedelta(seconds=20),
        )
    )


def eligible(s: RoutingState, conversation_id: str) -> set[str]:
    return {c.agent_id for c in s.eligible(s.tickets[ConversationId(conversation_id)])}


def test_eligible_needs_presence_skills_and_a_free_slot() -> None:
    s = state()
    s.upsert_agent(agent("ann", skills=("billing",)))
    s.upsert_agent(agent("bob"))
    s.upsert_agent(agent("cat", skills=("billing",), status="away"))
    s.upsert_agent(agent("dan", skills=("billing",), capacity={"email": 5}))
    s.track(conversation("c1", queue="billing"))
    s.track(conversation("c2"))
    assert eligible(s, "c1") == {"ann"}
    assert eligible(s, "c2") == {"ann", "bob"}
    assert s.reserve(offer("o1", "c2", "ann"))
    assert eligible(s, "c1") == set()  # ann's one webchat slot is taken by the offer


def test_an_agent_without_configured_capacity_gets_the_defaults() -> None:
    s = state()
    s.upsert_agent(agent("ann", capacity={}))
    assert s.agents[AgentId("ann")].capacity_on("webchat") == 3


def test_agents_who_declined_come_last() -> None:
    s = state()
    for name in ("ann", "bob"):
        s.upsert_agent(agent(name))
    s.track(conversation("c1"))
    s.reserve(offer("o1", "c1", "ann"))
    s.close_offer(OfferId("o1"), "rejected", AgentId("ann"), ConversationId("c1"))
    assert eligible(s, "c1") == {"bob"}
    s.set_presence(AgentId("bob"), "away")
    assert eligible(s, "c1") == {"ann"}  # nobody else can take it: back to ann


def test_a_pinned_conversation_goes_only_to_its_target() -> None:
    s = state()
    s.upsert_agent(agent("ann"))
    s.upsert_agent(agent("bob"))
    s.track(conversation("c1", queue="billing", target="bob"))  # skills do not bind a pin
    assert eligible(s, "c1") == {"bob"}
    s.set_presence(AgentId("bob"), "offline")
    assert eligible(s, "c1") == set()


def test_a_slot_is_counted_once_however_often_events_repeat() -> None:
    s = state()
    s.upsert_agent(agent("ann", capacity={"webchat": 2}))
    c1 = conversation("c1")
    s.track(c1)
    s.track(c1)
    assert s.reserve(offer("o1", "c1", "ann"))
    assert s.reserve(offer("o1", "c1", "ann"))  # the echo of our own offer
    assert s.loads() == {AgentId("ann"): {"webchat": 1}}
    assert not s.reserve(offer("o2", "c1", "ann")), "a second offer of one conversation"
    for _ in range(2):
        s.close_offer(OfferId("o1"), "accepted", AgentId("ann"), ConversationId("c1"))
        s.assign(ConversationId("c1"), AgentId("ann"))
    assert s.loads() == {AgentId("ann"): {"webchat": 1}}
    assert s.waiting() == []
    s.resolve(ConversationId("c1"))
    s.resolve(ConversationId("c1"))
    assert s.loads() == {AgentId("ann"): {}}


def test_a_decided_offer_is_not_revived_by_a_late_echo() -> None:
    s = state()
    s.upsert_agent(agent("ann"))
    s.track(conversation("c1"))
    s.reserve(offer("o1", "c1", "ann"))
    s.close_offer(OfferId("o1"), "timeout", AgentId("ann"), ConversationId("c1"))
    assert s.is_decided(OfferId("o1"))
    assert s.loads() == {AgentId("ann"): {}}
    assert s.tickets[ConversationId("c1")].declined_by == {AgentId("ann")}


def test_transfer_frees_the_slot_and_clears_refusals() -> None:
    s = state()
    s.upsert_agent(agent("ann"))
    s.upsert_agent(agent("bob"))
    s.track(conversation("c1", status="open", assignee="ann"))
    s.tickets[ConversationId("c1")].declined_by.add(AgentId("bob"))
    s.unassign(ConversationId("c1"), AgentId("ann"))
    assert s.requeue(ConversationId("c1"), "billing", AgentId("bob"), NOW)
    ticket = s.tickets[ConversationId("c1")]
    assert (ticket.queue, ticket.target_agent_id, ticket.declined_by) == ("billing", "bob", set())
    assert s.loads()[AgentId("ann")] == {}
    assert not s.requeue(ConversationId("unknown"), None, None, NOW)


def test_rebuild_keeps_memory_and_returns_offers_that_cannot_stand() -> None:
    s = state()
    s.upsert_agent(agent("ann"))
    s.picked("general", AgentId("ann"), NOW)
    pending = [offer("o1", "c1", "ann"), offer("o2", "c1", "ann"), offer("o3", "gone", "ann")]
    stray = s.rebuild(
        [agent("ann"), agent("bob")],
        [conversation("c1"), conversation("c2", status="open", assignee="bob")],
        [
            Offer(
                id=r.offer_id,
                conversation_id=r.conversation_id,
                agent_id=r.agent_id,
                state="pending",
                created_at=NOW - timedelta(minutes=1),
                expires_at=r.expires_at,
            )
            for r in pending
        ],
    )
    assert [(o.id, why) for o, why in stray] == [
        ("o2", "conversation already offered"),
        ("o3", "conversation not waiting"),
    ]
    assert s.agents[AgentId("ann")].idle_since == NOW
    assert s.loads() == {AgentId("ann"): {"webchat": 1}, AgentId("bob"): {"webchat": 1}}
    assert [t.conversation_id for t in s.waiting()] == ["c1"]
    assert CustomerId("customer-c1") == s.tickets[ConversationId("c1")].customer_id


def test_one_who_declined_is_offered_again_when_the_others_are_full() -> None:
    """The fallback to those who declined is taken among agents with a free slot: a full
    fresh agent must not hide the idle one who passed on it."""
    s = state()
    for name in ("ann", "bob"):
        s.upsert_agent(agent(name))
    s.track(conversation("c1"))
    s.track(conversation("busy", status="open", assignee="bob"))  # bob's one slot is taken
    s.reserve(offer("o1", "c1", "ann"))
    s.close_offer(OfferId("o1"), "rejected", AgentId("ann"), ConversationId("c1"))
    assert eligible(s, "c1") == {"ann"}
    s.resolve(ConversationId("busy"))
    assert eligible(s, "c1") == {"bob"}  # bob has room again: he comes first


def test_an_offer_that_would_take_its_agent_past_capacity_cannot_stand() -> None:
    """Another router's offer (adopted from the bus, or found at a rebuild) is held only if
    the agent has room for it in this picture; otherwise it is cancelled, with why."""
    s = state()
    s.upsert_agent(agent("ann"))
    s.track(conversation("busy", status="open", assignee="ann"))
    s.track(conversation("c1"))
    late = offer("o1", "c1", "ann")
    assert s.refusal(late) == "agent at capacity"
    assert not s.reserve(late)
    assert s.loads() == {AgentId("ann"): {"webchat": 1}}

    s.upsert_agent(agent("bob", capacity={"webchat": 1, "voice": 1}))
    s.track(
        conversation("call", status="open", assignee="bob").model_copy(update={"channel": "voice"})
    )
    assert s.refusal(offer("o2", "c1", "bob")) == "agent on a call"

    pending = Offer(
        id=OfferId("o3"),
        conversation_id=ConversationId("c1"),
        agent_id=AgentId("ann"),
        state="pending",
        created_at=NOW,
        expires_at=NOW + timedelta(seconds=20),
    )
    stray = s.rebuild(
        [agent("ann")],
        [conversation("busy", status="open", assignee="ann"), conversation("c1")],
        [pending],
    )
    assert [(o.id, why) for o, why in stray] == [("o3", "agent at capacity")]


def test_a_snoozed_conversation_leaves_the_queue_unless_someone_holds_it() -> None:
    routing = state()
    routing.upsert_agent(agent("ann"))
    routing.upsert_agent(agent("bob"))
    routing.track(conversation("waiting"))
    routing.track(conversation("held", status="open", assignee="bob"))
    assert routing.reserve(offer("o1", "waiting", "ann"))
    stale = routing.snooze(ConversationId("waiting"))
    assert stale is not None and stale.offer_id == "o1"  # to be cancelled
    assert ConversationId("waiting") not in routing.tickets
    assert routing.snooze(ConversationId("held")) is None
    assert routing.loads()[AgentId("bob")] == {"webchat": 1}  # still Bob's, slot and all
    assert [t.conversation_id for t in routing.waiting()] == []
    # Rebuilt from the database: a snoozed one nobody holds stays out; a held one stays held.
    routing.rebuild(
        [agent("ann"), agent("bob")],
        [
            conversation("waiting", status="snoozed"),
            conversation("held", status="snoozed", assignee="bob"),
        ],
        [],
    )
    assert set(routing.tickets) == {"held"}
    assert routing.loads()[AgentId("bob")] == {"webchat": 1}
