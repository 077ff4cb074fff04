"""A real hub on a free port, and real websocket clients that speak docs/protocol.md."""

from __future__ import annotations

import asyncio
import itertools
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

from hub.app import build_app
from hub.services.auth import hash_password
from hub.settings import Settings, load_settings
from storage import open_store

Frame = dict[str, Any]
WAIT = 10.0


def make_settings(data_dir: Path, database_url: str, **overrides: str) -> Settings:
    env = {
        "CONTACTHUB_SERVER__DATA_DIR": str(data_dir),
        "CONTACTHUB_SERVER__PORT": "0",
        "CONTACTHUB_DATABASE__URL": database_url,
    }
    env.update({f"CONTACTHUB_{k.upper()}": v for k, v in overrides.items()})
    return load_settings(None, env=env)


class RunningHub:
    """Starts build_app(settings) on 127.0.0.1 with a free port; can be stopped and restarted."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._runner: web.AppRunner | None = None
        self.port = 0

    async def start(self) -> RunningHub:
        if not self.settings.database_url.startswith("sqlite"):
            # What an operator does before serving on PostgreSQL: `contacthub db upgrade`.
            async with open_store(self.settings.database_url, migrate=True):
                pass
        app = await build_app(self.settings)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", self.port)
        await site.start()
        server = site._server
        assert server is not None
        self.port = server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return self

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    async def add_agent(
        self,
        name: str,
        role: str = "agent",
        *,
        voice_target: str | None = None,
        skills: tuple[str, ...] = (),
        **capacity: int,
    ) -> dict[str, str]:
        email = f"{name.lower().replace(' ', '.')}@example.com"
        async with open_store(self.settings.database_url) as store:
            agent = await store.agents.add_agent(
                name,
                email,
                hash_password("password123"),
                role,  # type: ignore[arg-type]
                list(skills),
                dict(self.settings.routing.default_capacity) | capacity,
                voice_target=voice_target,
            )
        return {"id": agent.id, "email": email, "password": "password123", "name": name}


class Socket:
    """A websocket client that keeps every frame it receives, for later waiting and checks."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        self.ws = ws
        self.frames: list[Frame] = []
        self._consumed: set[int] = set()
        self._arrived = asyncio.Condition()
        self._reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        async for msg in self.ws:
            if msg.type == aiohttp.WSMsgType.TEXT:
                async with self._arrived:
                    self.frames.append(msg.json())
                    self._arrived.notify_all()
        async with self._arrived:
            self._arrived.notify_all()

    async def send(self, **frame: Any) -> None:
        await self.ws.send_json(frame)

    async def expect(
        self, kind: str, where: Callable[[Frame], bool] = lambda f: True, timeout: float = WAIT
    ) -> Frame:
        """The next not-yet-consumed frame of this type matching `where`."""

        async def find() -> Frame:
            async with self._arrived:
                while True:
                    for index, frame in enumerate(self.frames):
                        if index in self._consumed:
                            continue
                        if frame.get("type") == kind and where(frame):
                            self._consumed.add(index)
                            return frame
                    if self.ws.closed and self._reader.done():
                        raise AssertionError(f"socket closed while waiting for {kind}")
                    await self._arrived.wait()

        try:
            return await asyncio.wait_for(find(), timeout)
        except TimeoutError:
            seen = [f.get("type") for f in self.frames[-15:]]
            raise AssertionError(
                f"no {kind!r} frame within {timeout}s; last frames: {seen}"
            ) from None

    def of_type(self, kind: str) -> list[Frame]:
        return [f for f in self.frames if f.get("type") == kind]

    async def close(self) -> None:
        await self.ws.close()
        await self._reader


class Customer(Socket):
    def __init__(self, ws: aiohttp.ClientWebSocketResponse, welcome: Frame) -> None:
        super().__init__(ws)
        self.welcome = welcome
        self.token: str = welcome["visitor_token"]
        self._ids = itertools.count()

    async def say(self, text: str, client_id: str | None = None) -> Frame:
        client_id = client_id or uuid.uuid4().hex
        await self.send(type="message", client_id=client_id, text=text)
        return await self.expect("ack", lambda f: f["client_id"] == client_id)


class Agent(Socket):
    def __init__(self, ws: aiohttp.ClientWebSocketResponse, welcome: Frame, token: str) -> None:
        super().__init__(ws)
        self.welcome = welcome
        self.token = token

    async def accept_next(self, timeout: float = WAIT) -> Frame:
        offer = await self.expect("offer", timeout=timeout)
        await self.send(type="accept", offer_id=offer["offer_id"])
        return await self.expect(
            "assigned", lambda f: f["conversation"]["id"] == offer["conversation"]["id"]
        )


async def connect_customer(http: aiohttp.ClientSession, hub: RunningHub, **hello: Any) -> Customer:
    ws = await http.ws_connect(f"{hub.ws_url}/ws/chat")
    await ws.send_json({"type": "hello", **hello})
    welcome = (await ws.receive(timeout=WAIT)).json()
    assert welcome["type"] == "welcome", welcome
    return Customer(ws, welcome)


async def login(http: aiohttp.ClientSession, hub: RunningHub, agent: dict[str, str]) -> str:
    async with http.post(
        f"{hub.url}/api/v1/auth/login",
        json={"email": agent["email"], "password": agent["password"]},
    ) as r:
        assert r.status == 200, await r.text()
        return str((await r.json())["token"])


async def connect_agent(
    http: aiohttp.ClientSession,
    hub: RunningHub,
    agent: dict[str, str],
    token: str | None = None,
    available: bool = True,
) -> Agent:
    token = token or await login(http, hub, agent)
    ws = await http.ws_connect(
        f"{hub.ws_url}/ws/agent", headers={"Authorization": f"Bearer {token}"}
    )
    welcome = (await ws.receive(timeout=WAIT)).json()
    assert welcome["type"] == "welcome", welcome
    client = Agent(ws, welcome, token)
    if available:
        await client.send(type="presence", status="available")
        await client.expect("presence", lambda f: f["status"] == "available")
    return client
