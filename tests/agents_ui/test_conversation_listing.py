"""GET /api/v1/conversations and /counts: filters, order, cursor pages that neither skip nor
repeat while conversations are written to, and the agent's view limited to their queues."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import itertools
from datetime import UTC, datetime, timedelta

from hub.models import Conversation
from tests.agents_ui.conftest import Desk

LIST = "/api/v1/conversations"


async def test_newest_activity_first_with_labels_and_last_message(desk: Desk) -> None:
    sup, _ = await desk.api_for("Sue", "supervisor")
    old = await desk.conversation("Olga")
    new = await desk.conversation("Nina", queue="billing", priority=3)
    status, page = await sup.get(LIST)
    assert status == 200, page
    assert [c["id"] for c in page["conversations"]] == [new.id, old.id]
    assert page["next_cursor"] is None

    await desk.customer_writes(old, "x" * 300)  # activity: Olga's moves to the top
    assert (await sup.post("/api/v1/labels", {"name": "vip", "color": "#ff0000"}))[0] == 201
    assert (await sup.patch(f"{LIST}/{old.id}", {"labels": ["vip"]}))[0] == 200
    page = (await sup.get(LIST))[1]
    top = page["conversations"][0]
    assert top["id"] == old.id and top["labels"] == ["vip"]
    assert top["last_message"]["direction"] == "in"
    assert len(top["last_message"]["text"]) <= 140 and top["last_message"]["text"].endswith("…")
    assert top["customer_name"] == "Olga" and top["status"] == "pending"
    assert datetime.fromisoformat(top["last_activity_at"]) >= datetime.fromisoformat(
        page["conversations"][1]["last_activity_at"]
    )


async def test_filters_and_counts(desk: Desk) -> None:
    sup, sue = await desk.api_for("Sue", "supervisor")
    plain = await desk.conversation("Plain")
    urgent = await desk.conversation("Urgent", priority=5)
    billing = await desk.conversation("Bill", queue="billing")
    sms = await desk.conversation("Sam", channel="sms")
    await sup.post("/api/v1/labels", {"name": "refund"})
    await sup.patch(f"{LIST}/{billing.id}", {"labels": ["refund"]})
    await sup.post(f"{LIST}/{plain.id}/resolve")
    later = datetime.now(UTC) + timedelta(days=1)
    await sup.post(f"{LIST}/{urgent.id}/snooze", {"until": later.isoformat()})

    async def ids(**query: object) -> set[str]:
        status, page = await sup.get(LIST, **query)
        assert status == 200, page
        return {c["id"] for c in page["conversations"]}

    assert await ids(status="resolved") == {plain.id}
    assert await ids(status=["snoozed", "resolved"]) == {plain.id, urgent.id}
    assert await ids(queue="billing") == {billing.id}
    assert await ids(channel="sms") == {sms.id}
    assert await ids(label="refund") == {billing.id}
    assert await ids(priority=5) == {urgent.id}
    assert await ids(customer=sms.customer_id) == {sms.id}
    assert await ids(assignee="none") == {plain.id, urgent.id, billing.id, sms.id}
    assert await ids(assignee="me") == set()
    assert await ids(assignee=sue) == set()
    since = datetime.now(UTC)
    await desk.customer_writes(sms, "still there?")
    assert await ids(updated_since=since.isoformat()) == {sms.id}

    status, counts = await sup.get(f"{LIST}/counts")
    assert status == 200
    assert counts == {"open": 0, "pending": 2, "snoozed": 1, "resolved": 1}
    assert (await sup.get(f"{LIST}/counts", queue="general"))[1]["pending"] == 1


async def test_bad_cursors_and_limits_are_refused(desk: Desk) -> None:
    sup, _ = await desk.api_for("Sue", "supervisor")
    garbage = base64.urlsafe_b64encode(b'{"nope": 1}').decode()
    for cursor in ("not-a-cursor!", garbage, "e30"):
        status, error = await sup.get(LIST, cursor=cursor)
        assert status == 400 and error["field"] == "cursor", error
    status, error = await sup.get(LIST, limit=101)
    assert status == 400 and error["field"] == "limit"
    status, error = await sup.get(LIST, status="closed")
    assert status == 400 and error["field"] == "status.0"


async def test_pages_neither_skip_nor_repeat_while_conversations_are_written_to(
    desk: Desk,
) -> None:
    sup, _ = await desk.api_for("Sue", "supervisor")
    conversations = [await desk.conversation(f"C{i}") for i in range(23)]
    seen: list[str] = []
    touched: set[str] = set()
    cursor: str | None = None
    pages = 0
    writing = asyncio.create_task(_keep_writing(desk, conversations[::5], touched))
    while True:
        query: dict[str, object] = {"limit": 4}
        if cursor:
            query["cursor"] = cursor
        status, page = await sup.get(LIST, **query)
        assert status == 200, page
        seen += [c["id"] for c in page["conversations"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
        # Between pages: a customer writes into one already listed and one still to come,
        # and a new conversation opens.
        listed = conversations[len(conversations) - len(seen)]
        ahead = conversations[max(0, len(conversations) - len(seen) - 6)]
        for conversation in (listed, ahead):
            await desk.customer_writes(conversation, f"page {pages}")
            touched.add(conversation.id)
        touched.add((await desk.conversation(f"New{pages}")).id)
        pages += 1
    writing.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await writing
    assert pages >= 4
    assert len(seen) == len(set(seen)), "a conversation was listed twice"
    untouched = {c.id for c in conversations} - touched
    assert untouched <= set(seen), "an untouched conversation was skipped"


async def _keep_writing(desk: Desk, targets: list[Conversation], touched: set[str]) -> None:
    """Customers write all along, beside the paging (marked before each write lands)."""
    for n in itertools.count():
        target = targets[n % len(targets)]
        touched.add(target.id)
        await desk.customer_writes(target, f"meanwhile {n}")
        await asyncio.sleep(0)


async def test_an_agent_lists_only_their_queues_and_their_own(desk: Desk) -> None:
    ann, ann_id = await desk.api_for("Ann")
    bill, _ = await desk.api_for("Bill", skills=("billing",))
    general = await desk.conversation("Gina")
    billing = await desk.conversation("Bea", queue="billing")
    assert {c["id"] for c in (await ann.get(LIST))[1]["conversations"]} == {general.id}
    assert {c["id"] for c in (await bill.get(LIST))[1]["conversations"]} == {
        general.id,
        billing.id,
    }
    assert (await ann.get(f"{LIST}/counts"))[1]["pending"] == 1
    status, error = await ann.get(f"{LIST}/{billing.id}")
    assert status == 403 and error["error"] == "forbidden"
    assert (await bill.get(f"{LIST}/{billing.id}"))[0] == 200
    assert ann_id  # Ann sees a billing conversation once it is assigned to her: see actions


async def test_notes_replies_edits_and_status_changes_are_activity(desk: Desk) -> None:
    sup, _ = await desk.api_for("Sue", "supervisor")
    first = await desk.conversation("First")
    second = await desk.conversation("Second")

    async def top() -> str:
        return str((await sup.get(LIST))[1]["conversations"][0]["id"])

    assert await top() == second.id
    await sup.post(f"{LIST}/{first.id}/notes", {"text": "a note"})
    assert await top() == first.id
    await sup.patch(f"{LIST}/{second.id}", {"priority": 2})
    assert await top() == second.id
    await sup.post(f"{LIST}/{first.id}/resolve")
    assert await top() == first.id
    await sup.post(f"{LIST}/{second.id}/messages", {"text": "hello", "client_id": "c"})
    listed = (await sup.get(LIST))[1]["conversations"][0]
    assert listed["id"] == second.id
    assert listed["last_message"]["direction"] == "out"
    assert listed["last_message"]["text"] == "hello"


async def test_full_text_q_finds_by_message_or_customer_and_keeps_the_other_filters(
    desk: Desk,
) -> None:
    sup, _ = await desk.api_for("Sue", "supervisor")
    agent, _ = await desk.api_for("Ann")  # no skills: the general queue only
    parcel = await desk.conversation("Olga")
    await desk.customer_writes(parcel, "My parcel never arrived, order 88231")
    billing = await desk.conversation("Bruno", queue="billing")
    await desk.customer_writes(billing, "Where is my parcel refund?")
    other = await desk.conversation("Zed")

    async def ids(api: object, **query: object) -> set[str]:
        status, page = await api.get(LIST, **query)  # type: ignore[attr-defined]
        assert status == 200, page
        return {c["id"] for c in page["conversations"]}

    assert await ids(sup, q="parcel") == {parcel.id, billing.id}
    assert await ids(sup, q="parc") == {parcel.id, billing.id}  # as the agent types
    assert await ids(sup, q="88231") == {parcel.id}
    assert await ids(sup, q="bruno") == {billing.id}  # the customer's name
    assert await ids(sup, q="parcel", queue="billing") == {billing.id}
    assert await ids(agent, q="parcel") == {parcel.id}  # billing is not Ann's queue
    assert await ids(sup, q='parcel" (*') == {parcel.id, billing.id}  # no syntax
    # OR is a word like any other (here a prefix: Olga's "order"), not an operator.
    assert await ids(sup, q="parcel OR") == {parcel.id}
    assert other.id not in await ids(sup, q="parcel")
    status, counts = await sup.get(f"{LIST}/counts", q="parcel")
    assert status == 200 and counts["pending"] == 2
