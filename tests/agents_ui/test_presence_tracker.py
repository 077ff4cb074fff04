"""The connection tracker shuts down promptly even when a socket closes at the very moment of
shutdown (on Python 3.11, asyncio.wait_for could swallow that cancel and hang the hub)."""

from __future__ import annotations

import asyncio

from agents_ui.presence import ConnectionTracker
from hub.ids import AgentId
from storage import open_store


async def test_shutdown_racing_a_disconnect_never_hangs(sqlite_url: str) -> None:
    async with open_store(sqlite_url) as store:
        agent = await store.agents.add_agent("Ann", "ann@example.com", "x", "agent", [], {})
        offline: list[AgentId] = []

        async def go_offline(agent_id: AgentId) -> None:
            offline.append(agent_id)

        for round_ in range(150):
            tracker = ConnectionTracker(60, go_offline, store.connections, f"proc-{round_}")
            tracker.connected(agent.id)
            await asyncio.sleep(0)  # the reporter starts waiting
            for _ in range(round_ % 3):
                await asyncio.sleep(0)  # vary where in its loop the close lands
            tracker.disconnected(agent.id)
            closing = asyncio.create_task(tracker.aclose())
            done, _ = await asyncio.wait({closing}, timeout=5)
            assert done, f"shutdown hung in round {round_}"
        assert offline == []  # closing is not a disconnect: nobody was set offline
        assert not await store.connections.connected_elsewhere("other", agent.id, 60)
