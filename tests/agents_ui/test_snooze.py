"""Snoozing: a snoozed conversation leaves its queue and is not offered; it wakes when its
time comes (back to its queue, or open to its assignee) or at once when the customer writes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.agents_ui.conftest import Desk
from tests.harness import connect_agent, connect_customer

C = "/api/v1/conversations"


def _in(seconds: float) -> str:
    return (datetime.now(UTC) + timedelta(seconds=seconds)).isoformat()


async def test_snoozed_is_not_offered_and_wakes_by_time_or_by_the_customer(desk: Desk) -> None:
    ann = await desk.hub.add_agent("Ann", webchat=1)
    sup, _ = await desk.api_for("Sue", "supervisor")
    http, hub = desk.http, desk.hub
    ann_ws = await connect_agent(http, hub, ann, available=False)
    ann_api = await desk.api(ann_ws.token)
    first, second, third = [await connect_customer(http, hub) for _ in range(3)]
    a = (await first.say("first"))["conversation_id"]
    b = (await second.say("second"))["conversation_id"]
    status, snoozed = await sup.post(f"{C}/{a}/snooze", {"until": _in(3600)})
    assert status == 200 and snoozed["conversation"]["status"] == "snoozed"
    assert snoozed["conversation"]["snoozed_until"] is not None

    # The older conversation would be offered first: it is skipped while snoozed.
    await ann_ws.send(type="presence", status="available")
    assigned = await ann_ws.accept_next()
    assert assigned["conversation"]["id"] == b
    await ann_api.post(f"{C}/{b}/resolve")

    # The customer writes: woken at once, back in the queue, offered.
    await first.say("still there?")
    assigned = await ann_ws.accept_next()
    assert assigned["conversation"]["id"] == a

    # Ann is full; a third customer waits, and is snoozed for a moment.
    c = (await third.say("third"))["conversation_id"]
    assert (await sup.post(f"{C}/{c}/snooze", {"until": _in(1.5)}))[0] == 200
    # An assigned conversation snoozed stays Ann's and wakes open to her.
    status, held = await ann_api.post(f"{C}/{a}/snooze", {"until": _in(1)})
    assert held["conversation"]["assignee_id"] == ann["id"]
    await ann_ws.expect("status", lambda f: f["conversation_id"] == a and f["status"] == "snoozed")
    await ann_ws.expect("status", lambda f: f["conversation_id"] == a and f["status"] == "open")
    assert not [f for f in ann_ws.of_type("offer") if f["conversation"]["id"] == c]
    await ann_api.post(f"{C}/{a}/resolve")
    # Woken by time: offered once Ann has room.
    offer = await ann_ws.expect("offer", lambda f: f["conversation"]["id"] == c)
    assert offer["conversation"]["status"] == "pending"

    status, error = await sup.post(f"{C}/{c}/snooze", {"until": _in(-5)})
    assert status == 400 and error["field"] == "until"
    for ws in (ann_ws, first, second, third):
        await ws.close()


async def test_patching_snoozed_until_snoozes_and_null_wakes(desk: Desk) -> None:
    sup, _ = await desk.api_for("Sue", "supervisor")
    conversation = await desk.conversation("Gina")
    path = f"{C}/{conversation.id}"
    status, answer = await sup.patch(path, {"snoozed_until": _in(3600)})
    assert status == 200 and answer["conversation"]["status"] == "snoozed"
    status, answer = await sup.patch(path, {"snoozed_until": None})
    assert answer["conversation"]["status"] == "pending"
    assert answer["conversation"]["snoozed_until"] is None
    timeline = (await sup.get(f"/api/v1/customers/{conversation.customer_id}/timeline"))[1]
    kinds = [(e["kind"], e["payload"].get("status")) for e in timeline["entries"]]
    assert ("status", "snoozed") in kinds and ("status", "pending") in kinds
