"""Every HTTP answer says how long its handler took (`Server-Timing: app;dur=<ms>`), errors
included, so a client (benchmarks/api.py) can tell server time from the network's."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from tests.harness import RunningHub, login, make_settings

TIMING = re.compile(r"^app;dur=(\d+\.\d+)$")


@pytest.fixture
async def hub(tmp_path: Path) -> AsyncIterator[RunningHub]:
    running = await RunningHub(
        make_settings(tmp_path, f"sqlite+aiosqlite:///{tmp_path}/c.db")
    ).start()
    yield running
    await running.stop()


async def test_answers_carry_the_handlers_time(hub: RunningHub) -> None:
    agent = await hub.add_agent("Tim")
    async with aiohttp.ClientSession() as http:
        token = await login(http, hub, agent)
        headers = {"Authorization": f"Bearer {token}"}
        async with http.get(f"{hub.url}/api/v1/me", headers=headers) as ok:
            assert ok.status == 200
            found = TIMING.match(ok.headers["Server-Timing"])
            assert found is not None and float(found.group(1)) >= 0
        missing = f"{hub.url}/api/v1/conversations/nope"
        async with http.get(missing, headers=headers) as refused:
            assert refused.status == 404
            assert TIMING.match(refused.headers["Server-Timing"])
