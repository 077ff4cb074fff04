"""Search, customers, canned responses and saved views over REST, on both databases; every
exchange is checked against the OpenAPI document (tests/api_client.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from hub.flow.placement import place
from hub.models import InboundMessage
from hub.settings import QueueSettings
from storage import open_store
from tests.api_client import Api
from tests.harness import RunningHub, login, make_settings

QUEUES = (QueueSettings(name="general"), QueueSettings(name="billing", skills=("billing",)))


@pytest.fixture
async def hub(tmp_path: Path, database_url: str) -> AsyncIterator[RunningHub]:
    settings = make_settings(tmp_path, database_url).model_copy(update={"queues": QUEUES})
    running = await RunningHub(settings).start()
    yield running
    await running.stop()


async def seed(hub: RunningHub, name: str, email: str, text: str, queue: str) -> tuple[str, str]:
    """A customer found by email with one message in `queue`: (customer id, conversation id)."""
    async with open_store(hub.settings.database_url) as store:
        customer = await store.customers.identify("email", email, name)
        item = InboundMessage(
            channel="email", customer_id=customer, dedupe_key=f"k:{email}:{text}",
            text=text, queue=queue,
        )  # fmt: skip
        results, _ = await store.inbound.ingest([item], place)
    return customer, results[0].conversation.id


async def apis(http: aiohttp.ClientSession, hub: RunningHub) -> tuple[Api, Api, Api]:
    """An agent, another agent and a supervisor."""
    tokens = [
        await login(http, hub, await hub.add_agent(name, role))
        for name, role in (("Al", "agent"), ("Bo", "agent"), ("Sue", "supervisor"))
    ]
    api = await Api.open(http, hub, tokens[0])
    return api, api.as_(tokens[1]), api.as_(tokens[2])


async def test_search_answers_segments_and_keeps_to_the_agents_queues(hub: RunningHub) -> None:
    _, general = await seed(hub, "Ana Lima", "ana@example.com", "my <b>kettle</b> leaks", "general")
    _, billing = await seed(hub, "Bob", "bob@example.com", "the kettle invoice", "billing")
    async with aiohttp.ClientSession() as http:
        agent, _, supervisor = await apis(http, hub)
        status, body = await agent.get("/api/v1/search", q="kett")
        assert status == 200 and [c["conversation_id"] for c in body["conversations"]] == [general]
        snippet = body["conversations"][0]["snippet"]
        assert "".join(s["text"] for s in snippet) == "my <b>kettle</b> leaks"  # text, not HTML
        assert [s["text"] for s in snippet if s["match"]] == ["kettle"]
        _, body = await supervisor.get("/api/v1/search", q="kettle", limit=5)
        assert {c["conversation_id"] for c in body["conversations"]} == {general, billing}
        _, body = await agent.get("/api/v1/search", q="example.com")
        assert {c["display_name"] for c in body["customers"]} == {"Ana Lima", "Bob"}
        assert (await agent.get("/api/v1/search", q='") OR * NEAR('))[0] == 200
        assert (await agent.get("/api/v1/search", q="!!!"))[1] == {
            "conversations": [], "customers": []
        }  # fmt: skip
        status, error = await agent.get("/api/v1/search", q="")
        assert status == 400 and error["field"] == "q"


async def test_customers_list_find_show_and_edit(hub: RunningHub) -> None:
    made = [
        (await seed(hub, f"C{i}", f"c{i}@example.com", f"hello {i}", "general"))[0]
        for i in range(3)
    ]
    async with aiohttp.ClientSession() as http:
        agent, _, _ = await apis(http, hub)
        status, page = await agent.get("/api/v1/customers", limit=2)
        assert status == 200 and len(page["customers"]) == 2
        _, rest = await agent.get("/api/v1/customers", limit=2, cursor=page["next_cursor"])
        listed = [p["customer"]["id"] for p in page["customers"] + rest["customers"]]
        assert listed == made[::-1] and rest["next_cursor"] is None
        _, found = await agent.get("/api/v1/customers", q="c1@exa")
        assert [p["customer"]["id"] for p in found["customers"]] == [made[1]]
        status, profile = await agent.patch(
            f"/api/v1/customers/{made[0]}",
            {"display_name": "Carla", "attributes": {"plan": "gold", "seats": 3},
             "labels": ["vip", "vip", "late payer"]},
        )  # fmt: skip
        assert status == 200 and profile["customer"]["display_name"] == "Carla"
        assert profile["attributes"] == {"plan": "gold", "seats": 3}
        assert profile["labels"] == ["vip", "late payer"]
        assert profile["conversations"][0]["channel"] == "email"
        _, shown = await agent.get(f"/api/v1/customers/{made[0]}")
        assert shown == profile
        _, found = await agent.get("/api/v1/customers", q="carla")
        assert [p["customer"]["id"] for p in found["customers"]] == [made[0]]
        status, error = await agent.patch(f"/api/v1/customers/{made[0]}", {"labels": [""]})
        assert status == 400 and error["error"] == "invalid"
        status, error = await agent.patch(f"/api/v1/customers/{made[0]}", {"email": "x@y.z"})
        assert status == 400
        assert (await agent.get("/api/v1/customers/nobody"))[0] == 404
        assert (await agent.get("/api/v1/customers", cursor="garbage"))[0] == 400


async def test_merge_and_unmerge_over_rest(hub: RunningHub) -> None:
    survivor, _ = await seed(hub, "Ana", "ana@example.com", "first", "general")
    other, moved = await seed(hub, "Ana L", "ana.lima@example.com", "second", "general")
    async with aiohttp.ClientSession() as http:
        agent, _, supervisor = await apis(http, hub)
        await agent.patch(f"/api/v1/customers/{other}", {"labels": ["old"]})
        before = [(await agent.get(f"/api/v1/customers/{c}"))[1] for c in (survivor, other)]
        status, error = await agent.post(f"/api/v1/customers/{survivor}/merge", {"from": other})
        assert status == 403 and error["error"] == "forbidden"
        status, merge = await supervisor.post(
            f"/api/v1/customers/{survivor}/merge", {"from": other}
        )
        assert status == 200 and merge["identities"] == 1 and merge["conversations"] == 1
        _, gone = await agent.get(f"/api/v1/customers/{other}")
        assert gone["merged_into"] == survivor and gone["conversations"] == []
        _, kept = await agent.get(f"/api/v1/customers/{survivor}")
        assert moved in [c["id"] for c in kept["conversations"]] and kept["labels"] == ["old"]
        _, timeline = await agent.get(f"/api/v1/customers/{other}/timeline")
        assert timeline["entries"][-1]["payload"]["merge_id"] == merge["id"]
        status, error = await supervisor.post(
            f"/api/v1/customers/{survivor}/merge", {"from": survivor}
        )
        assert status == 400 and error["field"] == "from"
        status, error = await agent.post(
            f"/api/v1/customers/{survivor}/unmerge", {"merge_id": merge["id"]}
        )
        assert status == 403
        status, undone = await supervisor.post(
            f"/api/v1/customers/{survivor}/unmerge", {"merge_id": merge["id"]}
        )
        assert status == 200 and undone["undone_at"] is not None
        after = [(await agent.get(f"/api/v1/customers/{c}"))[1] for c in (survivor, other)]
        assert after == before
        status, error = await supervisor.post(
            f"/api/v1/customers/{survivor}/unmerge", {"merge_id": merge["id"]}
        )
        assert status == 409 and error["error"] == "conflict"


async def test_canned_responses_are_read_by_all_and_managed_by_supervisors(
    hub: RunningHub,
) -> None:
    _, conversation = await seed(hub, "Ana Lima", "ana@example.com", "hi", "general")
    _, billing = await seed(hub, "Bob", "bob@example.com", "hi", "billing")
    async with aiohttp.ClientSession() as http:
        agent, _, supervisor = await apis(http, hub)
        body = {"short_code": "hello", "title": "Hello", "text": "Hi {name}, {agent} here. {order}"}
        assert (await agent.post("/api/v1/canned-responses", body))[0] == 403
        status, hello = await supervisor.post("/api/v1/canned-responses", body)
        assert status == 201 and hello["short_code"] == "hello"
        assert (await supervisor.post("/api/v1/canned-responses", body))[0] == 409
        await supervisor.post("/api/v1/canned-responses", {"short_code": "bye", "text": "Bye"})
        _, listed = await agent.get("/api/v1/canned-responses", q="he")
        assert [c["short_code"] for c in listed["canned_responses"]] == ["hello"]
        status, rendered = await agent.get(
            f"/api/v1/canned-responses/{hello['id']}/render", conversation_id=conversation
        )
        assert status == 200 and rendered["text"] == "Hi Ana Lima, Al here. {order}"
        status, _ = await agent.get(
            f"/api/v1/canned-responses/{hello['id']}/render", conversation_id=billing
        )
        assert status == 403  # not in the agent's queues
        path = f"/api/v1/canned-responses/{hello['id']}"
        assert (await agent.patch(path, {"text": "x"}))[0] == 403
        status, patched = await supervisor.patch(path, {"text": "Hello {name}"})
        assert status == 200 and patched["title"] == "Hello" and patched["text"] == "Hello {name}"
        assert (await supervisor.patch(path, {"text": None}))[0] == 400
        assert (await agent.delete(path))[0] == 403
        assert (await supervisor.delete(path))[0] == 200
        assert (await supervisor.delete(path))[0] == 404


async def test_saved_views_are_personal_or_shared(hub: RunningHub) -> None:
    async with aiohttp.ClientSession() as http:
        agent, colleague, supervisor = await apis(http, hub)
        filters: dict[str, Any] = {"status": ["open"], "queue": ["general"], "q": "refund"}
        status, mine = await agent.post("/api/v1/views", {"name": "Mine", "filters": filters})
        assert status == 201 and mine["filters"] == filters and not mine["shared"]
        status, _ = await agent.post("/api/v1/views", {"name": "Team", "shared": True})
        assert status == 403
        _, team = await supervisor.post("/api/v1/views", {"name": "Team", "shared": True})
        bad = {"name": "X", "filters": {"colour": 1}}
        assert (await agent.post("/api/v1/views", bad))[0] == 400
        _, listed = await agent.get("/api/v1/views")
        assert [v["name"] for v in listed["views"]] == ["Mine", "Team"]
        _, theirs = await colleague.get("/api/v1/views")
        assert [v["name"] for v in theirs["views"]] == ["Team"]
        assert (await colleague.patch(f"/api/v1/views/{mine['id']}", {"name": "Y"}))[0] == 404
        assert (await agent.patch(f"/api/v1/views/{team['id']}", {"name": "Y"}))[0] == 403
        assert (await agent.patch(f"/api/v1/views/{mine['id']}", {"shared": True}))[0] == 403
        status, renamed = await agent.patch(
            f"/api/v1/views/{mine['id']}", {"name": "Refunds", "filters": {"label": ["refund"]}}
        )
        assert status == 200 and renamed["filters"] == {"label": ["refund"]}
        status, _ = await supervisor.patch(f"/api/v1/views/{team['id']}", {"name": "Everyone"})
        assert status == 200
        assert (await colleague.delete(f"/api/v1/views/{team['id']}"))[0] == 403
        assert (await agent.delete(f"/api/v1/views/{mine['id']}"))[0] == 200
        assert (await agent.get("/api/v1/views"))[1]["views"][0]["name"] == "Everyone"
