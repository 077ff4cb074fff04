"""The supervisor's live picture and reassignment; presence and its grace period."""

from __future__ import annotations

import asyncio
from pathlib import Path

import aiohttp
import pytest

from hub.events import Ephemeral
from hub.flow.bus import SUBSCRIBER_BACKLOG, Bus
from hub.ids import ConversationId, CustomerId
from hub.settings import Settings, load_settings
from storage import open_store
from tests.harness import RunningHub, Socket, connect_agent, connect_customer, make_settings
from tests.services import redis_url

REPO = Path(__file__).resolve().parents[1]


async def test_supervisor_sees_queues_agents_and_reassigns(tmp_path: Path, sqlite_url: str) -> None:
    hub = await RunningHub(make_settings(tmp_path, sqlite_url)).start()
    try:
        ann, bob = await hub.add_agent("Ann", webchat=1), await hub.add_agent("Bob", webchat=1)
        sue = await hub.add_agent("Sue", role="supervisor")
        async with aiohttp.ClientSession() as http:
            agent = await connect_agent(http, hub, ann)
            supervisor_login = await connect_agent(http, hub, sue, available=False)
            ws = await http.ws_connect(
                f"{hub.ws_url}/ws/supervisor",
                headers={"Authorization": f"Bearer {supervisor_login.token}"},
            )
            floor = Socket(ws)
            first = await floor.expect("snapshot")
            assert [q["name"] for q in first["queues"]] == ["general"]
            assert first["queues"][0]["waiting"] == 0

            customers = [await connect_customer(http, hub) for _ in range(2)]
            for customer in customers:
                await customer.say("help")
            assigned = await agent.accept_next()
            conversation_id = assigned["conversation"]["id"]

            def settled(frame: dict) -> bool:  # type: ignore[type-arg]
                queue = frame["queues"][0]
                rows = {a["name"]: a for a in frame["agents"]}
                return (
                    queue["waiting"] == 1
                    and queue["answered"] == 1
                    and rows["Ann"]["load"] == {"webchat": 1}
                )

            snapshot = await floor.expect("snapshot", settled)
            queue = snapshot["queues"][0]
            assert queue["service_level_pct"] == 100.0 and queue["longest_wait_seconds"] >= 0
            rows = {a["name"]: a for a in snapshot["agents"]}
            assert rows["Ann"]["status"] == "available" and rows["Ann"]["capacity"]["webchat"] == 1
            assert rows["Ann"]["conversations"] == [conversation_id]
            assert {c["status"] for c in snapshot["conversations"]} == {"open", "pending"}

            second = await connect_agent(http, hub, bob)
            await second.accept_next()  # the waiting one
            await floor.send(
                type="reassign", conversation_id=conversation_id, to_agent_id=ann["id"]
            )
            assert (await floor.expect("error"))["code"] == "conflict"  # already Ann's
            await second.send(
                type="resolve", conversation_id=second.of_type("assigned")[0]["conversation"]["id"]
            )
            await floor.send(
                type="reassign", conversation_id=conversation_id, to_agent_id=bob["id"]
            )
            ack = await floor.expect("ack")
            assert (ack["to_agent_id"], ack["target_status"]) == (bob["id"], "available")
            await agent.expect("unassigned", lambda f: f["reason"] == "reassign")
            moved = await second.expect(
                "offer", lambda f: f["conversation"]["id"] == conversation_id
            )
            await second.send(type="accept", offer_id=moved["offer_id"])
            await second.expect("assigned", lambda f: f["conversation"]["id"] == conversation_id)
            for client in (*customers, agent, second, supervisor_login, floor):
                await client.close()
    finally:
        await hub.stop()


async def test_a_reassign_says_the_target_is_away_and_waits_for_them_only_so_long(
    tmp_path: Path, sqlite_url: str
) -> None:
    settings = make_settings(tmp_path, sqlite_url, routing__offer_timeout_seconds="0.5")
    hub = await RunningHub(settings).start()
    try:
        ann, bob = await hub.add_agent("Ann", webchat=1), await hub.add_agent("Bob", webchat=1)
        sue = await hub.add_agent("Sue", role="supervisor")
        async with aiohttp.ClientSession() as http:
            agent = await connect_agent(http, hub, ann)
            away = await connect_agent(http, hub, bob, available=False)
            await away.send(type="presence", status="away")
            await away.expect("presence", lambda f: f["status"] == "away")
            supervisor_login = await connect_agent(http, hub, sue, available=False)
            ws = await http.ws_connect(
                f"{hub.ws_url}/ws/supervisor",
                headers={"Authorization": f"Bearer {supervisor_login.token}"},
            )
            floor = Socket(ws)
            customer = await connect_customer(http, hub)
            await customer.say("help")
            offer = await agent.expect("offer")
            conversation_id = offer["conversation"]["id"]
            queued_at = offer["conversation"]["queued_at"]
            await floor.send(
                type="reassign", conversation_id=conversation_id, to_agent_id=bob["id"]
            )
            ack = await floor.expect("ack")
            assert (ack["to_agent_id"], ack["target_name"], ack["target_status"]) == (
                bob["id"],
                "Bob",
                "away",
            )
            assert ack["waits_until"] > queued_at
            # Ann's offer was made for the conversation as it was: it is withdrawn at once.
            await agent.expect("offer_closed", lambda f: f["offer_id"] == offer["offer_id"])
            # Bob is away, so after the offer timeout Ann is offered it again, with the
            # customer's wait clock where it was.
            again = await agent.expect("offer", lambda f: f["offer_id"] != offer["offer_id"])
            assert again["conversation"]["id"] == conversation_id
            assert again["conversation"]["queued_at"] == queued_at
            assert again["conversation"]["target_agent_id"] is None
            for client in (customer, agent, away, supervisor_login, floor):
                await client.close()
    finally:
        await hub.stop()


