"""`contacthub demo`: agents, customers and a backdated history, written through the hub's
own services. The routing lease is held while it runs (so a hub running on the database, or
a second demo, is refused instead of routing alongside), conversations are played many at
once so their writes share group commits, and the agents end offline."""

from __future__ import annotations

import asyncio
import contextlib
import random
import secrets
import time
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta

from hub.clock import Clock, system_clock
from hub.demo.people import AGENT_DOMAIN, AgentSpec, CustomerSpec, agent_specs, customer_spec
from hub.demo.plans import Plan, plans
from hub.demo.script import Desk, PlanClock, Script
from hub.demo.slots import Slots
from hub.errors import Conflict
from hub.flow.bus import Bus
from hub.flow.inbound import InboundStream
from hub.flow.publishing import PublishingWork
from hub.ids import CustomerId
from hub.models import Agent, LeaseTerm, Presence
from hub.ports import Store
from hub.services.conversations import ConversationService
from hub.settings import Settings

LEASE = "router"  # the router's lease (routing/router.py): while the demo holds it, no hub routes
LEASE_TTL = 30.0


@dataclass(frozen=True)
class DemoOptions:
    conversations: int
    days: float = 30.0
    seed: str = field(default_factory=lambda: secrets.token_hex(4))
    concurrency: int = 256  # conversations played at once: their writes share commits


@dataclass
class DemoReport:
    agents: list[AgentSpec]
    conversations: int = 0
    messages: int = 0
    seconds: float = 0.0


