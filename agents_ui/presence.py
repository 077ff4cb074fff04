"""Which agents have a console open in this process. An agent whose last socket closes is set
offline after a grace period, so a flaky network or a page reload does not drop them."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

from hub.ids import AgentId

log = logging.getLogger(__name__)


class ConnectionTracker:
    def __init__(
        self, grace_seconds: float, go_offline: Callable[[AgentId], Awaitable[None]]
    ) -> None:
        self._grace = grace_seconds
        self._go_offline = go_offline
        self._sockets: dict[AgentId, int] = {}
        self._timers: dict[AgentId, asyncio.Task[None]] = {}

    def connected(self, agent_id: AgentId) -> None:
        self._sockets[agent_id] = self._sockets.get(agent_id, 0) + 1
        timer = self._timers.pop(agent_id, None)
        if timer is not None:
            timer.cancel()

    def disconnected(self, agent_id: AgentId) -> None:
        remaining = self._sockets.get(agent_id, 1) - 1
        if remaining > 0:
            self._sockets[agent_id] = remaining
            return
        self._sockets.pop(agent_id, None)
        self._timers[agent_id] = asyncio.create_task(self._expire(agent_id))

    async def _expire(self, agent_id: AgentId) -> None:
        await asyncio.sleep(self._grace)
        self._timers.pop(agent_id, None)
        try:
            await self._go_offline(agent_id)
        except Exception:
            log.exception("could not set agent %s offline", agent_id)

    async def aclose(self) -> None:
        for timer in self._timers.values():
            timer.cancel()
        for timer in list(self._timers.values()):
            with contextlib.suppress(asyncio.CancelledError):
                await timer
        self._timers.clear()
