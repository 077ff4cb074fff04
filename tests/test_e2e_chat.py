"""The whole web chat slice over real sockets: widget protocol -> offer -> accept -> messages
both ways -> transfer -> resolve, with the customer's timeline checked at the end."""

from __future__ import annotations

from pathlib import Path

import aiohttp

from tests.harness import RunningHub, connect_agent, connect_customer, make_settings


async def test_chat_from_first_message_to_resolution(tmp_path: Path, database_url: str) -> None:
    hub = await RunningHub(make_settings(tmp_path, database_url)).start()
    try:
        ann = await hub.add_agent("Ann")
        bob = await hub.add_agent("Bob")
        async with aiohttp.ClientSession() as http:
            customer = await connect_customer(http, hub, name="Carol")
            assert customer.welcome["conversation_id"] is None
            ack = await customer.say("Hello, my order is late")
            conversation_id = ack["conversation_id"]
            queued = await customer.expect("queue")  # no agent yet: the customer waits
            assert queued == {"type": "queue", "conversation_id": conversation_id, "position": 1}

            agent = await connect_agent(http, hub, ann)
            offer = await agent.expect("offer")
            assert offer["conversation"]["id"] == conversation_id
            assert offer["conversation"]["customer_name"] == "Carol"
            assert offer["preview"] == "Hello, my order is late"
            assert 0 < offer["expires_in"] <= 20
            await agent.send(type="accept", offer_id=offer["offer_id"])
            assigned = await agent.expect("assigned")
            assert assigned["conversation"]["assignee_id"] == ann["id"]
            assert (await customer.expect("assigned"))["agent_name"] == "Ann"

            await customer.say("It was due Monday")
            incoming = await agent.expect("message", lambda f: f["author"] == "customer")
            assert incoming["text"] == "It was due Monday"
            assert incoming["conversation_id"] == conversation_id
            assert incoming["channel"] == "webchat" and incoming["event_id"] > offer["event_id"]

            await agent.send(type="typing", conversation_id=conversation_id, typing=True)
            typing = await customer.expect("typing")
            assert typing["agent_name"] == "Ann" and typing["typing"] is True
            await customer.send(type="typing", typing=True)
            assert (await agent.expect("typing"))["author"] == "customer"

            await agent.send(
                type="reply",
                conversation_id=conversation_id,
                client_id="r1",
                text="Sorry! Let me check.",
            )
            reply_ack = await agent.expect("ack", lambda f: f["client_id"] == "r1")
            reply = await customer.expect("message")
            assert reply["text"] == "Sorry! Let me check." and reply["agent_name"] == "Ann"
            assert reply["message_id"] == reply_ack["message_id"]

            await agent.send(type="note", conversation_id=conversation_id, text="VIP customer")
            await agent.expect("note")

            second = await connect_agent(http, hub, bob)
            await agent.send(
                type="transfer", conversation_id=conversation_id, to_agent_id=bob["id"]
            )
            await agent.expect("unassigned", lambda f: f["conversation_id"] == conversation_id)
            pinned = await second.expect("offer")
            assert pinned["conversation"]["id"] == conversation_id
            await second.send(type="accept", offer_id=pinned["offer_id"])
            await second.expect("assigned")
            assert (await customer.expect("assigned"))["agent_name"] == "Bob"

            await second.send(type="resolve", conversation_id=conversation_id)
            await second.expect("status", lambda f: f["status"] == "resolved")
            assert (await customer.expect("status"))["status"] == "resolved"

            headers = {"Authorization": f"Bearer {second.token}"}
            async with http.get(
                f"{hub.url}/api/v1/conversations/{conversation_id}", headers=headers
            ) as response:
                body = await response.json()
            assert body["conversation"]["status"] == "resolved"
            assert [m["text"] for m in body["messages"]] == [
                "Hello, my order is late",
                "It was due Monday",
                "Sorry! Let me check.",
            ]
            customer_id = body["conversation"]["customer_id"]
            async with http.get(
                f"{hub.url}/api/v1/customers/{customer_id}/timeline", headers=headers
            ) as response:
                timeline = await response.json()
            kinds = [e["kind"] for e in timeline["entries"]]
            assert kinds == [
                "conversation_opened",
                "message",
                "offer",
                "offer_closed",
                "assigned",
                "message",
                "message",
                "note",
                "unassigned",
                "transferred",
                "offer",
                "offer_closed",
                "assigned",
                "status",
            ]
            closed = [e["payload"] for e in timeline["entries"] if e["kind"] == "offer_closed"]
            assert [c["outcome"] for c in closed] == ["accepted", "accepted"]
            transfer = next(e for e in timeline["entries"] if e["kind"] == "transferred")
            assert transfer["payload"]["to_agent_id"] == bob["id"]
            assert timeline["customer"]["display_name"] == "Carol"
            for client in (customer, agent, second):
                await client.close()
    finally:
        await hub.stop()


