"""Bookkeeping shared by the agent and supervisor sockets."""

from __future__ import annotations

import contextlib
import weakref
from typing import Any

from aiohttp import web

from hub.errors import HubError, RateLimited

TRANSPORT_LIMIT = 1 << 20


async def send_quietly(ws: web.WebSocketResponse, frame: dict[str, Any]) -> None:
    """Send unless the peer is gone. A socket can be closing before `closed` turns true; what
    it would have received is in the event log or the history it gets on reconnect."""
    if ws.closed:
        return
    with contextlib.suppress(ConnectionResetError):
        await ws.send_json(frame)


def error_frame(exc: HubError) -> dict[str, Any]:
    frame: dict[str, Any] = {"type": "error", "code": exc.code, "message": exc.message}
    if isinstance(exc, RateLimited):
        frame["retry_after"] = exc.retry_after
    return frame


class SocketHub:
    """Open sockets, so shutdown can close them with 1001 and consoles reconnect elsewhere."""

    def __init__(self) -> None:
        self._open: weakref.WeakSet[web.WebSocketResponse] = weakref.WeakSet()

    async def open(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(heartbeat=30, max_msg_size=TRANSPORT_LIMIT)
        await ws.prepare(request)
        self._open.add(ws)
        return ws

    async def close_all(self, _app: web.Application) -> None:
        for ws in list(self._open):
            await ws.close(code=1001, message=b"server shutting down")
