"""Rate limits, on the `limits` library, shaped like the bus: in this process's memory by
default, on Redis when the hub's bus is (`bus.url` redis://), so every process sharing the
work counts the same hits. Keys are namespaced by the installation id, like the bus's
channel, so installations sharing a Redis never spend each other's limits. One store serves
the chat's message limits (`hit`), logins' attempt counts (`attempt`) and single-use socket
tickets (`once`)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import time
from dataclasses import dataclass
from typing import Self

import redis.asyncio as aioredis
from limits import RateLimitItem, RateLimitItemPerSecond, parse_many
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.strategies import SlidingWindowCounterRateLimiter

from hub.errors import RateLimited, StorageUnavailable

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Rate:
    """One or more limits (`"10/10 seconds;60/minute"`) on one kind of request."""

    what: str  # as the refusal names it: "messages", "messages from your address"
    items: tuple[RateLimitItem, ...]

    @classmethod
    def parse(cls, what: str, text: str) -> Rate:
        return cls(what, tuple(parse_many(text)))


class RateLimits:
    """`async with RateLimits(url, namespace=...)`; then `await limits.hit(...)`."""

    def __init__(self, url: str | None = None, *, namespace: str = "contacthub") -> None:
        self._pool: aioredis.ConnectionPool | None = None
        storage: Storage
        if url and url.startswith(("redis://", "rediss://")):
            # Our own pool, so closing the hub closes its connections.
            self._pool = aioredis.ConnectionPool.from_url(url)
            storage = RedisStorage(
                f"async+{url}",
                implementation="redispy",
                key_prefix=f"contacthub:{namespace}:limits",
                connection_pool=self._pool,  # type: ignore[arg-type]  # passed on to redis
            )
        else:
            storage = MemoryStorage()
        self._storage = storage
        self._limiter = SlidingWindowCounterRateLimiter(storage)

    @property
    def shared(self) -> bool:
        """Whether every hub process on the bus sees the same counts."""
        return self._pool is not None

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._pool is not None:
            await self._pool.aclose()
        timer = getattr(self._storage, "timer", None)  # MemoryStorage's expiry task
        if timer is not None and not timer.done():
            timer.cancel()
            with contextlib.suppress(BaseException):
                await timer

    async def attempt(self, rate: RateLimitItem, *keys: str) -> float | None:
        """Count one attempt (a login): None when within `rate`, else the seconds to wait.
        Unlike `hit`, a store that cannot be reached is an error (StorageUnavailable): a
        login limit that silently stopped counting would invite the guessing it is for."""
        try:
            if await self._limiter.hit(rate, *keys):
                return None
            stats = await self._limiter.get_window_stats(rate, *keys)
        except Exception as exc:  # redis.RedisError and the like: the store is unreachable
            raise StorageUnavailable("rate limits", str(exc)) from exc
        return max(1.0, math.ceil(stats.reset_time - time.time()))

    async def once(self, key: str, within_seconds: int) -> bool:
        """True the first time `key` is seen within `within_seconds`, False after."""
        rate = RateLimitItemPerSecond(1, within_seconds)
        return await self.attempt(rate, "once", key) is None

    async def hit(self, *checks: tuple[Rate, str]) -> None:
        """Count one request against each (rate, key), or raise RateLimited naming the
        first rate spent, with the longest wait, and count nothing. Should the store fail
        (Redis down), the request is let through: limits must not take the chat down. On
        the hot path of every chat message: the checks, then the counts, each go to the
        store side by side (two round trips to Redis, however many limits)."""
        try:
            waits = await asyncio.gather(*(self._wait(rate, key) for rate, key in checks))
            for (rate, _), wait in zip(checks, waits, strict=True):
                if wait is not None:
                    raise RateLimited(f"too many {rate.what}; try again in {wait} s", wait)
            await asyncio.gather(
                *(self._limiter.hit(item, key) for rate, key in checks for item in rate.items)
            )
        except (OSError, aioredis.RedisError) as exc:
            log.warning("rate limits unavailable, not applied: %s", exc)

    async def _wait(self, rate: Rate, key: str) -> int | None:
        allowed = await asyncio.gather(*(self._limiter.test(item, key) for item in rate.items))
        spent = [item for item, ok in zip(rate.items, allowed, strict=True) if not ok]
        if not spent:
            return None
        stats = [await self._limiter.get_window_stats(item, key) for item in spent]
        return max(1, math.ceil(max(s.reset_time for s in stats) - time.time()))
