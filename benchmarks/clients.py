"""Customers and agents over real websockets. The same classes drive the hub and the relay;
a Dialect only says how a socket is opened (the hub wants hello, login and presence first)."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import time
from typing import Any, Protocol

import aiohttp
from aiohttp import WSMsgType

from benchmarks.meter import Meter, measured_text, message_id_of
from benchmarks.servers import AGENT_PASSWORD

Frame = dict[str, Any]
Socket = aiohttp.ClientWebSocketResponse
HANDSHAKE_TIMEOUT = 30.0
# A server still working through queued frames answers the close late; the figures are in.
CLOSE_TIMEOUT = 2.0


class Dialect(Protocol):
    async def open_agent(self, http: aiohttp.ClientSession, index: int) -> Socket: ...
    async def open_customer(self, http: aiohttp.ClientSession, index: int) -> Socket: ...


class HubDialect:
    """docs/protocol.md: agents log in over HTTP, connect with the token and go available;
    customers say hello and wait for welcome."""

    def __init__(self, base_url: str, agent_emails: list[str]) -> None:
        self._http_url = base_url
        self._ws_url = base_url.replace("http://", "ws://", 1)
        self._emails = agent_emails

    async def open_agent(self, http: aiohttp.ClientSession, index: int) -> Socket:
        credentials = {"email": self._emails[index], "password": AGENT_PASSWORD}
        async with http.post(f"{self._http_url}/api/v1/auth/login", json=credentials) as answer:
            if answer.status != 200:
                raise RuntimeError(f"login failed ({answer.status}): {await answer.text()}")
            token = (await answer.json())["token"]
        headers = {"Authorization": f"Bearer {token}"}
        ws = await http.ws_connect(f"{self._ws_url}/ws/agent", headers=headers)
        await _expect_welcome(ws)
        await ws.send_str(json.dumps({"type": "presence", "status": "available"}))
        return ws

    async def open_customer(self, http: aiohttp.ClientSession, index: int) -> Socket:
        ws = await http.ws_connect(f"{self._ws_url}/ws/chat")
        await ws.send_str(json.dumps({"type": "hello", "name": f"Bench customer {index}"}))
        await _expect_welcome(ws)
        return ws


class RelayDialect:
    """benchmarks/relay.py: no handshake; a customer names its agent in the URL."""

    def __init__(self, base_url: str, agents: int) -> None:
        self._ws_url = base_url.replace("http://", "ws://", 1)
        self._agents = agents

    async def open_agent(self, http: aiohttp.ClientSession, index: int) -> Socket:
        return await http.ws_connect(f"{self._ws_url}/a/{index}")

    async def open_customer(self, http: aiohttp.ClientSession, index: int) -> Socket:
        agent = index % self._agents
        return await http.ws_connect(f"{self._ws_url}/c/{index}?agent={agent}")


async def _expect_welcome(ws: Socket) -> None:
    frame = json.loads((await ws.receive(timeout=HANDSHAKE_TIMEOUT)).data)
    if frame.get("type") != "welcome":
        raise RuntimeError(f"expected welcome, got {frame}")


async def close_socket(ws: Socket, reader: asyncio.Task[None]) -> None:
    try:
        await asyncio.wait_for(ws.close(), CLOSE_TIMEOUT)
    except TimeoutError:
        pass
    reader.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await reader


class Customer:
    """Sends measured messages; counts acks (which free its window) and agent replies."""

    def __init__(self, ws: Socket, meter: Meter, window: int, text_pad: str) -> None:
        self.ws = ws
        self._meter = meter
        self._window_size = window
        # Made when closed-loop sending starts, so warm-up acks do not widen the window.
        self._window: asyncio.Semaphore | None = None
        self._pad = text_pad
        self.assigned = asyncio.Event()
        self.replied = asyncio.Event()
        self._reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        async for msg in self.ws:
            if msg.type != WSMsgType.TEXT:
                continue
            frame = json.loads(msg.data)
            kind = frame.get("type")
            if kind in ("ack", "error"):
                if self._window is not None:
                    self._window.release()  # either is the answer to one message
                if kind == "error":
                    self._meter.on_error(str(frame.get("code")))
            elif kind == "message":
                self.replied.set()
            elif kind == "assigned":
                self.assigned.set()

    async def say_unmeasured(self, text: str) -> None:
        await self.ws.send_str(json.dumps({"type": "message", "client_id": text, "text": text}))

    async def _send_measured(self) -> None:
        message_id = self._meter.on_send()
        frame = {
            "type": "message",
            "client_id": f"c{message_id}",
            "text": measured_text(message_id, self._pad),
        }
        await self.ws.send_str(json.dumps(frame))

    async def run_closed_loop(self) -> None:
        """Max-throughput mode: a new message as soon as the window has room."""
        self._window = window = asyncio.Semaphore(self._window_size)
        while self._meter.may_send():
            await window.acquire()
            if not self._meter.may_send():
                return
            await self._send_measured()

    def wake(self) -> None:
        """Unblock run_closed_loop after the window closed, so it can notice and return."""
        if self._window is not None:
            self._window.release()

    async def run_paced(self, first_due: float, interval: float) -> None:
        """Fixed-rate mode: open loop, on schedule whatever the answers. Lateness against the
        schedule is recorded, so a client too slow to keep the rate shows in the report."""
        for k in itertools.count():
            due = first_due + k * interval
            delay = due - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            if not self._meter.may_send():
                return
            self._meter.send_lag.append(max(0.0, time.perf_counter() - due))
            await self._send_measured()

    async def close(self) -> None:
        await close_socket(self.ws, self._reader)


class Agent:
    """Accepts every offer and replies to customer messages (every `reply_every`-th measured
    one, and every warm-up one, so warm-up round trips complete)."""

    def __init__(self, ws: Socket, meter: Meter, reply_every: int) -> None:
        self.ws = ws
        self._meter = meter
        self._reply_every = reply_every
        self._reply_ids = itertools.count()
        self._reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        async for msg in self.ws:
            at = time.perf_counter()  # before parsing: the frame has arrived
            if msg.type != WSMsgType.TEXT:
                continue
            frame = json.loads(msg.data)
            kind = frame.get("type")
            if kind == "message" and frame.get("author") == "customer":
                await self._on_customer_message(frame, at)
            elif kind == "ack":
                self._meter.on_reply_ack(at)
            elif kind == "offer":
                await self.ws.send_str(
                    json.dumps({"type": "accept", "offer_id": frame["offer_id"]})
                )
            elif kind == "error":
                self._meter.on_error(str(frame.get("code")))

    async def _on_customer_message(self, frame: Frame, at: float) -> None:
        message_id = message_id_of(frame["text"])
        if message_id is not None:
            self._meter.on_receive(message_id, at)
        if message_id is None or (self._reply_every and message_id % self._reply_every == 0):
            reply = {
                "type": "reply",
                "conversation_id": frame["conversation_id"],
                "client_id": f"r{next(self._reply_ids)}",  # replies dedupe per agent
                "text": "Thanks, looking into it.",
            }
            self._meter.on_reply_sent()
            await self.ws.send_str(json.dumps(reply))

    async def close(self) -> None:
        await close_socket(self.ws, self._reader)
