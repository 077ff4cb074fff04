"""Liveness and readiness: /livez says the process answers; /healthz says whether it can
serve (database, bus, feed), naming what is wrong, with 503 when it cannot."""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path
from typing import Any

import aiohttp
import asyncpg

from tests.harness import RunningHub, make_settings
from tests.services import PG_ADMIN_DSN, REDIS_URL, fresh_postgres, redis_url


async def _get(http: aiohttp.ClientSession, url: str) -> tuple[int, dict[str, Any]]:
    async with http.get(url) as response:
        return response.status, await response.json()


class TcpProxy:
    """Redis reached through a port this test can cut, as a network failure would."""

    def __init__(self, host: str, port: int) -> None:
        self._target = (host, port)
        self._server: asyncio.Server | None = None
        self._links: set[asyncio.StreamWriter] = set()
        self.port = 0

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._link, "127.0.0.1", self.port)
        self.port = self._server.sockets[0].getsockname()[1]

    async def cut(self) -> None:
        assert self._server is not None
        self._server.close()
        for writer in list(self._links):
            writer.close()
        await self._server.wait_closed()

    async def _link(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        up_reader, up_writer = await asyncio.open_connection(*self._target)
        self._links |= {writer, up_writer}

        async def pipe(src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
            with contextlib.suppress(OSError, ConnectionError):
                while data := await src.read(65536):
                    dst.write(data)
                    await dst.drain()
            dst.close()

        await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))


async def test_a_ready_hub_says_so_on_both_endpoints(tmp_path: Path, database_url: str) -> None:
    hub = await RunningHub(make_settings(tmp_path, database_url)).start()
    try:
        async with aiohttp.ClientSession() as http:
            assert await _get(http, f"{hub.url}/livez") == (200, {"status": "ok"})
            status, body = await _get(http, f"{hub.url}/healthz")
        assert status == 200
        assert body == {"status": "ok", "checks": {"database": "ok", "bus": "ok", "feed": "ok"}}
    finally:
        await hub.stop()


async def test_a_lost_database_makes_the_hub_unready_but_alive(tmp_path: Path) -> None:
    async with fresh_postgres() as url:
        hub = await RunningHub(make_settings(tmp_path, url)).start()
        try:
            admin = await asyncpg.connect(PG_ADMIN_DSN)
            try:
                await admin.execute(f'DROP DATABASE "{url.rsplit("/", 1)[1]}" WITH (FORCE)')
            finally:
                await admin.close()
            async with aiohttp.ClientSession() as http:
                assert (await _get(http, f"{hub.url}/livez"))[0] == 200
                status, body = await _get(http, f"{hub.url}/healthz")
            assert status == 503 and body["status"] == "unavailable"
            assert body["checks"]["database"].startswith("unreachable")
        finally:
            await hub.stop()


async def test_a_lost_bus_makes_the_hub_unready(tmp_path: Path) -> None:
    await redis_url()  # Redis must be there for the proxy to reach it
    host, port = REDIS_URL.split("//", 1)[1].split("/", 1)[0].split(":")
    proxy = TcpProxy(host, int(port))
    await proxy.start()
    bus = f"redis://127.0.0.1:{proxy.port}/0"
    hub = await RunningHub(
        make_settings(tmp_path, f"sqlite+aiosqlite:///{tmp_path}/h.db", bus__url=bus)
    ).start()
    try:
        await proxy.cut()
        async with aiohttp.ClientSession() as http:
            for _ in range(100):
                status, body = await _get(http, f"{hub.url}/healthz")
                if status == 503:
                    break
                await asyncio.sleep(0.05)
        assert status == 503 and body["checks"]["bus"].startswith("not connected")
        assert body["checks"]["database"] == "ok"
    finally:
        await hub.stop()
