"""Where inbound messages land, decided by hub's pure rule over a lookup (no database): the
storage contract tests check that the lookup is read and the plan written on both databases."""

from __future__ import annotations

from datetime import UTC, datetime

from hub.events import ConversationOpened, MessageCreated, StatusChanged
from hub.flow.placement import place
from hub.ids import AgentId, ConversationId, CustomerId, MessageId
from hub.models import Conversation, InboundMessage, Ingested, Message
from hub.ports import InboundLookup

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
ANN, BOB = CustomerId("ann"), CustomerId("bob")


def inbound(key: str, customer: CustomerId = ANN, **fields: object) -> InboundMessage:
    base = {"channel": "webchat", "customer_id": customer, "dedupe_key": key, "queue": "general"}
    return InboundMessage.model_validate(base | {"text": key} | fields)


def conversation(cid: str, customer: CustomerId = ANN, **fields: object) -> Conversation:
    base = {
        "id": cid,
        "customer_id": customer,
        "customer_name": "Ann",
        "channel": "webchat",
        "queue": "general",
        "status": "open",
        "assignee_id": "agent-1",
        "created_at": NOW,
        "queued_at": NOW,
    }
    return Conversation.model_validate(base | fields)


def lookup(**parts: object) -> InboundLookup:
    empty: dict[str, object] = {"known": {}, "named": {}, "unresolved": {}, "customer_names": {}}
    return InboundLookup(**(empty | parts))  # type: ignore[arg-type]


def test_a_customers_messages_share_one_new_conversation_opened_first() -> None:
    plan = place(
        [inbound("a"), inbound("b"), inbound("c", BOB)],
        lookup(customer_names={ANN: "Ann", BOB: "Bob"}),
        NOW,
    )
    ann, _, bob = (r.conversation for r in plan.results)
    assert plan.results[1].conversation.id == ann.id != bob.id
    assert [c.customer_name for c in plan.opened] == ["Ann", "Bob"]
    kinds = [type(event) for event, _, _ in plan.emitted]
    assert kinds == [ConversationOpened, ConversationOpened, *[MessageCreated] * 3]
    assert [key for _, _, key in plan.messages] == ["a", "b", "c"]


def test_an_unresolved_conversation_is_joined_and_its_assignee_hears_it() -> None:
    current = conversation("c1")
    plan = place([inbound("a")], lookup(unresolved={(ANN, "webchat"): current}), NOW)
    assert plan.results[0].conversation == current and plan.opened == []
    assert plan.emitted[0][1] == AgentId("agent-1")


def test_a_named_resolved_conversation_is_reopened_once_for_its_queue() -> None:
    resolved = conversation("c1", status="resolved", resolved_at=NOW, target_agent_id="x")
    batch = [inbound(k, conversation_id=ConversationId("c1")) for k in ("a", "b")]
    plan = place(batch, lookup(named={ConversationId("c1"): resolved}), NOW)
    [reopened] = plan.reopened
    assert (reopened.status, reopened.assignee_id, reopened.target_agent_id) == (
        "pending",
        None,
        None,
    )
    assert reopened.resolved_at is None and reopened.queued_at == NOW
    statuses = [e for e, _, _ in plan.emitted if isinstance(e, StatusChanged)]
    assert [s.status for s in statuses] == ["pending"]
    assert {r.conversation.id for r in plan.results} == {ConversationId("c1")}


def test_a_missing_named_conversation_falls_back_and_calls_get_their_own() -> None:
    batch = [
        inbound("gone", conversation_id=ConversationId("nope")),
        inbound("call-1", channel="voice", new_conversation=True),
        inbound("call-2", channel="voice", new_conversation=True),
    ]
    plan = place(batch, lookup(customer_names={ANN: "Ann"}), NOW)
    ids = [r.conversation.id for r in plan.results]
    assert len(set(ids)) == 3 and len(plan.opened) == 3


def test_known_and_repeated_keys_are_duplicates_and_write_nothing() -> None:
    stored = Message(
        id=MessageId("m1"),
        conversation_id=ConversationId("c1"),
        direction="in",
        author="customer",
        channel="webchat",
        text="a",
        created_at=NOW,
    )
    known = Ingested(message=stored, conversation=conversation("c1"), duplicate=True)
    plan = place(
        [inbound("a"), inbound("b"), inbound("b")],
        lookup(known={"a": known}, customer_names={ANN: "Ann"}),
        NOW,
    )
    assert [r.duplicate for r in plan.results] == [True, False, True]
    assert plan.results[0] == known and plan.results[1].message == plan.results[2].message
    assert [key for _, _, key in plan.messages] == ["b"]


def test_a_message_wakes_a_snoozed_conversation_once() -> None:
    snoozed = conversation("c1", status="snoozed", assignee_id=None, snoozed_until=NOW)
    held = conversation("c2", BOB, status="snoozed", snoozed_until=NOW)
    plan = place(
        [inbound("a"), inbound("b"), inbound("c", BOB)],
        lookup(unresolved={(ANN, "webchat"): snoozed, (BOB, "webchat"): held}),
        NOW,
    )
    woken = {c.id: c for c in plan.reopened}
    assert len(plan.reopened) == 2
    # Nobody held it: back in its queue, waiting from now. Held by an agent: open to them.
    assert woken[ConversationId("c1")].status == "pending"
    assert woken[ConversationId("c1")].queued_at == NOW and woken["c1"].snoozed_until is None
    assert woken[ConversationId("c2")].status == "open"
    statuses = [
        (e.conversation_id, e.status, who)
        for e, who, _ in plan.emitted
        if isinstance(e, StatusChanged)
    ]
    assert statuses == [("c1", "pending", None), ("c2", "open", AgentId("agent-1"))]
    assert {r.conversation.status for r in plan.results} == {"pending", "open"}


def test_a_message_that_says_when_it_arrived_happens_then_and_others_at_now() -> None:
    earlier = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)
    plan = place(
        [inbound("a", received_at=earlier), inbound("b", BOB)],
        lookup(customer_names={ANN: "Ann", BOB: "Bob"}),
        NOW,
    )
    ann, bob = (r.conversation for r in plan.results)
    assert (ann.created_at, ann.queued_at, plan.results[0].message.created_at) == (earlier,) * 3
    assert (bob.created_at, plan.results[1].message.created_at) == (NOW, NOW)
    assert [at for _, _, at in plan.emitted] == [earlier, NOW, earlier, NOW]