async def run_demo(
    store: Store,
    settings: Settings,
    options: DemoOptions,
    password_hash: str,
    say: Callable[[str], None] = lambda _: None,
) -> DemoReport:
    """Write the demo into `store`. Refuses (Conflict) a database that holds a demo already,
    or that a running hub routes for."""
    if any(a.email.endswith("@" + AGENT_DOMAIN) for a in await store.agents.agents()):
        raise Conflict("this database already holds a demo: run it on a fresh database")
    rng = random.Random(options.seed)
    now = system_clock()
    start = now - timedelta(days=options.days)
    async with _lease(store) as term:
        specs = _agent_specs(rng, settings, options.conversations)
        agents = [await _add(store, spec, password_hash) for spec in specs]
        customers = [customer_spec(rng, i) for i in range(max(1, options.conversations * 2 // 5))]
        ids = await _customers(store, customers)
        say(f"{len(agents)} agents, {len(customers)} customers; playing conversations")
        report = DemoReport(specs)
        began = time.perf_counter()
        async with _desk(store, settings, term, Slots(agents, rng), ids) as desk:
            await _presence(desk, agents, "available", PlanClock(start))
            history = plans(options.seed, customers, options.conversations, now, options.days)
            await _play(desk, history, options, report, say)
            await _presence(desk, agents, "offline", system_clock)
        report.seconds = time.perf_counter() - began
    return report


def _agent_specs(rng: random.Random, settings: Settings, conversations: int) -> list[AgentSpec]:
    written = max(6, min(40, conversations // 400))
    skills = {skill for queue in settings.queues for skill in queue.skills}
    return agent_specs(
        rng,
        written,
        max(2, written // 2),
        skills,
        {c: n for c, n in settings.routing.default_capacity.items()},
    )


async def _add(store: Store, spec: AgentSpec, password_hash: str) -> Agent:
    return await store.agents.add_agent(
        spec.name, spec.email, password_hash, spec.role, spec.skills, spec.capacity
    )


@contextlib.asynccontextmanager
async def _lease(store: Store) -> AsyncIterator[LeaseTerm]:
    """Hold the routing lease, renewed, for the whole run: offers are fenced with its term."""
    holder = f"demo-{secrets.token_hex(4)}"
    epoch = await store.leases.acquire(LEASE, holder, LEASE_TTL)
    if epoch is None:
        raise Conflict("a hub is routing on this database (it holds the routing lease): stop it")

    async def renew() -> None:
        while True:
            await asyncio.sleep(LEASE_TTL / 3)
            await store.leases.acquire(LEASE, holder, LEASE_TTL)

    keeper = asyncio.create_task(renew(), name="demo-lease")
    try:
        yield LeaseTerm(name=LEASE, epoch=epoch)
    finally:
        keeper.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await keeper
        await store.leases.release(LEASE, holder)


async def _customers(store: Store, specs: list[CustomerSpec]) -> dict[int, CustomerId]:
    """Email and phone customers by their verified address, a thousand at a time, some
    email customers given their phone number too; visitors through their token, half of them
    having typed their email too (an unverified claim), and some given a verified email and
    phone as well: one customer on every channel."""
    ids: dict[int, CustomerId] = {}
    for kind, address in (("email", "email"), ("phone", "phone")):
        chosen = [s for s in specs if s.kind == kind]
        for i in range(0, len(chosen), 1000):
            chunk = chosen[i : i + 1000]
            found = await store.customers.identify_many(
                kind, {getattr(s, address): s.name for s in chunk}
            )
            ids |= {s.index: found[getattr(s, address)] for s in chunk}
    for spec in (s for s in specs if s.phone_too):
        ids[spec.index] = await store.customers.add_identity(ids[spec.index], "phone", spec.phone)
    visitors = [s for s in specs if s.kind == "visitor"]
    for i in range(0, len(visitors), 64):
        chunk = visitors[i : i + 64]
        made = await asyncio.gather(*(_visitor(store, s) for s in chunk))
        ids |= {s.index: c for s, c in zip(chunk, made, strict=True)}
    for spec in (s for s in specs if s.everywhere):
        await store.customers.add_identity(ids[spec.index], "email", spec.email)
        await store.customers.add_identity(ids[spec.index], "phone", spec.phone)
    return ids


async def _visitor(store: Store, spec: CustomerSpec) -> CustomerId:
    claim = spec.email if spec.index % 2 else None
    return await store.visitors.register(secrets.token_urlsafe(24), spec.name, claim)


@contextlib.asynccontextmanager
async def _desk(
    store: Store, settings: Settings, term: LeaseTerm, slots: Slots, ids: dict[int, CustomerId]
) -> AsyncIterator[Desk]:
    """The writers real traffic uses, on a bus of their own: nobody listens (a running hub
    is refused), and consumers would read the event log anyway."""
    mailboxes = settings.channels.email.mailboxes
    numbers = settings.channels.twilio.numbers
    via = {
        "email": mailboxes[0].address if mailboxes else "support@example.com",
        "sms": numbers[0].number if numbers else "+15550100000",
        "voice": numbers[0].number if numbers else "+15550100000",
    }
    async with (
        Bus(None, namespace=store.installation_id) as bus,
        PublishingWork(store.work, bus) as work,
        InboundStream(store.inbound, bus, settings.database) as stream,
    ):
        yield Desk(stream, work, settings, term, slots, ids, secrets.token_hex(6), via)


async def _presence(desk: Desk, agents: list[Agent], status: Presence, clock: Clock) -> None:
    service = ConversationService(desk.work, desk.settings, None, clock=clock)
    for agent in agents:
        await service.set_presence(agent.id, status)


async def _play(
    desk: Desk,
    history: Iterator[Plan],
    options: DemoOptions,
    report: DemoReport,
    say: Callable[[str], None],
) -> None:
    """`concurrency` workers, each playing the next conversation in start order."""
    step = max(1, options.conversations // 10)

    async def worker() -> None:
        for plan in history:
            script = Script(desk, plan)
            await script.play()
            report.conversations += 1
            report.messages += script.messages
            if report.conversations % step == 0:
                say(f"{report.conversations} conversations, {report.messages} messages")

    await asyncio.gather(*(worker() for _ in range(options.concurrency)))
