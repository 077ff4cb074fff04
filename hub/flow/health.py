"""Is this process ready to take work? Liveness (the process answers) and readiness are apart:
a load balancer or orchestrator should stop sending traffic to a process whose database is
unreachable, whose bus is not connected, or whose feed cannot fill a gap, rather than
restart it. Each check says what is wrong in words an operator can act on."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from hub.errors import StorageUnavailable
from hub.flow.bus import Bus
from hub.flow.feed import EventFeed
from hub.ports import EventLog

DATABASE_TIMEOUT_SECONDS = 2.0
# Longer than the feed ever takes to fill a gap from the log (50 ms, then 1 s idle checks).
FEED_GAP_LIMIT_SECONDS = 5.0


@dataclass(frozen=True)
class Readiness:
    checks: dict[str, str] = field(default_factory=dict)  # name -> "ok" or what is wrong

    @property
    def ready(self) -> bool:
        return all(state == "ok" for state in self.checks.values())


class Health:
    def __init__(self, events: EventLog, bus: Bus, feed: EventFeed) -> None:
        self._events = events
        self._bus = bus
        self._feed = feed

    async def readiness(self) -> Readiness:
        return Readiness(
            {
                "database": await self._database(),
                "bus": "ok" if self._bus.connected else "not connected: events reach this "
                "process only through log reads, a second late",
                "feed": self._feed_state(),
            }
        )

    async def _database(self) -> str:
        try:
            async with asyncio.timeout(DATABASE_TIMEOUT_SECONDS):
                await self._events.last_id()
        except TimeoutError:
            return f"no answer within {DATABASE_TIMEOUT_SECONDS:g} s"
        except StorageUnavailable as exc:
            return f"unreachable ({exc.operation})"
        except Exception as exc:  # whatever the driver says, this process cannot serve
            return f"unreachable ({type(exc).__name__})"
        return "ok"

    def _feed_state(self) -> str:
        gap = self._feed.gap_seconds()
        if gap > FEED_GAP_LIMIT_SECONDS:
            return f"behind: an event gap unfilled for {gap:.0f} s"
        return "ok"
