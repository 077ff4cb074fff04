"""Web chat under abuse from one address: sockets are capped per client address, messages are
rate-limited per visitor and per address, and a hello stores nothing until a message does."""

from __future__ import annotations

import asyncio
from pathlib import Path

import aiohttp
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import create_async_engine

from tests.harness import RunningHub, connect_customer, make_settings
from tests.services import fresh_postgres, redis_url


async def _rows(database_url: str, table: str) -> int:
    engine = create_async_engine(database_url)
    try:
        async with engine.connect() as conn:
            return int(await conn.scalar(sa.text(f"SELECT count(*) FROM {table}")) or 0)
    finally:
        await engine.dispose()


async def test_a_hello_stores_nothing_until_the_first_message(
    tmp_path: Path, database_url: str
) -> None:
    hub = await RunningHub(make_settings(tmp_path, database_url)).start()
    try:
        async with aiohttp.ClientSession() as http:
            idle = [
                await connect_customer(http, hub, name=f"V{n}", email=f"v{n}@example.com")
                for n in range(10)  # under the per-address socket cap (20)
            ]
            assert await _rows(database_url, "customer") == 0
            assert await _rows(database_url, "customer_identity") == 0
            first = idle[0]
            assert first.welcome["customer_id"] is None and first.welcome["history"] == []
            # A token we never issued is replaced: every credential has the hub's entropy.
            made_up = await connect_customer(http, hub, visitor_token="guessable-123")
            assert made_up.welcome["visitor_token"] != "guessable-123"
            await made_up.close()
            # The token issued with the welcome still holds after a reconnect.
            again = await connect_customer(http, hub, visitor_token=first.token, name="V0")
            assert again.welcome["visitor_token"] == first.token
            assert await _rows(database_url, "customer") == 0
            ack = await again.say("hello", "c1")
            assert await _rows(database_url, "customer") == 1
            # Her other socket, still open, is the same customer now: the message dedupes.
            assert (await first.say("hello", "c1"))["message_id"] == ack["message_id"]
            back = await connect_customer(http, hub, visitor_token=first.token)
            assert back.welcome["customer_id"] is not None
            assert [m["text"] for m in back.welcome["history"]] == ["hello"]
            assert await _rows(database_url, "customer") == 1
            for client in [*idle, again, back]:
                await client.close()
    finally:
        await hub.stop()


async def _open(http: aiohttp.ClientSession, hub: RunningHub, forwarded: str | None = None):  # type: ignore[no-untyped-def]
    headers = {"X-Forwarded-For": forwarded} if forwarded else {}
    return await http.ws_connect(f"{hub.ws_url}/ws/chat", headers=headers)


async def _refused(ws: aiohttp.ClientWebSocketResponse) -> bool:
    msg = await ws.receive(timeout=5)
    if msg.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED):
        assert ws.close_code == 4429, ws.close_code
        assert "too many" in (msg.extra or "")
        return True
    return False


async def _ping(ws: aiohttp.ClientWebSocketResponse) -> bool:
    await ws.send_json({"type": "ping"})
    return not await _refused(ws)


async def test_sockets_are_capped_per_client_address(tmp_path: Path, sqlite_url: str) -> None:
    settings = make_settings(tmp_path, sqlite_url, channels__webchat__max_sockets_per_address="3")
    hub = await RunningHub(settings).start()
    try:
        async with aiohttp.ClientSession() as http:
            held = [await _open(http, hub) for _ in range(3)]
            assert all([await _ping(ws) for ws in held])
            extra = await _open(http, hub)
            assert await _refused(extra)
            # X-Forwarded-For is not believed from a peer nobody said to trust.
            assert await _refused(await _open(http, hub, forwarded="203.0.113.9"))
            await held.pop().close()
            await asyncio.sleep(0.1)
            held.append(await _open(http, hub))
            assert await _ping(held[-1])
            for ws in held:
                await ws.close()
    finally:
        await hub.stop()


async def test_behind_a_trusted_proxy_the_forwarded_address_counts(
    tmp_path: Path, sqlite_url: str
) -> None:
    settings = make_settings(
        tmp_path,
        sqlite_url,
        channels__webchat__max_sockets_per_address="2",
        server__trusted_proxies="127.0.0.1/32,::1",
    )
    hub = await RunningHub(settings).start()
    try:
        async with aiohttp.ClientSession() as http:
            # The nearest address our proxy did not add is the client, whatever it claims.
            one = [await _open(http, hub, "198.51.100.7, 203.0.113.1") for _ in range(2)]
            two = [await _open(http, hub, "203.0.113.2") for _ in range(2)]
            assert all([await _ping(ws) for ws in one + two])
            assert await _refused(await _open(http, hub, "10.9.9.9, 203.0.113.1"))
            for ws in one + two:
                await ws.close()
    finally:
        await hub.stop()


async def test_messages_are_rate_limited_per_visitor_and_address(
    tmp_path: Path, sqlite_url: str
) -> None:
    settings = make_settings(
        tmp_path,
        sqlite_url,
        channels__webchat__visitor_message_rate="3/minute",
        channels__webchat__address_message_rate="5/minute",
    )
    hub = await RunningHub(settings).start()
    try:
        async with aiohttp.ClientSession() as http:
            ada = await connect_customer(http, hub)
            for n in range(3):
                await ada.say(f"m{n}", f"a{n}")
            await ada.send(type="message", client_id="a3", text="one too many")
            error = await ada.expect("error")
            assert error["code"] == "rate_limited" and error["client_id"] == "a3"
            assert error["for"] == "message" and 0 < error["retry_after"] <= 60
            bob = await connect_customer(http, hub)  # the same address
            for n in range(2):
                await bob.say(f"b{n}", f"b{n}")
            await bob.send(type="message", client_id="b2", text="the address is spent")
            assert (await bob.expect("error"))["code"] == "rate_limited"
            assert await _rows(sqlite_url, "message") == 5
            assert await _rows(sqlite_url, "customer") == 2
            # Refused before anything is stored: a newcomer is no customer yet.
            carl = await connect_customer(http, hub)
            await carl.send(type="message", client_id="c0", text="hi")
            assert (await carl.expect("error"))["code"] == "rate_limited"
            assert await _rows(sqlite_url, "customer") == 2
            for client in (ada, bob, carl):
                await client.close()
    finally:
        await hub.stop()


async def test_rate_limits_are_shared_by_hubs_on_one_redis(tmp_path: Path) -> None:
    bus = await redis_url()
    async with fresh_postgres() as database:
        shared = {
            "bus__url": bus,
            "auth__secret": "one-secret-for-both-hubs-0123456789abcdef",
            "channels__webchat__visitor_message_rate": "3/minute",
        }
        one = await RunningHub(make_settings(tmp_path / "one", database, **shared)).start()
        two = await RunningHub(make_settings(tmp_path / "two", database, **shared)).start()
        try:
            async with aiohttp.ClientSession() as http:
                here = await connect_customer(http, one)
                await here.say("one", "k1")
                await here.say("two", "k2")
                there = await connect_customer(http, two, visitor_token=here.token)
                await there.say("three", "k3")
                await there.send(type="message", client_id="k4", text="four")
                assert (await there.expect("error"))["code"] == "rate_limited"
                for client in (here, there):
                    await client.close()
        finally:
            await one.stop()
            await two.stop()
