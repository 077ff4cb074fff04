"""Queues in the database, administered through the REST API on SQLite and PostgreSQL: seeded
from config.toml once, created, edited and deleted by admins (audited, role-checked), and
routing follows an edit without a restart."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from tests.api_client import Api
from tests.harness import RunningHub, connect_agent, connect_customer, login, make_settings

SALES = {
    "name": "sales",
    "channels": ["webchat"],
    "skills": ["sales"],
    "priority": 2,
    "service_level_seconds": 30,
    "policy": "round_robin",
}


@pytest.fixture
async def hub(tmp_path: Path, database_url: str) -> AsyncIterator[RunningHub]:
    running = await RunningHub(make_settings(tmp_path, database_url)).start()
    yield running
    await running.stop()


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


async def _admin_api(http: aiohttp.ClientSession, hub: RunningHub) -> tuple[Api, dict[str, str]]:
    ada = await hub.add_agent("Ada", "admin")
    return await Api.open(http, hub, await login(http, hub, ada)), ada


async def _agent_with_skills(api: Api, name: str, *skills: str) -> dict[str, str]:
    email = f"{name.lower()}@example.com"
    body = {"name": name, "email": email, "skills": list(skills), "password": "password123"}
    status, agent = await api.post("/api/v1/agents", body)
    assert status == 201, agent
    return {"id": agent["id"], "email": email, "password": "password123", "name": name}


async def test_queues_are_seeded_created_edited_and_deleted_with_an_audit_trail(
    hub: RunningHub, http: aiohttp.ClientSession
) -> None:
    api, ada = await _admin_api(http, hub)
    status, body = await api.get("/api/v1/queues")
    assert status == 200 and [q["name"] for q in body["queues"]] == ["general"]  # config's

    status, created = await api.post("/api/v1/queues", SALES)
    assert status == 201 and created == SALES
    status, edited = await api.patch("/api/v1/queues/sales", {"skills": [], "priority": 5})
    assert status == 200 and (edited["skills"], edited["priority"]) == ([], 5)
    assert edited["policy"] == "round_robin"  # what the patch left out stays
    listed = (await api.get("/api/v1/queues"))[1]["queues"]
    assert [q["name"] for q in listed] == ["general", "sales"] and listed[1] == edited

    status, _ = await api.delete("/api/v1/queues/sales")
    assert status == 200
    assert [q["name"] for q in (await api.get("/api/v1/queues"))[1]["queues"]] == ["general"]
    entries = (await api.get("/api/v1/audit", agent_id=ada["id"]))[1]["entries"]
    queue_entries = [e for e in entries if e["kind"].startswith("queue_")]
    assert [e["kind"] for e in queue_entries] == ["queue_deleted", "queue_updated", "queue_created"]
    deleted, updated, _ = queue_entries
    assert deleted["before"]["priority"] == 5 and deleted["after"] is None
    assert (updated["before"]["skills"], updated["after"]["skills"]) == (["sales"], [])


async def test_edits_made_through_the_api_outlive_a_restart(
    hub: RunningHub, http: aiohttp.ClientSession
) -> None:
    api, _ = await _admin_api(http, hub)
    await api.patch("/api/v1/queues/general", {"priority": 7})
    await api.post("/api/v1/queues", SALES)
    await hub.stop()
    await hub.start()  # config.toml still says "general" with priority 0: the table wins
    token = await login(http, hub, {"email": "ada@example.com", "password": "password123"})
    queues = (await api.as_(token).get("/api/v1/queues"))[1]["queues"]
    assert [(q["name"], q["priority"]) for q in queues] == [("general", 7), ("sales", 2)]


async def test_queue_input_is_validated_naming_the_field(
    hub: RunningHub, http: aiohttp.ClientSession
) -> None:
    api, _ = await _admin_api(http, hub)
    cases: list[tuple[dict[str, Any], str]] = [
        (SALES | {"name": ""}, "name"),
        (SALES | {"policy": "random"}, "policy"),
        (SALES | {"service_level_seconds": 0}, "service_level_seconds"),
        (SALES | {"channels": ["fax"]}, "channels.0"),
        (SALES | {"colour": "red"}, "colour"),
    ]
    for body, field in cases:
        status, error = await api.post("/api/v1/queues", body)
        assert (status, error["field"]) == (400, field), body
    status, error = await api.post("/api/v1/queues", SALES | {"name": "general"})
    assert (status, error["field"]) == (409, "name")
    status, error = await api.patch("/api/v1/queues/general", {"policy": "random"})
    assert (status, error["field"]) == (400, "policy")
    status, error = await api.patch("/api/v1/queues/general", {"priority": None})
    assert (status, error["field"]) == (400, "priority")
    assert (await api.patch("/api/v1/queues/nope", {"priority": 1}))[0] == 404
    assert (await api.delete("/api/v1/queues/nope"))[0] == 404


async def test_routing_follows_a_queue_edit_without_a_restart(
    hub: RunningHub, http: aiohttp.ClientSession
) -> None:
    api, _ = await _admin_api(http, hub)
    ann = await _agent_with_skills(api, "Ann")
    bea = await _agent_with_skills(api, "Bea", "billing")
    status, _ = await api.patch("/api/v1/queues/general", {"skills": ["billing"]})
    assert status == 200
    consoles = [await connect_agent(http, hub, a) for a in (ann, bea)]
    customer = await connect_customer(http, hub, name="Carol")
    await customer.say("my invoice")
    offer = await consoles[1].expect("offer")
    assert offer["conversation"]["customer_name"] == "Carol"
    assert consoles[0].of_type("offer") == []  # only Bea has the skill the queue now needs
    for socket in (*consoles, customer):
        await socket.close()


async def test_a_queue_created_through_the_api_routes_and_is_not_deleted_while_in_use(
    hub: RunningHub, http: aiohttp.ClientSession
) -> None:
    api, _ = await _admin_api(http, hub)
    ann = await _agent_with_skills(api, "Ann")
    sam = await _agent_with_skills(api, "Sam", "sales")
    await api.post("/api/v1/queues", SALES)
    first = await connect_agent(http, hub, ann)
    customer = await connect_customer(http, hub, name="Carol")
    await customer.say("I want to buy")
    assigned = await first.accept_next()
    conversation_id = assigned["conversation"]["id"]
    await first.send(type="transfer", conversation_id=conversation_id, to_queue="sales")
    await first.expect("unassigned")
    seller = await connect_agent(http, hub, sam)
    offer = await seller.expect("offer")
    assert (offer["conversation"]["id"], offer["conversation"]["queue"]) == (
        conversation_id,
        "sales",
    )

    status, error = await api.delete("/api/v1/queues/sales")
    assert status == 409 and "unresolved" in error["message"]
    # webchat's conversations enter "general": the channel's config points at it.
    status, error = await api.delete("/api/v1/queues/general")
    assert status == 409 and "channel" in error["message"]
    for socket in (first, seller, customer):
        await socket.close()


ROUTES: list[tuple[str, str, Any]] = [
    ("POST", "/api/v1/queues", SALES),
    ("PATCH", "/api/v1/queues/general", {"priority": 1}),
    ("DELETE", "/api/v1/queues/general", None),
]


async def test_queue_admin_routes_refuse_agents_supervisors_and_strangers(
    hub: RunningHub, http: aiohttp.ClientSession
) -> None:
    api, _ = await _admin_api(http, hub)
    ann = await hub.add_agent("Ann")
    sue = await hub.add_agent("Sue", "supervisor")
    tokens = [await login(http, hub, ann), await login(http, hub, sue)]
    for token, expected in [(tokens[0], 403), (tokens[1], 403), (None, 401)]:
        for method, path, body in ROUTES:
            status, _ = await api.as_(token).call(method, path, body)
            assert status == expected, (method, path, token)
    # Listing is for anyone signed in.
    assert (await api.as_(tokens[0]).get("/api/v1/queues"))[0] == 200
    assert (await api.as_(None).get("/api/v1/queues"))[0] == 401
    assert (await api.get("/api/v1/queues"))[1]["queues"][0]["priority"] == 0
