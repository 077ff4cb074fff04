"""The outbox relay over a real store: outcomes, retries with backoff, permanent failures
and crash recovery. The sender here is the channel side, scripted per attempt; the real
senders are exercised end to end against provider stand-ins (tests/channels/)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import create_async_engine

from hub.errors import PermanentSendError, TransientSendError
from hub.flow.bus import Bus
from hub.flow.placement import place
from hub.flow.publishing import PublishingWork
from hub.ids import MessageId, new_id
from hub.models import InboundMessage, Message
from hub.outbox.items import (
    CallRedirectPayload,
    OutboxItem,
    SenderFor,
    Sent,
    SmsPayload,
    UnreadablePayload,
    read_payload,
)
from hub.outbox.relay import INTERRUPTED, OutboxRelay
from hub.ports import Store, Transaction
from hub.settings import OutboxSettings
from storage import open_store
from storage.outbox import outbox_t

FAST = OutboxSettings(poll_seconds=0.05, backoff_base_seconds=0.05, max_attempts=3)


class ScriptedSender:
    """Answers each attempt with the next scripted outcome and records what it was given."""

    def __init__(self, *outcomes: Sent | Exception) -> None:
        self.outcomes = list(outcomes)
        self.calls: list[tuple[OutboxItem, datetime]] = []
        self.done = asyncio.Event()

    async def send(self, item: OutboxItem, payload: SmsPayload) -> Sent:
        assert payload is item.payload
        self.calls.append((item, datetime.now(UTC)))
        outcome = self.outcomes.pop(0)
        if not self.outcomes:
            self.done.set()
        if isinstance(outcome, Exception):
            raise outcome
        return outcome


@pytest.fixture
async def store(database_url: str) -> AsyncIterator[Store]:
    async with open_store(database_url, migrate=True) as opened:
        yield opened


async def queue_reply(store: Store, text: str = "hello") -> Message:
    customer = await store.customers.identify("phone", "+15550001111", "Ann")
    inbound = InboundMessage(
        channel="sms",
        customer_id=customer,
        dedupe_key="SMin",
        text="hi",
        queue="general",
        contact="+15550001111",
        via="+15559990000",
    )
    (first,), _ = await store.inbound.ingest([inbound], place)
    now = datetime.now(UTC)
    message = Message(
        id=MessageId(new_id()),
        conversation_id=first.conversation.id,
        direction="out",
        author="agent",
        channel="sms",
        text=text,
        created_at=now,
        delivery_status="queued",
    )
    item = OutboxItem(
        id=new_id(),
        idempotency_key=f"message:{message.id}",
        message_id=message.id,
        conversation_id=first.conversation.id,
        customer_id=customer,
        payload=SmsPayload(to="+15550001111", text=text),
        next_attempt_at=now,
    )

    def add(tx: Transaction) -> None:
        tx.messages.add(message, customer, f"out:{message.id}")
        tx.outbox.add(item)

    await store.work.run_batch([add])
    return message


async def dispatch(store: Store, sender: ScriptedSender, settings: OutboxSettings = FAST) -> None:
    async with AsyncExitStack() as stack:
        bus = await stack.enter_async_context(Bus(None, namespace="t"))
        work = await stack.enter_async_context(PublishingWork(store.work, bus))
        relay = OutboxRelay(work, settings)
        relay.register(SenderFor(SmsPayload, sender))
        await stack.enter_async_context(relay)
        async with asyncio.timeout(20):
            await sender.done.wait()
        await asyncio.sleep(0.1)  # let the last outcome commit


async def deliveries(store: Store, message: Message) -> list[tuple[str, str | None]]:
    timeline = await store.reader.timeline(
        (await store.reader.conversation(message.conversation_id)).customer_id
    )  # type: ignore[union-attr]
    return [
        (entry.payload["status"], entry.payload.get("error"))
        for entry in timeline
        if entry.kind == "delivery"
    ]


async def stored(store: Store, message: Message) -> Message:
    messages = await store.reader.messages(message.conversation_id)
    return next(m for m in messages if m.id == message.id)


async def test_a_send_records_the_provider_id_and_status(store: Store) -> None:
    message = await queue_reply(store)
    sender = ScriptedSender(Sent(provider_id="SM1", status="queued"))
    await dispatch(store, sender)
    assert [c[0].payload.text for c in sender.calls] == ["hello"]
    after = await stored(store, message)
    assert (after.delivery_status, after.external_id) == ("queued", "SM1")
    assert await deliveries(store, message) == [("queued", None)]


async def test_transient_failures_back_off_then_succeed(store: Store) -> None:
    message = await queue_reply(store)
    sender = ScriptedSender(
        TransientSendError("429 Too Many Requests", retry_after=0.3),
        TransientSendError("503 Service Unavailable"),
        Sent(provider_id="SM2"),
    )
    await dispatch(store, sender)
    attempts = [item.attempts for item, _ in sender.calls]
    assert attempts == [1, 2, 3]
    first_gap = sender.calls[1][1] - sender.calls[0][1]
    assert first_gap >= timedelta(seconds=0.3)  # Retry-After is honoured as a floor
    assert (await stored(store, message)).delivery_status == "sent"
    assert await deliveries(store, message) == [
        ("queued", "retrying: 429 Too Many Requests"),
        ("queued", "retrying: 503 Service Unavailable"),
        ("sent", None),
    ]


async def test_a_permanent_failure_marks_the_message_failed(store: Store) -> None:
    message = await queue_reply(store)
    sender = ScriptedSender(PermanentSendError("21211: invalid 'To' number", code="21211"))
    await dispatch(store, sender)
    after = await stored(store, message)
    assert after.delivery_status == "failed"
    assert after.delivery_error == "21211: invalid 'To' number"
    assert len(sender.calls) == 1


async def test_retries_stop_at_max_attempts(store: Store) -> None:
    message = await queue_reply(store)
    sender = ScriptedSender(*(TransientSendError("connection refused") for _ in range(3)))
    await dispatch(store, sender)
    after = await stored(store, message)
    assert after.delivery_status == "failed"
    assert after.delivery_error == "gave up after 3 attempts: connection refused"


async def test_a_send_cut_off_by_a_crash_is_not_repeated(store: Store) -> None:
    message = await queue_reply(store)
    now = datetime.now(UTC)
    # A process claimed it, then died: its lease ran out with the outcome unknown.
    await store.work.run_batch(
        [lambda tx: tx.outbox.claim(["sms"], now, 10, now - timedelta(seconds=1))]
    )
    sender = ScriptedSender(Sent(provider_id="never"))
    async with AsyncExitStack() as stack:
        bus = await stack.enter_async_context(Bus(None, namespace="t"))
        work = await stack.enter_async_context(PublishingWork(store.work, bus))
        relay = OutboxRelay(work, FAST)
        relay.register(SenderFor(SmsPayload, sender))
        await stack.enter_async_context(relay)
        for _ in range(100):
            if (await stored(store, message)).delivery_status == "failed":
                break
            await asyncio.sleep(0.05)
    assert sender.calls == []
    after = await stored(store, message)
    assert (after.delivery_status, after.delivery_error) == ("failed", INTERRUPTED)


def test_backoff_grows_is_capped_and_jittered() -> None:
    settings = OutboxSettings(backoff_base_seconds=1, backoff_max_seconds=10)
    relay = OutboxRelay(None, settings)  # type: ignore[arg-type]
    assert all(0.5 <= relay.backoff(1) <= 1 for _ in range(50))
    assert all(2 <= relay.backoff(3) <= 4 for _ in range(50))
    assert all(5 <= relay.backoff(9) <= 10 for _ in range(50))
    assert len({relay.backoff(4) for _ in range(20)}) > 1


def test_a_payload_is_its_kinds_model_or_refused_when_queued() -> None:
    now = datetime.now(UTC)
    with pytest.raises(ValidationError, match="text"):
        OutboxItem(
            id="1", idempotency_key="k", payload={"kind": "sms", "to": "+1"}, next_attempt_at=now
        )
    with pytest.raises(ValidationError, match="url"):
        CallRedirectPayload(call_sid="CA1", url="ftp://elsewhere")
    with pytest.raises(UnreadablePayload, match="no sender knows this kind"):
        read_payload("fax", {"to": "+1"})
    with pytest.raises(UnreadablePayload, match="unreadable sms payload: text: Field required"):
        read_payload("sms", {"to": "+1"})
    assert read_payload("sms", {"to": "+1", "text": "hi", "kind": "email"}) == SmsPayload(
        to="+1", text="hi"
    )


async def test_a_stored_payload_that_does_not_read_is_failed_not_sent(
    store: Store, database_url: str
) -> None:
    good = await queue_reply(store, "hello")
    mangled = await queue_reply(store, "lost")
    engine = create_async_engine(database_url)
    try:
        async with engine.begin() as conn:
            # As a hand edit, or an older hub's row, might leave it: the text is gone.
            await conn.execute(
                sa.update(outbox_t)
                .where(outbox_t.c.message_id == mangled.id)
                .values(payload={"kind": "sms", "to": "+15550001111"})
            )
    finally:
        await engine.dispose()
    sender = ScriptedSender(Sent(provider_id="SM1", status="queued"))
    await dispatch(store, sender)
    await asyncio.sleep(0.2)  # another pass would have picked the mangled row up by now
    assert [c[0].message_id for c in sender.calls] == [good.id]
    refused = await stored(store, mangled)
    assert refused.delivery_status == "failed"
    assert refused.delivery_error == "unreadable sms payload: text: Field required"
    customer = (await store.reader.conversation(mangled.conversation_id)).customer_id  # type: ignore[union-attr]
    steps = [
        (e.payload["message_id"], e.payload["status"], e.payload["error"])
        for e in await store.reader.timeline(customer)
        if e.kind == "delivery"
    ]
    assert steps == [(mangled.id, "failed", refused.delivery_error), (good.id, "queued", None)]
    assert (await stored(store, good)).delivery_status == "queued"
