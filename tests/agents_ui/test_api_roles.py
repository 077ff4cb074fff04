"""Every route of the OpenAPI document keeps its declared access: without a session each one
that needs a sign-in answers 401, and one that needs a role answers 403 to a caller without
it, before it reads the query or the body. Walked from the document, so a route added later
is covered the day it is declared."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from tests.harness import RunningHub, login, make_settings


@pytest.fixture
async def hub(tmp_path: Path) -> AsyncIterator[RunningHub]:
    url = f"sqlite+aiosqlite:///{tmp_path}/c.db"
    running = await RunningHub(make_settings(tmp_path, url)).start()
    yield running
    await running.stop()


def _operations(spec: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method.upper(), re.sub(r"\{\w+\}", "x", path), op)
        for path, ops in spec["paths"].items()
        for method, op in ops.items()
    ]


async def test_each_route_refuses_callers_its_access_leaves_out(hub: RunningHub) -> None:
    agent = await hub.add_agent("Ann")
    supervisor = await hub.add_agent("Sue", "supervisor")
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{hub.url}/api/v1/openapi.json") as r:
            spec = await r.json()
        tokens = {
            "agent": await login(http, hub, agent),
            "supervisor": await login(http, hub, supervisor),
        }
        checked = 0
        for method, path, operation in _operations(spec):
            if operation["x-access"] == "public":
                assert "security" not in operation
                continue
            async with http.request(method, f"{hub.url}{path}") as r:
                assert r.status == 401, (method, path, r.status)
                assert (await r.json())["error"] == "auth"
            below = {"supervisor": ["agent"], "admin": ["agent", "supervisor"]}.get(
                operation["x-access"], []
            )
            for who in below:
                headers = {"Authorization": f"Bearer {tokens[who]}"}
                async with http.request(method, f"{hub.url}{path}", headers=headers) as r:
                    assert r.status == 403, (who, method, path, r.status)
                    assert (await r.json())["error"] == "forbidden"
            checked += 1
        assert checked >= 8  # the walk did reach the routes
