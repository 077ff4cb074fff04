"""Which agents have a console open. An agent whose last socket closes is set offline after a
grace period, so a flaky network or a page reload does not drop them; and not at all while a
console of theirs is open on another hub process (the counts are shared through storage)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

from hub.ids import AgentId
from hub.ports import Connections

log = logging.getLogger(__name__)
HEARTBEAT_SECONDS = 10.0
# A process not heard from for this long has died: its sockets no longer count.
STALE_SECONDS = 3 * HEARTBEAT_SECONDS


class ConnectionTracker:
    def __init__(
        self,
        grace_seconds: float,
        go_offline: Callable[[AgentId], Awaitable[None]],
        connections: Connections,
        holder: str,
    ) -> None:
        self._grace = grace_seconds
        self._go_offline = go_offline
        self._connections = connections
        self._holder = holder
        self._sockets: dict[AgentId, int] = {}
        self._timers: dict[AgentId, asyncio.Task[None]] = {}
        self._changed = asyncio.Event()
        self._reporter: asyncio.Task[None] | None = None

    def connected(self, agent_id: AgentId) -> None:
        self._sockets[agent_id] = self._sockets.get(agent_id, 0) + 1
        timer = self._timers.pop(agent_id, None)
        if timer is not None:
            timer.cancel()
        self._report_soon()

    def disconnected(self, agent_id: AgentId) -> None:
        remaining = self._sockets.get(agent_id, 1) - 1
        if remaining > 0:
            self._sockets[agent_id] = remaining
        else:
            self._sockets.pop(agent_id, None)
            self._timers[agent_id] = asyncio.create_task(self._expire(agent_id))
        self._report_soon()

    def _report_soon(self) -> None:
        self._changed.set()
        if self._reporter is None:
            self._reporter = asyncio.create_task(self._report(), name="presence-report")

    async def _report(self) -> None:
        """One writer of this process's counts: changes coalesce, and the heartbeat keeps the
        rows fresh while nothing changes."""
        while True:
            with contextlib.suppress(TimeoutError):
                # Not wait_for: on 3.11 it can swallow the cancel from aclose() when the wait
                # completes at the same moment, and then this loop never ends.
                async with asyncio.timeout(HEARTBEAT_SECONDS):
                    await self._changed.wait()
            self._changed.clear()
            try:
                await self._connections.report(self._holder, dict(self._sockets))
            except Exception:
                log.warning("could not record console connections", exc_info=True)

    async def _expire(self, agent_id: AgentId) -> None:
        await asyncio.sleep(self._grace)
        self._timers.pop(agent_id, None)
        try:
            if await self._connections.connected_elsewhere(self._holder, agent_id, STALE_SECONDS):
                return  # a console of theirs is open on another hub process
            await self._go_offline(agent_id)
        except Exception:
            log.exception("could not set agent %s offline", agent_id)

    async def aclose(self) -> None:
        tasks = [*self._timers.values(), *([self._reporter] if self._reporter else [])]
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.wait(tasks)  # unlike awaiting each, lets a cancel of ours through
        self._timers.clear()
        with contextlib.suppress(Exception):
            await self._connections.report(self._holder, {})
