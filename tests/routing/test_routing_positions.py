"""Queue positions over a big backlog: published a bounded batch at a time, nearest the
front first, each customer told their latest place, so no listener's mailbox overflows (one
pass over 10,000 waiting chats used to publish 10,000 positions at once)."""

from __future__ import annotations

import asyncio
import uuid

from hub.events import Ephemeral
from hub.flow.bus import SUBSCRIBER_BACKLOG
from hub.flow.placement import place
from hub.models import InboundMessage
from routing.dispatch import POSITIONS_PER_PASS
from tests.routing.conftest import Hub
from tests.visitors import new_visitor

BACKLOG = SUBSCRIBER_BACKLOG + 500


async def test_positions_of_a_backlog_go_out_in_bounded_batches(hub: Hub) -> None:
    customer = (await new_visitor(hub.store, "Backlog")).customer.id
    batch = [
        InboundMessage(
            channel="email",  # one conversation each, as separate mails are
            customer_id=customer,
            dedupe_key=f"bulk:{uuid.uuid4().hex}",
            text="hello",
            queue="general",
            new_conversation=True,
        )
        for _ in range(BACKLOG)
    ]
    await hub.store.inbound.ingest(batch, place)  # before the router: it rebuilds them all
    positions: dict[str, int] = {}
    bursts: list[int] = []
    async with hub.bus.subscribe() as listener, hub.router():
        while len(positions) < BACKLOG:
            async with asyncio.timeout(60):
                first = await listener.get()
            burst = [first]
            while (more := listener.get_nowait()) is not None:
                burst.append(more)
            told = [m for m in burst if isinstance(m, Ephemeral) and m.type == "queue"]
            bursts.append(len(told))
            positions.update({m.conversation_id: m.position or 0 for m in told})
            assert not listener.overflowed
    assert max(bursts) <= POSITIONS_PER_PASS
    assert sorted(positions.values()) == list(range(1, BACKLOG + 1))
