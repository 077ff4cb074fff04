"""The event bus: one front class over a backend, chosen by URL (memory when empty, redis://
for several hub processes). Subscribers get every message published after they subscribed."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from typing import Protocol

import redis.asyncio as aioredis
from pydantic import TypeAdapter
from redis.asyncio.client import PubSub

from hub.events import Envelope, Ephemeral
from hub.flow.tasks import stop

log = logging.getLogger(__name__)
BusMessage = Envelope | Ephemeral
_ADAPTER: TypeAdapter[BusMessage] = TypeAdapter(BusMessage)
CHANNEL_PREFIX = "contacthub.events."
SUBSCRIBER_BACKLOG = 10_000
RECONNECT_MIN_SECONDS = 0.2
RECONNECT_MAX_SECONDS = 10.0


class Subscription:
    """A bounded mailbox. A subscriber that falls this far behind is cut off (`overflowed`)
    rather than slowing everyone, and must make up for what it missed: consoles reconnect
    and resume from the event log, others `recover()` and resync."""

    def __init__(self, maxsize: int = SUBSCRIBER_BACKLOG) -> None:
        self._queue: asyncio.Queue[BusMessage] = asyncio.Queue(maxsize)
        self.overflowed = False

    def offer(self, message: BusMessage) -> None:
        if self.overflowed:
            return
        try:
            self._queue.put_nowait(message)
        except asyncio.QueueFull:
            self.overflowed = True
            log.warning("bus subscriber overflowed; it must resync from the event log")

    def recover(self) -> None:
        """Take messages again after an overflow, from an empty mailbox. What was dropped in
        between is the caller's to make up for: the feed reads it from the event log, a
        supervisor's next snapshot covers it."""
        while not self._queue.empty():
            self._queue.get_nowait()
        self.overflowed = False

    async def get(self) -> BusMessage:
        return await self._queue.get()

    def get_nowait(self) -> BusMessage | None:
        try:
            return self._queue.get_nowait()
        except asyncio.QueueEmpty:
            return None


class BusBackend(Protocol):
    connected: bool  # subscribed and reading now (readiness reports it)

    async def connect(self, deliver: _Deliver) -> None: ...
    async def disconnect(self) -> None: ...
    async def publish(self, messages: list[BusMessage]) -> None: ...


class _Deliver(Protocol):
    def __call__(self, message: BusMessage) -> None: ...


class MemoryBackend:
    def __init__(self) -> None:
        self._deliver: _Deliver | None = None
        self.connected = False

    async def connect(self, deliver: _Deliver) -> None:
        self.connected = True
        self._deliver = deliver

    async def disconnect(self) -> None:
        self.connected = False
        self._deliver = None

    async def publish(self, messages: list[BusMessage]) -> None:
        if self._deliver is not None:
            for message in messages:
                self._deliver(message)


class RedisBackend:
    """Redis pub/sub. Delivery is at-most-once, which is enough: the event log is the record,
    and every consumer resyncs from it by id."""

    def __init__(self, url: str, channel: str) -> None:
        self._url = url
        self._channel = channel
        self._reader: asyncio.Task[None] | None = None
        self._redis: aioredis.Redis | None = None
        self.connected = False

    async def connect(self, deliver: _Deliver) -> None:
        self._redis = aioredis.from_url(self._url)
        pubsub = self._redis.pubsub()
        await pubsub.subscribe(self._channel)  # fails here, at start, if Redis is not there
        self.connected = True
        self._reader = asyncio.create_task(self._keep_reading(pubsub, deliver))

    async def _keep_reading(self, pubsub: PubSub, deliver: _Deliver) -> None:
        """Read until cancelled, resubscribing with backoff when the connection drops. What
        is published meanwhile is not lost: the feed reads it from the event log."""
        delay = RECONNECT_MIN_SECONDS
        while True:
            try:
                await self._read(pubsub, deliver)
            except (aioredis.ConnectionError, aioredis.TimeoutError, OSError) as exc:
                self.connected = False
                log.warning("bus lost Redis (%s); resubscribing in %.1fs", exc, delay)
            await asyncio.sleep(delay * random.uniform(0.5, 1.0))
            delay = min(delay * 2, RECONNECT_MAX_SECONDS)
            with contextlib.suppress(Exception):
                await pubsub.aclose()  # type: ignore[no-untyped-call]
            try:
                assert self._redis is not None
                pubsub = self._redis.pubsub()
                await pubsub.subscribe(self._channel)
                self.connected = True
                delay = RECONNECT_MIN_SECONDS
                log.info("bus resubscribed to Redis")
            except (aioredis.ConnectionError, aioredis.TimeoutError, OSError):
                continue

    async def _read(self, pubsub: PubSub, deliver: _Deliver) -> None:
        async for item in pubsub.listen():
            if item.get("type") != "message":
                continue
            try:
                for message in _BATCH.validate_json(item["data"]):
                    deliver(message)
            except ValueError:
                log.exception("dropping an unreadable bus message")

    async def disconnect(self) -> None:
        await stop(self._reader)
        if self._redis is not None:
            await self._redis.aclose()

    async def publish(self, messages: list[BusMessage]) -> None:
        assert self._redis is not None, "publish before connect"
        await self._redis.publish(self._channel, _BATCH.dump_json(messages))


_BATCH: TypeAdapter[list[BusMessage]] = TypeAdapter(list[BusMessage])


class Bus:
    """`Bus(url)` picks the backend from the URL scheme; `Bus(backend=...)` takes one.
    `namespace` keeps installations that share one Redis apart (the database's identity)."""

    def __init__(
        self,
        url: str | None = None,
        *,
        namespace: str = "default",
        backend: BusBackend | None = None,
    ) -> None:
        if backend is None:
            channel = CHANNEL_PREFIX + namespace
            is_redis = bool(url and url.startswith("redis"))
            backend = RedisBackend(url, channel) if url and is_redis else MemoryBackend()
            if url and not url.startswith(("redis", "memory")):
                raise ValueError(f"bus url {url!r}: use redis://... or leave it empty")
        self._backend = backend
        self._subscribers: set[Subscription] = set()

    async def __aenter__(self) -> Bus:
        await self._backend.connect(self._fan_out)
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._backend.disconnect()

    @property
    def connected(self) -> bool:
        return self._backend.connected

    def _fan_out(self, message: BusMessage) -> None:
        for subscriber in list(self._subscribers):
            subscriber.offer(message)

    async def publish(self, messages: Iterable[BusMessage]) -> None:
        batch = list(messages)
        if batch:
            await self._backend.publish(batch)

    @asynccontextmanager
    async def subscribe(self) -> AsyncIterator[Subscription]:
        subscription = Subscription()
        self._subscribers.add(subscription)
        try:
            yield subscription
        finally:
            self._subscribers.discard(subscription)
