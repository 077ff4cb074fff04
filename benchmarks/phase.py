"""One phase: connect M agents and N customers to a running server, warm up until every
conversation is assigned and has made a round trip, then measure for a fixed time."""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Awaitable, Callable, Coroutine, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

import aiohttp

from benchmarks.clients import Agent, Customer, Dialect
from benchmarks.meter import CpuUse, Meter, PhaseResult
from benchmarks.servers import ProcessTimes, process_times

T = TypeVar("T")


@dataclass(frozen=True)
class LoadOptions:
    customers: int
    agents: int
    seconds: float
    rate: float | None  # None: max-throughput (closed loop with `window` per customer)
    window: int
    reply_every: int
    max_messages: int
    text_bytes: int
    drain_seconds: float
    setup_timeout: float


async def run_phase(
    target: str,
    dialect: Dialect,
    options: LoadOptions,
    server_times: Callable[[], ProcessTimes],
    progress: Callable[[str], None],
) -> PhaseResult:
    meter = Meter(options.max_messages)
    step = _Stopwatch(target, progress)
    pad = "x" * max(0, options.text_bytes - 12)  # with "m<id> " in front, about text_bytes
    # The default connector allows 100 connections: the 101st websocket would wait forever.
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(connector=connector) as http:
        agents = await _bounded(
            _open_agents(http, dialect, meter, options), options.setup_timeout, "connecting agents"
        )
        customers: list[Customer] = []
        try:
            customers = await _bounded(
                _open_customers(http, dialect, meter, options, pad),
                options.setup_timeout,
                "connecting customers",
            )
            step.done(f"{len(agents)} agents and {len(customers)} customers connected")
            await _bounded(_warm_up(customers), options.setup_timeout, "warm-up")
            step.done("warm-up: every conversation assigned and through one round trip")
            result = await _measure(target, customers, meter, options, server_times)
            step.done(f"measured and drained: {result.rate:,.0f} msg/s")
            return result
        finally:
            await _gather([c.close() for c in customers] + [a.close() for a in agents])
            step.done("sockets closed")


async def _open_agents(
    http: aiohttp.ClientSession, dialect: Dialect, meter: Meter, options: LoadOptions
) -> list[Agent]:
    async def one(index: int) -> Agent:
        return Agent(await dialect.open_agent(http, index), meter, options.reply_every)

    return await _gather(one(i) for i in range(options.agents))


async def _open_customers(
    http: aiohttp.ClientSession, dialect: Dialect, meter: Meter, options: LoadOptions, pad: str
) -> list[Customer]:
    async def one(index: int) -> Customer:
        return Customer(await dialect.open_customer(http, index), meter, options.window, pad)

    return await _gather(one(i) for i in range(options.customers))


async def _warm_up(customers: list[Customer]) -> None:
    """The first message opens each conversation and the router assigns it; the second makes
    a full round trip (customer -> agent -> reply), so every code path is warm."""
    await _gather(c.say_unmeasured("warm-up 1") for c in customers)
    await _gather(c.assigned.wait() for c in customers)
    for customer in customers:
        customer.replied.clear()
    await _gather(c.say_unmeasured("warm-up 2") for c in customers)
    await _gather(c.replied.wait() for c in customers)


async def _measure(
    target: str,
    customers: list[Customer],
    meter: Meter,
    options: LoadOptions,
    server_times: Callable[[], ProcessTimes],
) -> PhaseResult:
    server_start, client_start = server_times(), process_times(os.getpid())
    meter.open_window(options.seconds)
    senders = [asyncio.create_task(s) for s in _senders(customers, meter, options)]
    await asyncio.sleep(options.seconds)
    meter.stop_sending()
    server, client = server_times() - server_start, process_times(os.getpid()) - client_start
    cpu = CpuUse(
        server=server.cpu / options.seconds,
        client=client.cpu / options.seconds,
        server_waiting=server.waiting / options.seconds,
        client_waiting=client.waiting / options.seconds,
    )
    for customer in customers:
        customer.wake()
    undelivered = await meter.drain(options.drain_seconds)
    await _finish(senders, options.drain_seconds)
    return PhaseResult(
        target=target,
        seconds=options.seconds,
        sent=meter.sent,
        received_in_window=meter.received_in_window,
        undelivered=undelivered,
        replies_sent=meter.replies_sent,
        replies_acked=meter.replies_acked,
        latencies=meter.latencies,
        send_lag=meter.send_lag,
        errors=dict(meter.errors),
        cpu=cpu,
    )


class _Stopwatch:
    def __init__(self, target: str, progress: Callable[[str], None]) -> None:
        self._target = target
        self._progress = progress
        self._last = time.perf_counter()

    def done(self, what: str) -> None:
        now = time.perf_counter()
        self._progress(f"{self._target}: {what} ({now - self._last:.1f} s)")
        self._last = now


def _senders(
    customers: list[Customer], meter: Meter, options: LoadOptions
) -> list[Coroutine[Any, Any, None]]:
    if options.rate is None:
        return [c.run_closed_loop() for c in customers]
    # Customer i sends at start + i/rate + k*N/rate: together, one message every 1/rate s.
    interval = len(customers) / options.rate
    return [c.run_paced(meter.start + i / options.rate, interval) for i, c in enumerate(customers)]


async def _finish(tasks: list[asyncio.Task[None]], timeout: float) -> None:
    if not tasks:
        return
    _, pending = await asyncio.wait(tasks, timeout=timeout)
    for task in pending:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


async def _gather(awaitables: Iterable[Awaitable[T]]) -> list[T]:
    return list(await asyncio.gather(*awaitables))


async def _bounded(awaitable: Awaitable[T], timeout: float, what: str) -> T:
    try:
        return await asyncio.wait_for(awaitable, timeout)
    except TimeoutError:
        raise RuntimeError(f"{what} took longer than {timeout:.0f} s") from None
