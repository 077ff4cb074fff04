"""Two hubs sharing PostgreSQL and Redis act as one: a customer on one reaches an agent on the
other, a console resumes on either without a gap, and routing survives the leader stopping."""

from __future__ import annotations

import asyncio
from pathlib import Path

import aiohttp

from tests.api_client import Api
from tests.harness import RunningHub, connect_agent, connect_customer, login, make_settings
from tests.services import fresh_postgres, redis_url


async def test_two_hubs_share_the_work(tmp_path: Path) -> None:
    bus = await redis_url()
    async with fresh_postgres() as database:
        shared = {
            "bus__url": bus,
            "auth__secret": "one-secret-for-both-processes-0123456789",
            "routing__lease_ttl_seconds": "1",
        }
        one = await RunningHub(make_settings(tmp_path / "one", database, **shared)).start()
        two = await RunningHub(make_settings(tmp_path / "two", database, **shared)).start()
        try:
            ann = await one.add_agent("Ann")
            async with aiohttp.ClientSession() as http:
                customer = await connect_customer(http, one, name="Pia")
                agent = await connect_agent(http, two, ann)
                conversation_id = (await customer.say("hello from hub one"))["conversation_id"]
                await agent.accept_next()
                await agent.send(
                    type="reply",
                    conversation_id=conversation_id,
                    client_id="r1",
                    text="hello from hub two",
                )
                assert (await customer.expect("message"))["text"] == "hello from hub two"
                last_seen = max(f["event_id"] for f in agent.frames if "event_id" in f)
                await agent.close()

                await customer.say("while the agent is away")
                moved = await connect_agent(http, one, ann, token=agent.token, available=False)
                await moved.send(type="resume", last_event_id=last_seen)
                missed = await moved.expect("message")
                assert missed["text"] == "while the agent is away"
                await moved.expect("resumed")
                # Signed off, so the next conversation cannot be offered to her.
                await moved.send(type="presence", status="offline")
                await moved.expect("presence", lambda f: f["status"] == "offline")

                # Whichever hub led routing stops; the other takes over the lease.
                await one.stop()
                await moved.close()
                await customer.close()
                bob = await two.add_agent("Bob")
                second = await connect_agent(http, two, bob)
                newcomer = await connect_customer(http, two, name="Quinn")
                await newcomer.say("is anyone routing?")
                offer = await second.expect("offer", timeout=15)
                assert offer["conversation"]["customer_name"] == "Quinn"
                await second.close()
                await newcomer.close()
        finally:
            await one.stop()
            await two.stop()


async def test_presence_holds_while_a_console_is_open_on_the_other_hub(tmp_path: Path) -> None:
    bus = await redis_url()
    async with fresh_postgres() as database:
        shared = {
            "bus__url": bus,
            "auth__secret": "one-secret-for-both-processes-0123456789",
            "routing__presence_grace_seconds": "0.3",
        }
        one = await RunningHub(make_settings(tmp_path / "one", database, **shared)).start()
        two = await RunningHub(make_settings(tmp_path / "two", database, **shared)).start()
        try:
            ann = await one.add_agent("Ann")
            async with aiohttp.ClientSession() as http:
                here = await connect_agent(http, one, ann)
                there = await connect_agent(http, two, ann, token=here.token, available=False)

                async def status() -> str:
                    async with http.get(
                        f"{two.url}/api/v1/me", headers={"Authorization": f"Bearer {here.token}"}
                    ) as r:
                        return str((await r.json())["status"])

                await asyncio.sleep(0.2)  # both hubs have recorded their sockets
                await here.close()
                await asyncio.sleep(1.0)  # well past the grace period
                assert await status() == "available", "the console on hub two still counts"
                await there.close()
                for _ in range(100):
                    if await status() == "offline":
                        break
                    await asyncio.sleep(0.05)
                assert await status() == "offline"
        finally:
            await one.stop()
            await two.stop()


async def test_a_queue_edited_on_one_hub_is_used_by_the_other(tmp_path: Path) -> None:
    bus = await redis_url()
    async with fresh_postgres() as database:
        shared = {"bus__url": bus, "auth__secret": "one-secret-for-both-processes-0123456789"}
        one = await RunningHub(make_settings(tmp_path / "one", database, **shared)).start()
        two = await RunningHub(make_settings(tmp_path / "two", database, **shared)).start()
        try:
            ada = await one.add_agent("Ada", "admin")
            async with aiohttp.ClientSession() as http:
                api = await Api.open(http, one, await login(http, one, ada))
                body = {"name": "Bea", "email": "bea@example.com", "skills": ["billing"]}
                _, bea = await api.post("/api/v1/agents", body | {"password": "password123"})
                ann = await one.add_agent("Ann")
                status, _ = await api.patch("/api/v1/queues/general", {"skills": ["billing"]})
                assert status == 200
                on_two = await Api.open(http, two, api.token)

                async def seen_on_two() -> None:
                    while True:
                        queues = (await on_two.get("/api/v1/queues"))[1]["queues"]
                        if queues[0]["skills"] == ["billing"]:
                            return
                        await asyncio.sleep(0.05)

                await asyncio.wait_for(seen_on_two(), 10)  # the event reached hub two
                bea_login = {"email": "bea@example.com", "password": "password123"}
                consoles = [await connect_agent(http, two, a) for a in (ann, bea_login)]
                customer = await connect_customer(http, two, name="Carol")
                await customer.say("my invoice")
                offer = await consoles[1].expect("offer")
                assert offer["conversation"]["customer_name"] == "Carol"
                assert consoles[0].of_type("offer") == []
                assert bea["skills"] == ["billing"]
                for socket in (*consoles, customer):
                    await socket.close()
        finally:
            await one.stop()
            await two.stop()
