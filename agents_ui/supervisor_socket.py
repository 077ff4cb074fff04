"""The supervisor socket /ws/supervisor: a snapshot at once, then a fresh one whenever the
floor changes, at most every SNAPSHOT_INTERVAL seconds; reassignment from the page."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from aiohttp import WSMsgType, web

from agents_ui.console_frames import SUPERVISOR_FRAMES, Ping, Reassign
from agents_ui.dashboard import Dashboard
from agents_ui.session import Sessions
from hub.errors import AuthError, BadInput, HubError
from hub.flow.bus import Subscription
from hub.flow.feed import EventFeed
from hub.flow.tasks import stop
from hub.models import Agent
from hub.services.conversations import ConversationService, Reassignment
from hub.wire.parsing import parse_frame, request_echo
from hub.wire.sockets import SocketHub, error_frame, send_quietly

log = logging.getLogger(__name__)
SNAPSHOT_INTERVAL = 0.25
# Longest wait grows with no event at all; refresh now and then so the figure stays true.
IDLE_REFRESH = 5.0


class SupervisorSocket:
    def __init__(
        self,
        sessions: Sessions,
        conversations: ConversationService,
        dashboard: Dashboard,
        feed: EventFeed,
        sockets: SocketHub,
        max_frame_bytes: int,
    ) -> None:
        self._sessions = sessions
        self._conversations = conversations
        self._dashboard = dashboard
        self._feed = feed
        self._sockets = sockets
        self._max_frame_bytes = max_frame_bytes

    async def handle(self, request: web.Request) -> web.WebSocketResponse:
        ws = await self._sockets.open(request)
        try:
            session = await self._sessions.session(request, supervisor=True)
        except HubError as exc:
            await send_quietly(ws, error_frame(exc))
            code = 4401 if isinstance(exc, AuthError) else 4403
            await ws.close(code=code, message=exc.code.encode())
            return ws
        supervisor = session.agent
        async with self._sessions.watching(ws, session), self._feed.subscribe() as subscription:
            updates = asyncio.create_task(self._updates(ws, subscription))
            try:
                async for msg in ws:
                    if msg.type == WSMsgType.TEXT:
                        await self._on_text(ws, supervisor, msg.data)
                    elif msg.type == WSMsgType.BINARY:
                        await send_quietly(ws, error_frame(BadInput("send JSON text frames")))
            finally:
                await stop(updates)
        return ws

    async def _updates(self, ws: web.WebSocketResponse, subscription: Subscription) -> None:
        while not ws.closed:
            try:
                await send_quietly(ws, await self._dashboard.snapshot())
            except HubError as exc:
                await send_quietly(ws, error_frame(exc))
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(IDLE_REFRESH):  # not wait_for: see hub/batching.py
                    await subscription.get()
            await asyncio.sleep(SNAPSHOT_INTERVAL)
            while subscription.get_nowait() is not None:
                pass  # one snapshot covers every change since the last one
            if subscription.overflowed:
                subscription.recover()  # and the next snapshot covers what it dropped

    async def _on_text(self, ws: web.WebSocketResponse, supervisor: Agent, data: str) -> None:
        try:
            frame = parse_frame(SUPERVISOR_FRAMES, data, self._max_frame_bytes)
            if isinstance(frame, Reassign):
                done = await self._conversations.reassign(
                    supervisor, frame.conversation_id, frame.to_agent_id
                )
                await send_quietly(ws, _reassigned(frame, done))
            elif isinstance(frame, Ping):
                await send_quietly(ws, {"type": "pong"})
        except HubError as exc:
            await send_quietly(ws, error_frame(exc) | request_echo(data))


def _reassigned(frame: Reassign, done: Reassignment) -> dict[str, Any]:
    """The answer says whom the conversation now waits for, and whether they are there: it is
    not theirs until they accept it, and it goes back to the queue at `waits_until`."""
    return {
        "type": "ack",
        "conversation_id": frame.conversation_id,
        "to_agent_id": done.target.id,
        "target_name": done.target.name,
        "target_status": done.target.status,
        "waits_until": done.waits_until.isoformat(),
    }
