"""Counting attempts with the `limits` library: a sliding-window counter per key, in this
process's memory, or on Redis when the hub's bus is Redis (`bus.url` redis://), so that every
hub process counts together. Logins use it for their rate limits, websocket tickets to be
used once."""

from __future__ import annotations

import contextlib
import math
import time
from types import TracebackType

import limits
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.strategies import SlidingWindowCounterRateLimiter

from hub.errors import StorageUnavailable


class Throttle:
    def __init__(self, redis_url: str | None = None, namespace: str = "contacthub") -> None:
        self._pool = None
        self._storage: Storage
        if redis_url and redis_url.startswith(("redis://", "rediss://")):
            from redis.asyncio import ConnectionPool

            self._pool = ConnectionPool.from_url(redis_url)
            self._storage = RedisStorage(
                f"async+{redis_url}",
                implementation="redispy",
                connection_pool=self._pool,  # type: ignore[arg-type]  # passed through
                key_prefix=f"contacthub:{namespace}:limits",
            )
        else:
            self._storage = MemoryStorage()
        self._limiter = SlidingWindowCounterRateLimiter(self._storage)

    @property
    def shared(self) -> bool:
        """Whether every hub process on the bus sees the same counts."""
        return self._pool is not None

    async def hit(self, rate: limits.RateLimitItem, *keys: str) -> float | None:
        """Count one attempt: None when it is within `rate`, else the seconds to wait."""
        try:
            if await self._limiter.hit(rate, *keys):
                return None
            stats = await self._limiter.get_window_stats(rate, *keys)
        except Exception as exc:  # redis.RedisError and the like: the store is unreachable
            raise StorageUnavailable(f"rate limit store: {exc}") from exc
        return max(1.0, math.ceil(stats.reset_time - time.time()))

    async def once(self, key: str, within_seconds: int) -> bool:
        """True the first time `key` is seen within `within_seconds`, False after."""
        rate = limits.RateLimitItemPerSecond(1, within_seconds)
        return await self.hit(rate, "once", key) is None

    async def __aenter__(self) -> Throttle:
        return self

    async def __aexit__(
        self,
        _type: type[BaseException] | None,
        _exc: BaseException | None,
        _tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        if self._pool is not None:
            await self._pool.aclose()
        timer = getattr(self._storage, "timer", None)  # MemoryStorage's expiry task
        if timer is not None and not timer.done():
            timer.cancel()
            with contextlib.suppress(BaseException):
                await timer
