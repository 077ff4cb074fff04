"""The REST scenarios benchmarks/api.py drives, one named row each: what a request looks
like, drawn at random from the demo database's sample. Add a row to add a scenario. A
scenario whose route answers 404 to its first request is reported "not available" (the
endpoint does not exist in this build), never as a figure."""

from __future__ import annotations

import asyncio
import math
import random
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import aiohttp

from benchmarks.meter import percentile


@dataclass(frozen=True)
class Sample:
    """What requests are made of: conversation ids, queue names, words customers use."""

    conversation_ids: list[str]
    queues: list[str]
    words: tuple[str, ...] = ("invoice", "refund", "router", "delivery", "charged", "login")


Request = tuple[str, dict[str, str]]  # path, query


@dataclass(frozen=True)
class Scenario:
    name: str
    route: str
    request: Callable[[random.Random, Sample], Request]


SCENARIOS = (
    Scenario(
        "open conversation",
        "GET /api/v1/conversations/{id}",
        lambda rng, s: (f"/api/v1/conversations/{rng.choice(s.conversation_ids)}", {}),
    ),
    Scenario(
        "inbox page",
        "GET /api/v1/conversations?status=&queue=&limit=",
        lambda rng, s: (
            "/api/v1/conversations",
            {
                "status": rng.choice(("open", "pending")),
                "queue": rng.choice(s.queues),
                "limit": "50",
            },
        ),
    ),
    Scenario(
        "search",
        "GET /api/v1/search?q=",
        lambda rng, s: ("/api/v1/search", {"q": rng.choice(s.words)}),
    ),
)
TIMING = re.compile(r"app;dur=([0-9.]+)")


@dataclass
class Figures:
    scenario: Scenario
    available: bool = True
    seconds: float = 0.0
    client_ms: list[float] = field(default_factory=list)
    server_ms: list[float] = field(default_factory=list)
    errors: dict[int, int] = field(default_factory=dict)

    @property
    def rate(self) -> float:
        return len(self.client_ms) / self.seconds if self.seconds else math.nan

    def row(self) -> str:
        name = f"{self.scenario.name:<18}"
        if not self.available:
            return f"{name} not available (404: {self.scenario.route} is not in this build)"
        c, s = self.client_ms, self.server_ms
        failed = sum(self.errors.values())
        return (
            f"{name} {self.rate:>8.0f} {_ms(c, 0.5)} {_ms(c, 0.95)} {_ms(c, 0.99)}"
            f"   {_ms(s, 0.5)} {_ms(s, 0.95)} {_ms(s, 0.99)} {failed:>7}"
        )


HEADER = (
    f"{'scenario':<18} {'req/s':>8} {'client p50':>10} {'p95':>8} {'p99':>8}"
    f"   {'server p50':>10} {'p95':>8} {'p99':>8} {'errors':>7}   (ms)"
)


def _ms(values: list[float], quantile: float) -> str:
    width = 10 if quantile == 0.5 else 8  # under the header's "client p50" and "p95"
    return f"{percentile(values, quantile):>{width}.2f}"


async def drive(
    http: aiohttp.ClientSession,
    base: str,
    scenario: Scenario,
    sample: Sample,
    clients: int,
    seconds: float,
    seed: int,
) -> Figures:
    """`clients` closed-loop clients, each sending its next request once the last one was
    answered, for `seconds`; a probe request first finds out whether the route exists."""
    figures = Figures(scenario)
    path, query = scenario.request(random.Random(seed), sample)
    async with http.get(base + path, params=query) as probe:
        await probe.read()
        if probe.status == 404:  # the probe's id is real: a 404 is the route missing
            figures.available = False
            return figures
    deadline = time.perf_counter() + seconds
    began = time.perf_counter()

    async def client(index: int) -> None:
        rng = random.Random(seed * 1000 + index)
        while time.perf_counter() < deadline:
            path, query = scenario.request(rng, sample)
            sent = time.perf_counter()
            async with http.get(base + path, params=query) as answer:
                await answer.read()
                elapsed = (time.perf_counter() - sent) * 1000
                if answer.status != 200:
                    figures.errors[answer.status] = figures.errors.get(answer.status, 0) + 1
                    continue
                figures.client_ms.append(elapsed)
                timing = TIMING.search(answer.headers.get("Server-Timing", ""))
                if timing:
                    figures.server_ms.append(float(timing.group(1)))

    await asyncio.gather(*(client(i) for i in range(clients)))
    figures.seconds = time.perf_counter() - began
    return figures
