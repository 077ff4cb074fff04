"""Real components for router tests: the store (SQLite, then PostgreSQL), the memory bus, the
offer and conversation services. `Watch` records everything on the bus and waits for what a
test expects; `Ledger` checks the routing invariants on every event as it is published."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, TypeVar

import pytest

from hub.errors import HubError
from hub.events import (
    Assigned,
    Envelope,
    Ephemeral,
    OfferClosed,
    OfferMade,
    StatusChanged,
)
from hub.flow.bus import Bus, BusMessage
from hub.flow.placement import place
from hub.flow.publishing import PublishingWork
from hub.ids import AgentId, ConversationId, OfferId
from hub.models import Agent, ChannelName, Conversation, Presence
from hub.ports import Leases, Store
from hub.services.conversations import ConversationService
from hub.services.offers import OfferService
from hub.settings import QueueSettings, RoutingSettings, Settings
from routing import Router
from storage import open_store
from tests.visitors import first_message, new_visitor

WAIT = 10.0  # generous: a test waits this long only for something that should come at once
E = TypeVar("E")
QUEUES = (
    QueueSettings(name="general"),
    QueueSettings(name="billing", skills=("billing",)),
    QueueSettings(name="vip", priority=10),
    QueueSettings(name="rr", policy="round_robin"),
    QueueSettings(name="lb", policy="least_busy"),
)


@dataclass
class Hub:
    store: Store
    bus: Bus
    settings: Settings
    offers: OfferService
    conversations: ConversationService

    async def agent(
        self,
        name: str,
        *,
        skills: Sequence[str] = (),
        capacity: dict[str, int] | None = None,
        status: Presence = "available",
    ) -> Agent:
        email = f"{name.lower()}.{uuid.uuid4().hex[:8]}@example.com"
        added = await self.store.agents.add_agent(
            name, email, "not-a-hash", "agent", skills, capacity or {"webchat": 1}
        )
        if status != "offline":
            await self.conversations.set_presence(added.id, status)
        found = await self.store.agents.agent(added.id)
        assert found is not None
        return found

    async def supervisor(self) -> Agent:
        added = await self.store.agents.add_agent(
            "Sup", f"sup.{uuid.uuid4().hex[:8]}@example.com", "x", "supervisor", [], {"webchat": 0}
        )
        return added

    async def customer_writes(
        self,
        name: str,
        *,
        queue: str = "general",
        channel: ChannelName = "webchat",
        priority: int = 0,
    ) -> Conversation:
        """A new customer's first message: ingest it, then publish, as hub.stream does."""
        visitor = await new_visitor(self.store, name)
        message = first_message(
            visitor.customer.id, name, queue=queue, channel=channel, priority=priority
        )
        results, envelopes = await self.store.inbound.ingest([message], place)
        await self.bus.publish(envelopes)
        return results[0].conversation

    def router(
        self,
        holder: str = "router-1",
        *,
        offer_timeout: float = 60.0,
        lease_ttl: float = 10.0,
        resync_seconds: float = 600.0,  # long: tests must not lean on the safety resync
        leases: Leases | None = None,
    ) -> Router:
        routing = RoutingSettings(offer_timeout_seconds=offer_timeout, lease_ttl_seconds=lease_ttl)
        return Router(
            self.store.reader,
            self.store.agents,
            self.offers,
            leases or self.store.leases,
            self.bus,
            routing,
            lambda: self.settings.queues,
            holder,
            resync_seconds=resync_seconds,
        )

    async def accept(self, offer: OfferMade) -> Conversation:
        return await self.offers.accept(offer.agent_id, offer.offer_id)

    async def as_agent(self, agent_id: AgentId) -> Agent:
        found = await self.store.agents.agent(agent_id)
        assert found is not None
        return found

    async def resolve(self, conversation_id: ConversationId) -> None:
        conversation = await self.store.reader.conversation(conversation_id)
        assert conversation is not None and conversation.assignee_id is not None
        agent = await self.as_agent(conversation.assignee_id)
        await self.conversations.resolve(agent, conversation_id)


@asynccontextmanager
async def open_hub(
    url: str, bus: Bus | None = None, *, routing: RoutingSettings | None = None
) -> AsyncIterator[Hub]:
    """A hub process on the database at `url`; pass another hub's bus to share it, as two
    processes share Redis."""
    settings = Settings(queues=QUEUES, routing=routing or RoutingSettings())
    async with open_store(url, migrate=True) as store, contextlib.AsyncExitStack() as stack:
        if bus is None:
            bus = await stack.enter_async_context(Bus())
        work = await stack.enter_async_context(PublishingWork(store.work, bus))
        offers = OfferService(work, settings.routing, lambda: settings.queues)
        yield Hub(store, bus, settings, offers, ConversationService(work, settings))


@pytest.fixture
def db_url(database_url: str) -> str:
    """The embedded SQLite file, then PostgreSQL (tests/conftest.py): the lease and the
    conditional offer updates must hold on both."""
    return database_url


@pytest.fixture
async def hub(db_url: str) -> AsyncIterator[Hub]:
    async with open_hub(db_url) as opened:
        yield opened


