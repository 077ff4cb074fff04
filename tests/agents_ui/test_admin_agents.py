"""Administration of agents through the REST API, on SQLite and PostgreSQL: create, read, edit,
disable (and DELETE, which disables), enable, password reset; every change audited in its
transaction; role checks on every route; the last enabled admin kept."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from tests.api_client import Api
from tests.harness import RunningHub, connect_agent, connect_customer, login, make_settings

NEW = {
    "name": "Bea Brown",
    "email": "Bea@Example.com",
    "role": "agent",
    "skills": ["billing"],
    "capacity": {"webchat": 2},
    "password": "a-long-password",
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


async def _login_status(http: aiohttp.ClientSession, hub: RunningHub, email: str, pw: str) -> int:
    body = {"email": email, "password": pw}
    async with http.post(f"{hub.url}/api/v1/auth/login", json=body) as r:
        return r.status


async def test_an_admin_creates_reads_and_edits_an_agent_and_each_change_is_audited(
    hub: RunningHub, http: aiohttp.ClientSession
) -> None:
    api, ada = await _admin_api(http, hub)
    status, bea = await api.post("/api/v1/agents", NEW)
    assert status == 201, bea
    assert (bea["email"], bea["skills"], bea["capacity"], bea["disabled"]) == (
        "bea@example.com",
        ["billing"],
        {"webchat": 2},
        False,
    )
    assert await _login_status(http, hub, "bea@example.com", NEW["password"]) == 200
    assert (await api.get(f"/api/v1/agents/{bea['id']}"))[1] == bea

    status, edited = await api.patch(
        f"/api/v1/agents/{bea['id']}", {"name": "Bea B.", "skills": ["billing", "sales"]}
    )
    assert status == 200 and edited["name"] == "Bea B." and edited["capacity"] == {"webchat": 2}
    listed = (await api.get("/api/v1/agents"))[1]["agents"]
    assert {a["name"]: a["load"] for a in listed}["Bea B."] == {}

    status, body = await api.get("/api/v1/audit", agent_id=bea["id"])
    assert status == 200
    kinds = [(e["kind"], e["actor_id"]) for e in body["entries"]]
    assert kinds == [("agent_updated", ada["id"]), ("agent_created", ada["id"])]
    updated = body["entries"][0]
    assert updated["before"]["name"] == "Bea Brown" and updated["after"]["name"] == "Bea B."
    assert updated["after"]["skills"] == ["billing", "sales"]
    status, body = await api.get("/api/v1/audit", kind="agent_created")
    assert [e["agent_id"] for e in body["entries"]] == [bea["id"]]


async def test_emails_are_validated_and_unique_and_passwords_long_enough(
    hub: RunningHub, http: aiohttp.ClientSession
) -> None:
    api, ada = await _admin_api(http, hub)
    status, error = await api.post("/api/v1/agents", NEW | {"email": "not-an-email"})
    assert (status, error["field"]) == (400, "email")
    status, error = await api.post("/api/v1/agents", NEW | {"password": "short"})
    assert (status, error["field"]) == (400, "password")
    status, error = await api.post("/api/v1/agents", NEW | {"voice_target": "555-0100"})
    assert (status, error["field"]) == (400, "voice_target")
    status, error = await api.post("/api/v1/agents", NEW | {"capacity": {"fax": 1}})
    assert status == 400 and error["field"].startswith("capacity")
    status, error = await api.post("/api/v1/agents", NEW | {"email": ada["email"].upper()})
    assert (status, error["error"], error["field"]) == (409, "conflict", "email")
    _, bea = await api.post("/api/v1/agents", NEW)
    status, error = await api.patch(f"/api/v1/agents/{bea['id']}", {"email": ada["email"]})
    assert (status, error["field"]) == (409, "email")
    status, error = await api.patch(f"/api/v1/agents/{bea['id']}", {"name": None})
    assert (status, error["field"]) == (400, "name")
    assert (await api.get("/api/v1/agents/nobody"))[0] == 404


async def test_a_disabled_agent_is_signed_out_cannot_log_in_and_their_chats_are_requeued(
    hub: RunningHub, http: aiohttp.ClientSession
) -> None:
    api, _ = await _admin_api(http, hub)
    ann = await hub.add_agent("Ann")
    console = await connect_agent(http, hub, ann)
    customer = await connect_customer(http, hub, name="Carol")
    await customer.say("hello")
    assigned = await console.accept_next()
    conversation_id = assigned["conversation"]["id"]

    status, disabled = await api.post(f"/api/v1/agents/{ann['id']}/disable")
    assert status == 200 and disabled["disabled"] and disabled["status"] == "offline"
    # Their open console closes at once, their token is refused, their password no longer works.
    assert (await console.expect("error"))["code"] == "auth"
    await asyncio.wait_for(console._reader, 10)
    assert console.ws.close_code == 4401
    assert (await api.as_(console.token).get("/api/v1/me"))[0] == 401
    assert await _login_status(http, hub, ann["email"], ann["password"]) == 401
    # What they held went back to its queue, unassigned, and is offered to someone else.
    status, detail = await api.get(f"/api/v1/conversations/{conversation_id}")
    conversation = detail["conversation"]
    assert (conversation["status"], conversation["assignee_id"]) == ("pending", None)
    bob = await hub.add_agent("Bob")
    colleague = await connect_agent(http, hub, bob)
    offer = await colleague.expect("offer")
    assert offer["conversation"]["id"] == conversation_id
    await colleague.send(type="accept", offer_id=offer["offer_id"])
    await colleague.expect("assigned")
    # Nobody can hand work to a disabled agent.
    await colleague.send(type="transfer", conversation_id=conversation_id, to_agent_id=ann["id"])
    assert (await colleague.expect("error"))["code"] == "conflict"
    entries = (await api.get("/api/v1/audit", kind="agent_disabled"))[1]["entries"]
    assert [e["agent_id"] for e in entries] == [ann["id"]]

    status, enabled = await api.post(f"/api/v1/agents/{ann['id']}/enable")
    assert status == 200 and not enabled["disabled"]
    assert await _login_status(http, hub, ann["email"], ann["password"]) == 200
    await colleague.close()
    await customer.close()


async def test_delete_disables_and_keeps_the_agent(
    hub: RunningHub, http: aiohttp.ClientSession
) -> None:
    api, _ = await _admin_api(http, hub)
    ann = await hub.add_agent("Ann")
    status, gone = await api.delete(f"/api/v1/agents/{ann['id']}")
    assert status == 200 and gone["disabled"]
    assert (await api.get(f"/api/v1/agents/{ann['id']}"))[1]["disabled"]
    assert await _login_status(http, hub, ann["email"], ann["password"]) == 401


async def test_an_admin_resets_a_password_and_every_session_of_the_agent_ends(
    hub: RunningHub, http: aiohttp.ClientSession
) -> None:
    api, ada = await _admin_api(http, hub)
    ann = await hub.add_agent("Ann")
    token = await login(http, hub, ann)
    status, error = await api.post(f"/api/v1/agents/{ann['id']}/password", {"password": "x"})
    assert (status, error["field"]) == (400, "password")
    status, _ = await api.post(
        f"/api/v1/agents/{ann['id']}/password", {"password": "a-brand-new-one"}
    )
    assert status == 200
    assert (await api.as_(token).get("/api/v1/me"))[0] == 401
    assert await _login_status(http, hub, ann["email"], ann["password"]) == 401
    assert await _login_status(http, hub, ann["email"], "a-brand-new-one") == 200
    [entry] = (await api.get("/api/v1/audit", kind="password_reset"))[1]["entries"]
    assert (entry["agent_id"], entry["actor_id"]) == (ann["id"], ada["id"])


async def test_the_last_enabled_admin_cannot_be_disabled_or_demoted(
    hub: RunningHub, http: aiohttp.ClientSession
) -> None:
    api, ada = await _admin_api(http, hub)
    status, error = await api.post(f"/api/v1/agents/{ada['id']}/disable")
    assert (status, error["error"]) == (409, "conflict")
    status, error = await api.patch(f"/api/v1/agents/{ada['id']}", {"role": "supervisor"})
    assert (status, error["field"]) == (409, "role")
    _, second = await api.post("/api/v1/agents", NEW | {"role": "admin"})
    status, demoted = await api.patch(f"/api/v1/agents/{ada['id']}", {"role": "supervisor"})
    assert status == 200 and demoted["role"] == "supervisor"
    # Ada is no admin any more: her own session now gets 403 on admin routes.
    assert (await api.get(f"/api/v1/agents/{second['id']}"))[0] == 403


async def test_a_supervisor_demoted_by_an_admin_loses_the_supervisor_socket(
    hub: RunningHub, http: aiohttp.ClientSession
) -> None:
    api, _ = await _admin_api(http, hub)
    sue = await hub.add_agent("Sue", "supervisor")
    token = await login(http, hub, sue)
    ws = await http.ws_connect(
        f"{hub.ws_url}/ws/supervisor", headers={"Authorization": f"Bearer {token}"}
    )
    assert (await ws.receive_json(timeout=10))["type"] == "snapshot"
    status, _ = await api.patch(f"/api/v1/agents/{sue['id']}", {"role": "agent"})
    assert status == 200
    while (msg := await ws.receive(timeout=10)).type == aiohttp.WSMsgType.TEXT:
        frame = msg.json()
        if frame["type"] == "error":
            assert frame["code"] == "auth"
    assert ws.close_code == 4401
    # The token itself still stands, with the role it now has.
    assert (await api.as_(token).get("/api/v1/me"))[1]["role"] == "agent"


ROUTES: list[tuple[str, str, Any]] = [
    ("POST", "/api/v1/agents", NEW),
    ("GET", "/api/v1/agents/{id}", None),
    ("PATCH", "/api/v1/agents/{id}", {"name": "X"}),
    ("DELETE", "/api/v1/agents/{id}", None),
    ("POST", "/api/v1/agents/{id}/disable", None),
    ("POST", "/api/v1/agents/{id}/enable", None),
    ("POST", "/api/v1/agents/{id}/password", {"password": "a-long-password"}),
]


async def test_agent_admin_routes_refuse_agents_supervisors_and_strangers(
    hub: RunningHub, http: aiohttp.ClientSession
) -> None:
    api, _ = await _admin_api(http, hub)
    ann = await hub.add_agent("Ann")
    sue = await hub.add_agent("Sue", "supervisor")
    callers = [(await login(http, hub, ann), 403), (await login(http, hub, sue), 403), (None, 401)]
    for token, expected in callers:
        for method, path, body in ROUTES:
            status, _ = await api.as_(token).call(method, path.format(id=ann["id"]), body)
            assert status == expected, (method, path, token)
    assert (await api.get(f"/api/v1/agents/{ann['id']}"))[1]["disabled"] is False
