"""The storage contract for outbound sends, receipts, consent, calls and threading targets:
the same behaviour on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from hub.flow.placement import place
from hub.ids import ConversationId, CustomerId, MessageId, new_id
from hub.models import Attachment, Call, Identity, InboundMessage, Message
from hub.outbox.items import OutboxItem, SmsPayload
from hub.ports import Failed, Store, Transaction
from storage import open_store
from tests.visitors import new_visitor


@pytest.fixture
async def store(database_url: str) -> AsyncIterator[Store]:
    async with open_store(database_url, migrate=True) as opened:
        yield opened


async def run(store: Store, action: Any) -> Any:
    (outcome,), _ = await store.work.run_batch([action])
    if isinstance(outcome, Failed):
        raise outcome.error
    return outcome


def sms(customer: CustomerId, key: str, **extra: Any) -> InboundMessage:
    fields: dict[str, Any] = {
        "channel": "sms",
        "customer_id": customer,
        "dedupe_key": key,
        "text": f"text {key}",
        "queue": "general",
        "contact": "+15550001111",
        "via": "+15559990000",
    }
    return InboundMessage(**(fields | extra))


async def test_identify_is_one_customer_per_address_even_when_racing(store: Store) -> None:
    ids = await asyncio.gather(
        *(store.customers.identify("phone", "+15550001111", "+1 555-000-1111") for _ in range(5))
    )
    assert len(set(ids)) == 1
    assert await store.customers.identify("email", "Ann@Example.COM", "Ann") == (
        await store.customers.identify("email", "ann@example.com", "Ann B")
    )
    customer = await store.reader.customer(ids[0])
    assert customer is not None and customer.display_name == "+1 555-000-1111"


async def test_a_typed_chat_email_is_a_claim_that_mail_never_uses(store: Store) -> None:
    """A visitor who typed an address does not own it: mail from it finds or makes the
    customer holding the verified identity, and the visitor keeps an unverified claim."""
    visitor = await new_visitor(store, "Bea", "bea@example.com")
    other = await new_visitor(store, "Also Bea?", "Bea@Example.com")
    sender = await store.customers.identify("email", "BEA@example.com", "B")
    assert sender not in (visitor.customer.id, other.customer.id)
    claim = Identity(kind="email", address="bea@example.com", verified=False)
    for typed in (visitor, other):
        customer = await store.reader.customer(typed.customer.id)
        assert customer is not None and claim in customer.identities
        assert customer.email is None
    holder = await store.reader.customer(sender)
    assert holder is not None
    assert holder.identities == (Identity(kind="email", address="bea@example.com"),)
    assert await store.customers.identify("email", "bea@example.com", "B") == sender


async def test_ingest_keeps_channel_fields_and_targets(store: Store) -> None:
    customer = await store.customers.identify("phone", "+15550001111", "Cy")
    picture = Attachment(name="a.jpg", content_type="image/jpeg", url="https://x/a.jpg")
    (first,), _ = await store.inbound.ingest(
        [sms(customer, "m1", attachments=(picture,), external_id="SM1", meta={"k": "v"})], place
    )
    conversation = first.conversation
    assert (conversation.contact, conversation.via) == ("+15550001111", "+15559990000")
    (stored,) = await store.reader.messages(conversation.id)
    assert stored.attachments == (picture,) and stored.external_id == "SM1"
    assert stored.meta == {"k": "v"}

    (fresh, linked), _ = await store.inbound.ingest(
        [
            sms(customer, "m2", new_conversation=True, linked_to=conversation.id),
            sms(customer, "m3"),
        ],
        place,
    )
    assert fresh.conversation.id != conversation.id
    assert fresh.conversation.linked_to == conversation.id
    assert linked.conversation.id == conversation.id  # the shared one is untouched


async def test_a_message_into_a_resolved_conversation_reopens_it(store: Store) -> None:
    customer = await store.customers.identify("email", "dee@example.com", "Dee")
    (first,), _ = await store.inbound.ingest([sms(customer, "e1", channel="email")], place)
    resolved = first.conversation.model_copy(
        update={"status": "resolved", "resolved_at": datetime.now(UTC)}
    )
    await run(store, lambda tx: tx.conversations.save(resolved))
    (again,), envelopes = await store.inbound.ingest(
        [sms(customer, "e2", channel="email", conversation_id=first.conversation.id)], place
    )
    assert again.conversation.id == first.conversation.id
    assert again.conversation.status == "pending" and again.conversation.resolved_at is None
    assert [e.event.type for e in envelopes] == ["status", "message"]


async def outbound(store: Store) -> tuple[Message, OutboxItem]:
    customer = await store.customers.identify("phone", "+15550001111", "Eli")
    (first,), _ = await store.inbound.ingest([sms(customer, "in1")], place)
    now = datetime.now(UTC)
    message = Message(
        id=MessageId(new_id()),
        conversation_id=first.conversation.id,
        direction="out",
        author="agent",
        channel="sms",
        text="hello",
        created_at=now,
        delivery_status="queued",
    )
    item = OutboxItem(
        id=new_id(),
        idempotency_key=f"message:{message.id}",
        message_id=message.id,
        conversation_id=first.conversation.id,
        customer_id=customer,
        payload=SmsPayload(to="+15550001111", text="hello"),
        next_attempt_at=now,
    )

    def add(tx: Transaction) -> bool:
        tx.messages.add(message, customer, f"out:{message.id}")
        return tx.outbox.add(item)

    assert await run(store, add)
    assert not await run(store, lambda tx: tx.outbox.add(item.model_copy(update={"id": "x"})))
    return message, item


async def test_outbox_claims_each_due_item_once(store: Store) -> None:
    _, item = await outbound(store)
    now = datetime.now(UTC)
    lease = now + timedelta(seconds=60)
    claims = await asyncio.gather(
        *(run(store, lambda tx: tx.outbox.claim(["sms"], now, 10, lease)) for _ in range(4))
    )
    claimed = [c for claim in claims for c in claim.items]
    assert [c.id for c in claimed] == [item.id]
    assert claimed[0].state == "sending" and claimed[0].attempts == 1
    assert claimed[0].payload == SmsPayload(to="+15550001111", text="hello")
    assert (await run(store, lambda tx: tx.outbox.claim(["email"], now, 10, lease))).items == []

    later = now + timedelta(seconds=5)
    await run(store, lambda tx: tx.outbox.settle(item.id, "pending", later, "429"))
    assert (await run(store, lambda tx: tx.outbox.claim(["sms"], now, 10, lease))).items == []
    (again,) = (await run(store, lambda tx: tx.outbox.claim(["sms"], later, 10, lease))).items
    assert again.attempts == 2 and again.last_error == "429"


async def test_an_expired_claim_is_reported_as_interrupted(store: Store) -> None:
    _, item = await outbound(store)
    now = datetime.now(UTC)
    await run(store, lambda tx: tx.outbox.claim(["sms"], now, 10, now + timedelta(seconds=1)))
    assert await run(store, lambda tx: tx.outbox.interrupted(now)) == []
    (cut,) = await run(store, lambda tx: tx.outbox.interrupted(now + timedelta(seconds=2)))
    assert (cut.item_id, cut.message_id, cut.attempts) == (item.id, item.message_id, 1)


async def test_delivery_fields_and_lookup_by_provider_id(store: Store) -> None:
    message, _ = await outbound(store)
    await run(store, lambda tx: tx.messages.set_delivery(message.id, "sent", None, "SM123"))
    found = await run(store, lambda tx: tx.messages.by_external_id("sms", "SM123"))
    assert found.id == message.id and found.delivery_status == "sent"
    failed = "21211: invalid number"
    await run(store, lambda tx: tx.messages.set_delivery(message.id, "failed", failed))
    again = await run(store, lambda tx: tx.messages.get(message.id))
    assert again.external_id == "SM123" and again.delivery_error == "21211: invalid number"
    assert await run(store, lambda tx: tx.messages.by_external_id("email", "SM123")) is None


async def test_opt_out_is_kept_on_the_identity(store: Store) -> None:
    customer = await store.customers.identify("phone", "+15550002222", "Flo")
    at = datetime.now(UTC)
    await run(store, lambda tx: tx.identities.set_opt_out("phone", "+15550002222", at))
    owner, identity = await run(store, lambda tx: tx.identities.get("phone", "+15550002222"))
    assert owner == customer and identity.opted_out_at is not None
    await run(store, lambda tx: tx.identities.set_opt_out("phone", "+15550002222", None))
    _, identity = await run(store, lambda tx: tx.identities.get("phone", "+15550002222"))
    assert identity.opted_out_at is None
    assert await run(store, lambda tx: tx.identities.get("phone", "+19999999999")) is None


async def test_calls_are_saved_and_updated(store: Store) -> None:
    customer = await store.customers.identify("phone", "+15550003333", "Gil")
    (first,), _ = await store.inbound.ingest([sms(customer, "c1", channel="voice")], place)
    call = Call(
        sid="CA1",
        conversation_id=ConversationId(first.conversation.id),
        customer_id=customer,
        from_number="+15550003333",
        to_number="+15559990000",
        state="ringing",
        created_at=datetime.now(UTC),
    )
    await run(store, lambda tx: tx.calls.save(call))
    await run(store, lambda tx: tx.calls.save(call.model_copy(update={"state": "completed"})))
    loaded = await run(store, lambda tx: tx.calls.get("CA1"))
    assert loaded.state == "completed" and loaded.created_at == call.created_at
    assert [c.sid for c in await store.calls.of_conversation(first.conversation.id)] == ["CA1"]
    assert await run(store, lambda tx: tx.calls.get("CA-unknown")) is None
