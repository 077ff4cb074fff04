"""200 customers, 10 agents with chat capacity 3: no conversation is offered or assigned twice,
no agent ever holds more than 3, and a freed slot drains the backlog at once."""

from __future__ import annotations

import asyncio
from collections import Counter
from pathlib import Path

import aiohttp

from tests.harness import Agent, RunningHub, connect_agent, connect_customer, make_settings

CUSTOMERS, AGENTS, CAPACITY = 200, 10, 3


async def test_no_double_assignment_and_capacity_holds(tmp_path: Path, database_url: str) -> None:
    # Every customer here comes from 127.0.0.1: lift the per-address socket cap and rate.
    settings = make_settings(
        tmp_path,
        database_url,
        channels__webchat__max_sockets_per_address=str(CUSTOMERS),
        channels__webchat__address_message_rate=f"{CUSTOMERS}/second",
    )
    hub = await RunningHub(settings).start()
    try:
        people = [await hub.add_agent(f"Agent{i:02d}", webchat=CAPACITY) for i in range(AGENTS)]
        # One connection per socket: the default pool of 100 would starve 200 customers.
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as http:
            customers = await asyncio.gather(
                *(connect_customer(http, hub) for _ in range(CUSTOMERS))
            )
            await asyncio.gather(*(c.say(f"help {i}") for i, c in enumerate(customers)))
            agents = [await connect_agent(http, hub, p) for p in people]
            accepting = [asyncio.create_task(_accept_all(a)) for a in agents]

            await _until(
                lambda: sum(len(a.of_type("assigned")) for a in agents) == AGENTS * CAPACITY
            )
            await asyncio.sleep(0.5)  # give a wrong extra offer time to show up
            assigned = [f["conversation"]["id"] for a in agents for f in a.of_type("assigned")]
            offered = [f["conversation"]["id"] for a in agents for f in a.of_type("offer")]
            assert len(assigned) == AGENTS * CAPACITY
            assert len(set(assigned)) == len(assigned), "a conversation was assigned twice"
            assert max(Counter(offered).values()) == 1, "a conversation was offered twice"
            for agent in agents:
                assert len(agent.of_type("offer")) == CAPACITY

            freed = agents[0]
            done = freed.of_type("assigned")[0]["conversation"]["id"]
            await freed.send(type="resolve", conversation_id=done)
            refill = await freed.expect(
                "assigned", lambda f: f["conversation"]["id"] not in assigned
            )
            assert refill["conversation"]["id"] not in assigned

            headers = {"Authorization": f"Bearer {freed.token}"}
            async with http.get(f"{hub.url}/api/v1/agents", headers=headers) as response:
                loads = {a["id"]: a["load"] for a in (await response.json())["agents"]}
            assert all(load.get("webchat", 0) == CAPACITY for load in loads.values())
            for task in accepting:
                task.cancel()
            await asyncio.gather(*(c.close() for c in [*customers, *agents]))
    finally:
        await hub.stop()


async def _accept_all(agent: Agent) -> None:
    while True:
        offer = await agent.expect("offer", timeout=3600)
        await agent.send(type="accept", offer_id=offer["offer_id"])


async def _until(condition: object, timeout: float = 30.0) -> None:
    async def poll() -> None:
        while not condition():  # type: ignore[operator]
            await asyncio.sleep(0.05)

    await asyncio.wait_for(poll(), timeout)