class Watch:
    """Everything published on the bus since it started, in order, and a way to wait for the
    next thing a test expects. Checks run on each message as it arrives."""

    def __init__(self, bus: Bus, checks: Sequence[Callable[[BusMessage], None]] = ()) -> None:
        self.seen: list[BusMessage] = []
        self._bus = bus
        self._checks = list(checks)
        self._arrived = asyncio.Condition()
        self._task: asyncio.Task[None] | None = None
        self._ready = asyncio.Event()

    async def __aenter__(self) -> Watch:
        self._task = asyncio.create_task(self._pump())
        await self._ready.wait()
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._task is not None
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task

    async def _pump(self) -> None:
        async with self._bus.subscribe() as subscription:
            self._ready.set()
            while True:
                message = await subscription.get()
                self.seen.append(message)
                for check in self._checks:
                    check(message)
                async with self._arrived:
                    self._arrived.notify_all()

    def events(self, kind: type[E]) -> list[E]:
        return [m.event for m in self.seen if isinstance(m, Envelope) and isinstance(m.event, kind)]

    def offers(self, conversation_id: ConversationId) -> list[OfferMade]:
        return [o for o in self.events(OfferMade) if o.conversation_id == conversation_id]

    def positions(self, conversation_id: ConversationId) -> list[int | None]:
        return [
            m.position
            for m in self.seen
            if isinstance(m, Ephemeral)
            and m.type == "queue"
            and m.conversation_id == conversation_id
        ]

    async def until(self, condition: Callable[[], Any]) -> Any:
        """Wait (at most WAIT seconds) until `condition()` is truthy, and return its value."""
        async with asyncio.timeout(WAIT), self._arrived:
            while not (value := condition()):
                await self._arrived.wait()
            return value

    async def count(self, kind: type[Any], count: int) -> None:
        """Wait until at least `count` events of this kind have been published."""
        await self.until(lambda: len(self.events(kind)) >= count)

    async def offer(self, conversation_id: ConversationId, nth: int = 1) -> OfferMade:
        """The nth offer of this conversation, waiting for it if need be."""
        offers: list[OfferMade] = await self.until(
            lambda: (o := self.offers(conversation_id)) and len(o) >= nth and o
        )
        return offers[nth - 1]

    async def closed(self, offer_id: OfferId) -> OfferClosed:
        def find() -> OfferClosed | None:
            return next((c for c in self.events(OfferClosed) if c.offer_id == offer_id), None)

        found: OfferClosed = await self.until(find)
        return found

    async def position(self, conversation_id: ConversationId, position: int) -> None:
        await self.until(lambda: self.positions(conversation_id)[-1:] == [position])


async def eventually(condition: Callable[[], Any]) -> Any:
    """Poll `condition()` (at most WAIT seconds) for what no bus event announces."""
    async with asyncio.timeout(WAIT):
        while not (value := condition()):
            await asyncio.sleep(0.01)
        return value


@dataclass
class Ledger:
    """The routing invariants, checked on every event in publication order: no agent holds
    more than its capacity (assignments plus offers out), no conversation has two offers out
    or is offered while assigned, and none is assigned twice."""

    capacity: dict[AgentId, int]
    offered: dict[OfferId, OfferMade] = field(default_factory=dict)
    assigned: dict[ConversationId, AgentId] = field(default_factory=dict)
    assignments: Counter[ConversationId] = field(default_factory=Counter)
    violations: list[str] = field(default_factory=list)

    def __call__(self, message: BusMessage) -> None:
        if not isinstance(message, Envelope):
            return
        event = message.event
        if isinstance(event, OfferMade):
            self._offer(event)
        elif isinstance(event, OfferClosed):
            self.offered.pop(event.offer_id, None)
        elif isinstance(event, Assigned):
            self.assigned[event.conversation_id] = event.agent_id
            self.assignments[event.conversation_id] += 1
            if self.assignments[event.conversation_id] > 1:
                self.violations.append(f"{event.conversation_id} assigned twice")
            self._check_load(event.agent_id)
        elif isinstance(event, StatusChanged) and event.status == "resolved":
            self.assigned.pop(event.conversation_id, None)

    def _offer(self, event: OfferMade) -> None:
        conversation_id = event.conversation_id
        if any(o.conversation_id == conversation_id for o in self.offered.values()):
            self.violations.append(f"{conversation_id} offered twice at once")
        if conversation_id in self.assigned:
            self.violations.append(f"{conversation_id} offered while assigned")
        self.offered[event.offer_id] = event
        self._check_load(event.agent_id)

    def _check_load(self, agent_id: AgentId) -> None:
        load = sum(1 for a in self.assigned.values() if a == agent_id)
        load += sum(1 for o in self.offered.values() if o.agent_id == agent_id)
        if load > self.capacity.get(agent_id, 0):
            self.violations.append(f"{agent_id} holds {load} > {self.capacity.get(agent_id)}")


class AutoAccept:
    """Agents who accept every offer the moment it reaches them."""

    def __init__(self, hub: Hub, agents: Sequence[AgentId] | None = None) -> None:
        self._hub = hub
        self._agents = set(agents) if agents is not None else None
        self._tasks: set[asyncio.Task[None]] = set()
        self._watch = Watch(hub.bus, [self._on_message])

    async def __aenter__(self) -> AutoAccept:
        await self._watch.__aenter__()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._watch.__aexit__(*exc)
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    def _on_message(self, message: BusMessage) -> None:
        if isinstance(message, Envelope) and isinstance(message.event, OfferMade):
            if self._agents is None or message.event.agent_id in self._agents:
                task = asyncio.create_task(self._accept(message.event))
                self._tasks.add(task)
                task.add_done_callback(self._tasks.discard)

    async def _accept(self, offer: OfferMade) -> None:
        with contextlib.suppress(HubError):  # an offer cancelled meanwhile is a conflict
            await self._hub.accept(offer)
