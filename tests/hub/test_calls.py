"""A step of a phone call is one transaction with its timeline entry: if any part of it
cannot be written, none of it is (DESIGN.md, invariant 2), so a failed ring leaves no
conversation routed without its call, and a failed miss leaves the call as it was."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import create_async_engine

from hub.flow.bus import Bus
from hub.flow.publishing import PublishingWork
from hub.ports import Store
from hub.services.calls import CallService
from storage import open_store

SID = "CA0000000000000000000000000000000a"


@dataclass
class Phone:
    url: str
    store: Store
    calls: CallService


@pytest.fixture
async def phone(database_url: str) -> AsyncIterator[Phone]:
    async with open_store(database_url, migrate=True) as store, contextlib.AsyncExitStack() as s:
        bus = await s.enter_async_context(Bus())
        work = await s.enter_async_context(PublishingWork(store.work, bus))
        yield Phone(database_url, store, CallService(work))


@contextlib.asynccontextmanager
async def refusing(url: str, table: str, when: str = "1 = 1") -> AsyncIterator[None]:
    """While inside, the database refuses inserts into `table` matching `when` (a trigger),
    as a write can fail for real: a constraint, a full disk, a dropped connection."""
    engine = create_async_engine(url)
    try:
        async with engine.begin() as conn:
            if url.startswith("sqlite"):
                await conn.execute(
                    sa.text(
                        f'CREATE TRIGGER refuse BEFORE INSERT ON "{table}" WHEN {when} '
                        "BEGIN SELECT RAISE(ABORT, 'refused by the test'); END"
                    )
                )
            else:
                await conn.execute(
                    sa.text(
                        "CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS "
                        "$$ BEGIN RAISE EXCEPTION 'refused by the test'; END $$"
                    )
                )
                await conn.execute(
                    sa.text(
                        f'CREATE TRIGGER refuse BEFORE INSERT ON "{table}" FOR EACH ROW '
                        f"WHEN ({when}) EXECUTE FUNCTION refuse()"
                    )
                )
        yield
    finally:
        async with engine.begin() as conn:
            if url.startswith("sqlite"):
                await conn.execute(sa.text("DROP TRIGGER refuse"))
            else:
                await conn.execute(sa.text(f'DROP TRIGGER refuse ON "{table}"'))
                await conn.execute(sa.text("DROP FUNCTION refuse()"))
        await engine.dispose()


async def test_a_ring_that_cannot_record_its_call_stores_nothing(phone: Phone) -> None:
    customer = await phone.store.customers.identify("phone", "+15550001111", "+15550001111")
    before = await phone.store.events.last_id()
    async with refusing(phone.url, "call"):
        with pytest.raises(Exception, match="refused by the test"):
            await phone.calls.ring(SID, customer, "+15550001111", "+15559990000", "general")
    assert await phone.store.reader.unresolved() == [], "no conversation without its call"
    assert await phone.store.events.after(before) == []
    assert await phone.store.reader.timeline(customer) == []

    # Twilio asks again: now the whole step lands, once.
    rang = await phone.calls.ring(SID, customer, "+15550001111", "+15559990000", "general")
    again = await phone.calls.ring(SID, customer, "+15550001111", "+15559990000", "general")
    assert again.duplicate and again.conversation.id == rang.conversation.id
    call = await phone.store.calls.call(SID)
    assert call is not None and (call.conversation_id, call.state) == (
        rang.conversation.id,
        "ringing",
    )
    kinds = [(e.kind, e.payload.get("status")) for e in await phone.store.reader.timeline(customer)]
    assert kinds == [("conversation_opened", None), ("message", None), ("call", "ringing")]


async def test_a_miss_that_cannot_write_its_message_leaves_the_call_as_it_was(
    phone: Phone,
) -> None:
    customer = await phone.store.customers.identify("phone", "+15550002222", "+15550002222")
    rang = await phone.calls.ring(SID, customer, "+15550002222", "+15559990000", "general")
    before = await phone.store.events.last_id()
    async with refusing(phone.url, "message", "NEW.dedupe_key LIKE 'missed:%'"):
        with pytest.raises(Exception, match="refused by the test"):
            await phone.calls.miss(SID, "nobody answered")
    call = await phone.store.calls.call(SID)
    assert call is not None and call.state == "ringing" and call.ended_at is None
    conversation = await phone.store.reader.conversation(rang.conversation.id)
    assert conversation is not None and conversation.subject == "Call from +15550002222"
    assert await phone.store.events.after(before) == []

    missed = await phone.calls.miss(SID, "nobody answered")
    assert missed is not None and missed.state == "missed"
    conversation = await phone.store.reader.conversation(rang.conversation.id)
    assert conversation is not None and conversation.subject == "Call back +15550002222"
    texts = [m.text for m in await phone.store.reader.messages(rang.conversation.id)]
    assert texts == [
        "Incoming call from +15550002222",
        "Missed call: please call back +15550002222",
    ]
    steps = [
        (e.event.type, getattr(e.event, "status", None))
        for e in await phone.store.events.after(before)
    ]
    assert steps == [("call", "missed"), ("message", None)]
