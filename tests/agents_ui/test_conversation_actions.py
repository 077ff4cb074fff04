"""The REST actions on a conversation: edit, take and assign through the router, resolve,
reopen, notes that mention agents, replies; and who may do each."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.agents_ui.conftest import Desk
from tests.harness import connect_agent, connect_customer

C = "/api/v1/conversations"


async def test_an_agent_may_act_only_within_their_queues(desk: Desk) -> None:
    ann, _ = await desk.api_for("Ann")
    sup, _ = await desk.api_for("Sue", "supervisor")
    billing = await desk.conversation("Bea", queue="billing")
    later = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    attempts = [
        ("GET", "", None),
        ("PATCH", "", {"priority": 2}),
        ("POST", "/assign", {"agent_id": "x"}),
        ("POST", "/resolve", None),
        ("POST", "/reopen", None),
        ("POST", "/snooze", {"until": later}),
        ("POST", "/notes", {"text": "hm"}),
        ("POST", "/messages", {"text": "hi", "client_id": "c1"}),
    ]
    for method, tail, body in attempts:
        status, error = await ann.call(method, f"{C}/{billing.id}{tail}", body)
        assert status == 403 and error["error"] == "forbidden", (method, tail, error)
    assert (await sup.patch(f"{C}/{billing.id}", {"priority": 2}))[0] == 200
    assert (await sup.post(f"{C}/{billing.id}/notes", {"text": "ok"}))[0] == 201
    status, error = await ann.post(f"{C}/nope/resolve")
    assert status == 404


async def test_edits_are_timeline_entries_and_events(desk: Desk) -> None:
    sup, sue = await desk.api_for("Sue", "supervisor")
    conversation = await desk.conversation("Gina")
    await sup.post("/api/v1/labels", {"name": "vip"})
    await sup.post("/api/v1/labels", {"name": "refund"})
    path = f"{C}/{conversation.id}"
    status, answer = await sup.patch(
        path, {"priority": 4, "labels": ["vip", "refund"], "subject": "Kettle"}
    )
    assert status == 200, answer
    assert answer["labels"] == ["refund", "vip"]
    assert answer["conversation"]["priority"] == 4 and answer["conversation"]["subject"] == "Kettle"
    status, error = await sup.patch(path, {"labels": ["vip", "nosuch"]})
    assert status == 400 and error["field"] == "labels" and "nosuch" in error["message"]
    status, error = await sup.patch(path, {"colour": "red"})
    assert status == 400
    assert (await sup.patch(path, {"subject": None}))[1]["conversation"]["subject"] is None
    status, timeline = await sup.get(f"/api/v1/customers/{conversation.customer_id}/timeline")
    edits = [e["payload"] for e in timeline["entries"] if e["kind"] == "conversation_updated"]
    assert [e["changes"] for e in edits] == [
        {"priority": 4, "labels": ["refund", "vip"], "subject": "Kettle"},
        {"subject": None},
    ]
    assert all(e["agent_id"] == sue for e in edits)


async def test_take_and_assign_go_through_the_router(desk: Desk) -> None:
    ann = await desk.hub.add_agent("Ann")
    bob = await desk.hub.add_agent("Bob")
    sup, _ = await desk.api_for("Sue", "supervisor")
    http, hub = desk.http, desk.hub
    ann_ws = await connect_agent(http, hub, ann, available=False)
    bob_ws = await connect_agent(http, hub, bob, available=False)
    customer = await connect_customer(http, hub)
    ack = await customer.say("help")
    conversation_id = ack["conversation_id"]
    bob_api = await desk.api(bob_ws.token)
    status, error = await bob_api.post(f"{C}/{conversation_id}/assign", {"agent_id": ann["id"]})
    assert status == 403 and "themselves" in error["message"]
    status, taken = await bob_api.post(f"{C}/{conversation_id}/assign", {"agent_id": bob["id"]})
    assert status == 200 and taken["agent_id"] == bob["id"], taken
    # Pinned to Bob: when both are there, the router offers it to him, not to Ann.
    for ws in (ann_ws, bob_ws):
        await ws.send(type="presence", status="available")
    assigned = await bob_ws.accept_next()
    assert assigned["conversation"]["assignee_id"] == bob["id"]
    status, error = await bob_api.post(f"{C}/{conversation_id}/assign", {"agent_id": bob["id"]})
    assert status == 409 and error["error"] == "conflict"
    # A supervisor reassigns it to Ann: she is offered it and it is hers once she accepts.
    status, moved = await sup.post(f"{C}/{conversation_id}/assign", {"agent_id": ann["id"]})
    assert status == 200 and moved["agent_status"] == "available"
    await bob_ws.expect("unassigned", lambda f: f["conversation_id"] == conversation_id)
    assigned = await ann_ws.accept_next()
    assert assigned["conversation"]["assignee_id"] == ann["id"]
    assert not [f for f in ann_ws.of_type("offer") if f["agent_id"] != ann["id"]]
    for ws in (ann_ws, bob_ws, customer):
        await ws.close()


async def test_resolve_reopen_note_mentions_and_replies(desk: Desk) -> None:
    ann = await desk.hub.add_agent("Ann Lee")
    bob = await desk.hub.add_agent("Bob")
    http, hub = desk.http, desk.hub
    ann_ws = await connect_agent(http, hub, ann)
    bob_ws = await connect_agent(http, hub, bob, available=False)
    customer = await connect_customer(http, hub)
    conversation_id = (await customer.say("my kettle"))["conversation_id"]
    await ann_ws.accept_next()
    ann_api = await desk.api(ann_ws.token)
    path = f"{C}/{conversation_id}"

    status, note = await ann_api.post(f"{path}/notes", {"text": "@bob can you check? @Ann Lee"})
    assert status == 201 and note["mentions"] == [bob["id"], ann["id"]]
    mention = await bob_ws.expect("mention", lambda f: f["note_id"] == note["note_id"])
    assert mention["by_agent_name"] == "Ann Lee" and mention["conversation_id"] == conversation_id
    noted = await ann_ws.expect("note", lambda f: f["note_id"] == note["note_id"])
    assert noted["mentions"] == [bob["id"], ann["id"]]
    assert not ann_ws.of_type("mention")  # the assignee has the note itself

    reply = {"text": "on it", "client_id": "r-1"}
    status, first = await ann_api.post(f"{path}/messages", reply)
    assert status == 201 and first["direction"] == "out"
    again = (await ann_api.post(f"{path}/messages", reply))[1]
    assert again["id"] == first["id"]
    said = await customer.expect("message")
    assert said["text"] == "on it" and said["message_id"] == first["id"]
    bob_api = await desk.api(bob_ws.token)
    status, _ = await bob_api.post(f"{path}/messages", {"text": "me too", "client_id": "b"})
    assert status == 403  # in his queue, but Ann's conversation

    assert (await ann_api.post(f"{path}/resolve"))[1]["conversation"]["status"] == "resolved"
    assert (await ann_api.post(f"{path}/resolve"))[0] == 409
    status, reopened = await ann_api.post(f"{path}/reopen")
    assert status == 200 and reopened["conversation"]["status"] == "pending"
    assert reopened["conversation"]["assignee_id"] is None
    assert (await ann_api.post(f"{path}/reopen"))[0] == 409
    offer = await ann_ws.expect("offer", lambda f: f["conversation"]["id"] == conversation_id)
    assert offer["agent_id"] == ann["id"]  # back in its queue, and offered again
    for ws in (ann_ws, bob_ws, customer):
        await ws.close()


async def test_labels_are_made_by_supervisors_and_leave_conversations_when_deleted(
    desk: Desk,
) -> None:
    ann, _ = await desk.api_for("Ann")
    sup, _ = await desk.api_for("Sue", "supervisor")
    conversation = await desk.conversation("Gina")
    assert (await ann.post("/api/v1/labels", {"name": "vip"}))[0] == 403
    status, made = await sup.post("/api/v1/labels", {"name": "vip", "description": "VIPs"})
    assert status == 201 and made == {"name": "vip", "color": "#888888", "description": "VIPs"}
    assert (await sup.post("/api/v1/labels", {"name": "vip"}))[0] == 409
    assert (await sup.post("/api/v1/labels", {"name": "x", "color": "red"}))[0] == 400
    assert (await ann.patch("/api/v1/labels/vip", {"color": "#00ff00"}))[0] == 403
    status, edited = await sup.patch("/api/v1/labels/vip", {"color": "#00ff00"})
    assert status == 200 and edited["color"] == "#00ff00" and edited["description"] == "VIPs"
    assert (await sup.patch("/api/v1/labels/nope", {"color": "#00ff00"}))[0] == 404
    assert (await ann.get("/api/v1/labels"))[1]["labels"] == [edited]
    await sup.patch(f"{C}/{conversation.id}", {"labels": ["vip"]})
    assert (await ann.delete("/api/v1/labels/vip"))[0] == 403
    assert (await sup.delete("/api/v1/labels/vip"))[0] == 204
    assert (await sup.delete("/api/v1/labels/vip"))[0] == 404
    assert (await ann.get("/api/v1/labels"))[1]["labels"] == []
    listed = (await sup.get(C))[1]["conversations"]
    assert listed[0]["id"] == conversation.id and listed[0]["labels"] == []


async def test_every_conversation_and_label_route_needs_a_session(desk: Desk) -> None:
    sup, _ = await desk.api_for("Sue", "supervisor")
    anonymous = sup.as_(None)
    conversation = await desk.conversation("Gina")
    path = f"{C}/{conversation.id}"
    routes = [
        ("GET", C, None),
        ("GET", f"{C}/counts", None),
        ("PATCH", path, {"priority": 1}),
        *[("POST", f"{path}/{action}", None) for action in ("resolve", "reopen")],
        ("POST", f"{path}/assign", {"agent_id": "a"}),
        ("POST", f"{path}/snooze", {"until": "2030-01-01T00:00:00Z"}),
        ("POST", f"{path}/notes", {"text": "x"}),
        ("POST", f"{path}/messages", {"text": "x", "client_id": "x"}),
        ("GET", "/api/v1/labels", None),
        ("POST", "/api/v1/labels", {"name": "x"}),
        ("PATCH", "/api/v1/labels/x", {"color": "#000000"}),
        ("DELETE", "/api/v1/labels/x", None),
    ]
    for method, route, body in routes:
        status, error = await anonymous.call(method, route, body)
        assert status == 401 and error["error"] == "auth", (method, route)