async def test_an_agent_who_leaves_offers_unanswered_is_set_away_and_told_why(
    tmp_path: Path, sqlite_url: str
) -> None:
    settings = make_settings(tmp_path, sqlite_url, routing__offer_timeout_seconds="0.3")
    hub = await RunningHub(settings).start()
    try:
        ann = await hub.add_agent("Ann", webchat=1)
        async with aiohttp.ClientSession() as http:
            agent = await connect_agent(http, hub, ann)
            customer = await connect_customer(http, hub)
            await customer.say("hello?")
            first = await agent.expect("offer")
            # The card can say how long the customer has waited, whatever the console's clock.
            assert first["waiting_since"] == first["conversation"]["queued_at"]
            assert 0 <= first["waited_seconds"] < 5
            second = await agent.expect("offer", lambda f: f["offer_id"] != first["offer_id"])
            assert second["waiting_since"] == first["waiting_since"]
            away = await agent.expect("presence", lambda f: f["status"] == "away")
            assert away["reason"] == "2 offers in a row went unanswered"
            closed = [f["outcome"] for f in agent.of_type("offer_closed")]
            assert closed == ["timeout", "timeout"]
            await asyncio.sleep(0.6)  # two more timeouts' worth: nothing more is offered
            assert len(agent.of_type("offer")) == 2
            await customer.close()
            await agent.close()
    finally:
        await hub.stop()


async def test_agent_goes_offline_after_the_grace_period(tmp_path: Path, sqlite_url: str) -> None:
    settings = make_settings(tmp_path, sqlite_url, routing__presence_grace_seconds="0.3")
    hub = await RunningHub(settings).start()
    try:
        ann = await hub.add_agent("Ann")
        async with aiohttp.ClientSession() as http:
            first = await connect_agent(http, hub, ann)
            # A reload: the old socket closes and a new one opens within the grace period.
            await first.close()
            second = await connect_agent(http, hub, ann, token=first.token, available=False)
            await asyncio.sleep(0.6)
            assert second.welcome["agent"]["status"] == "available"
            assert not second.of_type("presence"), "a reload must not flap presence"
            await second.close()

            watcher_login = await hub.add_agent("Sue", role="supervisor")
            watcher = await connect_agent(http, hub, watcher_login, available=False)

            async def status() -> str:
                async with http.get(
                    f"{hub.url}/api/v1/agents", headers={"Authorization": f"Bearer {watcher.token}"}
                ) as r:
                    rows = (await r.json())["agents"]
                return str(next(a["status"] for a in rows if a["id"] == ann["id"]))

            for _ in range(100):
                if await status() == "offline":
                    break
                await asyncio.sleep(0.05)
            assert await status() == "offline"
            await watcher.close()
    finally:
        await hub.stop()


def test_shipped_config_is_the_built_in_default() -> None:
    shipped = load_settings(REPO / "config.toml", env={})
    assert shipped == Settings()


async def test_the_supervisor_page_follows_events_again_after_its_stream_overflows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two bursts of 10,000 signals (as queue positions of a big backlog once were) overflow
    the supervisor socket's mailbox. It used to take nothing more and refresh only on its
    idle timer; now the next event brings a snapshot again. The idle timer is made an hour
    here, so only an event can."""
    import agents_ui.supervisor_socket

    monkeypatch.setattr(agents_ui.supervisor_socket, "IDLE_REFRESH", 3600.0)
    url = await redis_url()
    settings = make_settings(tmp_path, f"sqlite+aiosqlite:///{tmp_path}/s.db", bus__url=url)
    hub = await RunningHub(settings).start()
    sue = await hub.add_agent("Sue", role="supervisor")
    async with open_store(settings.database_url) as store:
        installation = store.installation_id
    burst = [
        Ephemeral(
            type="queue",
            conversation_id=ConversationId(f"c{n}"),
            customer_id=CustomerId(f"u{n}"),
            position=n,
        )
        for n in range(SUBSCRIBER_BACKLOG)
    ]
    async with aiohttp.ClientSession() as http, Bus(url, namespace=installation) as bus:
        try:
            login = await connect_agent(http, hub, sue, available=False)
            ws = await http.ws_connect(
                f"{hub.ws_url}/ws/supervisor",
                headers={"Authorization": f"Bearer {login.token}"},
            )
            floor = Socket(ws)
            await floor.expect("snapshot")
            await bus.publish(burst)
            await asyncio.sleep(0.05)  # the socket now sleeps before its next snapshot
            await bus.publish(burst)
            await asyncio.sleep(1.0)  # both bursts delivered; the mailbox overflowed
            seen = len(floor.of_type("snapshot"))
            customer = await connect_customer(http, hub)
            await customer.say("is anyone there?")
            await floor.expect("snapshot", lambda f: f["queues"][0]["waiting"] == 1, timeout=20)
            assert len(floor.of_type("snapshot")) > seen
            await customer.close()
            await floor.close()
        finally:
            await hub.stop()
