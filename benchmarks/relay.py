"""The baseline: a bare aiohttp websocket relay with no persistence, no routing and no event log.

It speaks just enough of docs/protocol.md that the benchmark's clients run unchanged against it:
customers connect to /c/{id}?agent={agent id}, agents to /a/{id}. A customer `message` is
acknowledged, then forwarded to its agent (the hub's order: ack after commit, then publish);
an agent `reply` is acknowledged, then forwarded to the customer. The first message of a
customer also gets an `assigned` frame, standing in for the hub's routing."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

from aiohttp import WSMsgType, web


class Relay:
    def __init__(self) -> None:
        self._agents: dict[str, web.WebSocketResponse] = {}
        self._customers: dict[str, web.WebSocketResponse] = {}

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/c/{id}", self.customer)
        app.router.add_get("/a/{id}", self.agent)
        return app

    async def customer(self, request: web.Request) -> web.WebSocketResponse:
        customer_id = request.match_info["id"]
        agent_id = request.query.get("agent", "0")
        ws = await _open(request, self._customers, customer_id)
        assigned = False
        try:
            async for frame in _frames(ws):
                if frame.get("type") != "message":
                    continue
                ack = {
                    "type": "ack",
                    "client_id": frame["client_id"],
                    "conversation_id": customer_id,
                }
                await _send(ws, ack)
                if not assigned:
                    assigned = True
                    await _send(ws, {"type": "assigned", "conversation_id": customer_id})
                await _send(
                    self._agents.get(agent_id),
                    {
                        "type": "message",
                        "conversation_id": customer_id,
                        "author": "customer",
                        "client_id": frame["client_id"],
                        "text": frame["text"],
                    },
                )
        finally:
            self._customers.pop(customer_id, None)
        return ws

    async def agent(self, request: web.Request) -> web.WebSocketResponse:
        agent_id = request.match_info["id"]
        ws = await _open(request, self._agents, agent_id)
        try:
            async for frame in _frames(ws):
                if frame.get("type") != "reply":
                    continue
                conversation_id = frame["conversation_id"]
                ack = {
                    "type": "ack",
                    "client_id": frame["client_id"],
                    "conversation_id": conversation_id,
                }
                await _send(ws, ack)
                reply = {
                    "type": "message",
                    "conversation_id": conversation_id,
                    "author": "agent",
                    "text": frame["text"],
                }
                await _send(self._customers.get(conversation_id), reply)
        finally:
            self._agents.pop(agent_id, None)
        return ws


async def _open(
    request: web.Request, registry: dict[str, web.WebSocketResponse], key: str
) -> web.WebSocketResponse:
    ws = web.WebSocketResponse()
    await ws.prepare(request)
    registry[key] = ws
    return ws


async def _frames(ws: web.WebSocketResponse) -> AsyncIterator[dict[str, Any]]:
    async for msg in ws:
        if msg.type == WSMsgType.TEXT:
            yield json.loads(msg.data)


async def _send(ws: web.WebSocketResponse | None, frame: dict[str, Any]) -> None:
    if ws is not None and not ws.closed:
        await ws.send_str(json.dumps(frame))