async def test_offer_times_out_to_the_next_agent(tmp_path: Path, sqlite_url: str) -> None:
    settings = make_settings(tmp_path, sqlite_url, routing__offer_timeout_seconds="0.5")
    hub = await RunningHub(settings).start()
    try:
        ann, bob = await hub.add_agent("Ann"), await hub.add_agent("Bob")
        async with aiohttp.ClientSession() as http:
            first = await connect_agent(http, hub, ann)
            customer = await connect_customer(http, hub)
            await customer.say("anyone there?")
            ignored = await first.expect("offer")
            closed = await first.expect("offer_closed")
            assert closed["offer_id"] == ignored["offer_id"] and closed["outcome"] == "timeout"
            second = await connect_agent(http, hub, bob)
            await second.accept_next()
            headers = {"Authorization": f"Bearer {second.token}"}
            customer_id = ignored["conversation"]["customer_id"]
            async with http.get(
                f"{hub.url}/api/v1/customers/{customer_id}/timeline", headers=headers
            ) as response:
                entries = (await response.json())["entries"]
            outcomes = [
                (e["payload"]["agent_id"], e["payload"]["outcome"], e["payload"]["reason"])
                for e in entries
                if e["kind"] == "offer_closed"
            ]
            assert outcomes[0][:2] == (ann["id"], "timeout") and "0.5" in outcomes[0][2]
            assert outcomes[-1][:2] == (bob["id"], "accepted")
            for client in (customer, first, second):
                await client.close()
    finally:
        await hub.stop()


async def test_reject_goes_to_the_next_agent(tmp_path: Path, sqlite_url: str) -> None:
    hub = await RunningHub(make_settings(tmp_path, sqlite_url)).start()
    try:
        ann, bob = await hub.add_agent("Ann"), await hub.add_agent("Bob")
        async with aiohttp.ClientSession() as http:
            first = await connect_agent(http, hub, ann)
            second = await connect_agent(http, hub, bob)
            customer = await connect_customer(http, hub)
            await customer.say("hi")
            offers = [first, second]
            offered = await _first_offer(offers)
            other = second if offered is first else first
            offer = await offered.expect("offer")
            await offered.send(type="reject", offer_id=offer["offer_id"], reason="on a break")
            closed = await offered.expect("offer_closed")
            assert closed["outcome"] == "rejected" and closed["reason"] == "on a break"
            await other.accept_next()
            for client in (customer, first, second):
                await client.close()
    finally:
        await hub.stop()


async def _first_offer(agents: list) -> object:  # type: ignore[type-arg]
    import asyncio

    for _ in range(200):
        for agent in agents:
            if agent.of_type("offer"):
                return agent
        await asyncio.sleep(0.05)
    raise AssertionError("no agent got an offer")


async def test_replies_then_resolve_keep_the_agents_order(tmp_path: Path, sqlite_url: str) -> None:
    hub = await RunningHub(make_settings(tmp_path, sqlite_url)).start()
    try:
        ann = await hub.add_agent("Ann")
        async with aiohttp.ClientSession() as http:
            customer = await connect_customer(http, hub)
            conversation_id = (await customer.say("hi"))["conversation_id"]
            agent = await connect_agent(http, hub, ann)
            await agent.accept_next()
            # Sent back to back, without waiting for acks: they must land in this order.
            for n in range(20):
                await agent.send(
                    type="reply",
                    conversation_id=conversation_id,
                    client_id=f"r{n}",
                    text=f"part {n}",
                )
            await agent.send(type="resolve", conversation_id=conversation_id)
            await agent.expect("status", lambda f: f["status"] == "resolved")
            assert not agent.of_type("error")
            acks = [f["client_id"] for f in agent.of_type("ack")]
            assert sorted(acks) == sorted(f"r{n}" for n in range(20))
            async with http.get(
                f"{hub.url}/api/v1/conversations/{conversation_id}",
                headers={"Authorization": f"Bearer {agent.token}"},
            ) as response:
                texts = [m["text"] for m in (await response.json())["messages"]]
            assert texts == ["hi", *(f"part {n}" for n in range(20))]
            for client in (customer, agent):
                await client.close()
    finally:
        await hub.stop()


async def test_a_pending_offer_is_in_the_welcome_with_its_preview(
    tmp_path: Path, sqlite_url: str
) -> None:
    hub = await RunningHub(make_settings(tmp_path, sqlite_url)).start()
    try:
        ann = await hub.add_agent("Ann")
        async with aiohttp.ClientSession() as http:
            customer = await connect_customer(http, hub)
            await customer.say("first words")
            await customer.say("x" * 300)
            agent = await connect_agent(http, hub, ann)
            live = await agent.expect("offer")
            assert live["preview"] == "x" * 139 + "…"
            # A console that reloads finds the same offer in its welcome.
            again = await connect_agent(http, hub, ann, token=agent.token, available=False)
            [pending] = again.welcome["offers"]
            assert pending["offer_id"] == live["offer_id"] and pending["preview"] == live["preview"]
            assert 0 < pending["expires_in"] <= 20
            for client in (customer, agent, again):
                await client.close()
    finally:
        await hub.stop()
