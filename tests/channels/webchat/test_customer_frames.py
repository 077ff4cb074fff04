"""What the customer socket tells a visitor: agent display names, never agent ids or any
other internal data (docs/protocol.md, "Customer socket")."""

from __future__ import annotations

import json
from pathlib import Path

import aiohttp

from tests.harness import RunningHub, connect_agent, connect_customer, make_settings

# What a visitor may see of a message in `welcome.history`.
HISTORY_FIELDS = {"message_id", "conversation_id", "author", "agent_name", "text", "created_at"}


async def test_no_customer_frame_carries_agent_ids(tmp_path: Path, database_url: str) -> None:
    hub = await RunningHub(make_settings(tmp_path, database_url)).start()
    try:
        ann = await hub.add_agent("Ann")
        async with aiohttp.ClientSession() as http:
            customer = await connect_customer(http, hub, name="Carol")
            conversation_id = (await customer.say("hello", "c1"))["conversation_id"]
            agent = await connect_agent(http, hub, ann)
            await agent.accept_next()
            await customer.expect("assigned")
            await agent.send(type="typing", conversation_id=conversation_id, typing=True)
            await customer.expect("typing")
            await agent.send(
                type="reply", conversation_id=conversation_id, client_id="r1", text="Hi Carol"
            )
            await customer.expect("message")
            await agent.send(type="resolve", conversation_id=conversation_id)
            await customer.expect("status")
            again = await connect_customer(http, hub, visitor_token=customer.token)
            history = again.welcome["history"]
            assert [m["text"] for m in history] == ["hello", "Hi Carol"]
            assert all(set(m) <= HISTORY_FIELDS | {"client_id"} for m in history), history
            assert history[1]["author"] == "agent" and history[1]["agent_name"] == "Ann"
            assert history[0]["client_id"] == "c1"  # the visitor's own id for its message
            assert "client_id" not in history[1]
            seen = json.dumps([*customer.frames, again.welcome])
            for secret in (ann["id"], ann["email"], "agent_id"):
                assert secret not in seen
            for client in (customer, again, agent):
                await client.close()
    finally:
        await hub.stop()
