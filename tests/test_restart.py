"""A hub restarted mid-conversation loses nothing: the customer resumes the same conversation
with its history, the agent resumes its stream by event id and keeps its assignment."""

from __future__ import annotations

from pathlib import Path

import aiohttp

from tests.harness import RunningHub, connect_agent, connect_customer, make_settings


async def test_restart_mid_conversation(tmp_path: Path, database_url: str) -> None:
    settings = make_settings(tmp_path, database_url)
    hub = await RunningHub(settings).start()
    ann = await hub.add_agent("Ann")
    async with aiohttp.ClientSession() as http:
        try:
            customer = await connect_customer(http, hub, name="Dana")
            conversation_id = (await customer.say("before the restart"))["conversation_id"]
            agent = await connect_agent(http, hub, ann)
            await agent.accept_next()
            await agent.send(
                type="reply", conversation_id=conversation_id, client_id="a1", text="hello Dana"
            )
            await agent.expect("ack")
            await customer.expect("message")
            last_seen = max(f["event_id"] for f in agent.frames if "event_id" in f)
        finally:
            await hub.stop()
        await customer.close()
        await agent.close()

        hub = await RunningHub(settings).start()
        try:
            again = await connect_customer(http, hub, visitor_token=customer.token)
            assert again.welcome["conversation_id"] == conversation_id
            assert again.welcome["agent_name"] == "Ann"
            assert [m["text"] for m in again.welcome["history"]] == [
                "before the restart",
                "hello Dana",
            ]
            # Written while the agent is away: the resumed console must still get it.
            await again.say("after the restart")

            console = await connect_agent(http, hub, ann, token=agent.token, available=False)
            assert [c["id"] for c in console.welcome["conversations"]] == [conversation_id]
            assert console.welcome["offers"] == []
            await console.send(type="resume", last_event_id=last_seen)
            missed = await console.expect("message", lambda f: f["text"] == "after the restart")
            assert missed["event_id"] > last_seen
            resumed = await console.expect("resumed")
            assert resumed["last_event_id"] >= missed["event_id"]
            replayed = [f["event_id"] for f in console.frames if "event_id" in f]
            assert replayed == sorted(set(replayed)), "replay is ordered and has no duplicates"

            await console.send(
                type="reply", conversation_id=conversation_id, client_id="a1", text="hello Dana"
            )
            duplicate = await console.expect("ack")
            assert duplicate["client_id"] == "a1"  # same client_id: the original, not a copy
            async with http.get(
                f"{hub.url}/api/v1/conversations/{conversation_id}",
                headers={"Authorization": f"Bearer {console.token}"},
            ) as response:
                texts = [m["text"] for m in (await response.json())["messages"]]
            assert texts == ["before the restart", "hello Dana", "after the restart"]
            await again.close()
            await console.close()
        finally:
            await hub.stop()


async def test_client_id_resend_returns_original_ack(tmp_path: Path, sqlite_url: str) -> None:
    hub = await RunningHub(make_settings(tmp_path, sqlite_url)).start()
    try:
        async with aiohttp.ClientSession() as http:
            customer = await connect_customer(http, hub)
            first = await customer.say("once", client_id="same-id")
            await customer.close()
            again = await connect_customer(http, hub, visitor_token=customer.token)
            second = await again.say("once", client_id="same-id")
            assert second == first
            assert [m["text"] for m in again.welcome["history"]] == ["once"]
            await again.close()
    finally:
        await hub.stop()
