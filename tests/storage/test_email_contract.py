"""The storage contract of the email port (hub.ports.EmailStore): mailbox cursors,
Message-ID and conversation lookups with participants, batch sender identification and the
reply context, the same on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from hub.flow.placement import place
from hub.ids import ConversationId, CustomerId
from hub.models import InboundMessage
from hub.ports import Store
from storage import open_store


@pytest.fixture
async def store(database_url: str) -> AsyncIterator[Store]:
    async with open_store(database_url, migrate=True) as opened:
        yield opened


def mail(customer: CustomerId, message_id: str, **extra: Any) -> InboundMessage:
    fields: dict[str, Any] = {
        "channel": "email",
        "customer_id": customer,
        "dedupe_key": f"email:<{message_id}>",
        "text": f"text of {message_id}",
        "queue": "general",
        "external_id": message_id,
        "contact": "carol@customer.test",
        "via": "support@example.com",
        "new_conversation": True,
    }
    return InboundMessage(**(fields | extra))


async def test_cursor_is_saved_and_moved(store: Store) -> None:
    assert await store.email.cursor("support") is None
    await store.email.save_cursor("support", 4_000_000_000, 7)  # UIDVALIDITY is 32-bit unsigned
    await store.email.save_cursor("support", 4_000_000_000, 9)
    await store.email.save_cursor("sales", 1, 1)
    assert await store.email.cursor("support") == (4_000_000_000, 9)
    assert await store.email.cursor("sales") == (1, 1)


async def test_identify_many_matches_identify(store: Store) -> None:
    known = await store.customers.identify("email", "Carol@Customer.test", "Carol")
    found = await store.customers.identify_many(
        "email", {"carol@customer.test": "Carol C", "DAN@customer.test": "Dan"}
    )
    assert found["carol@customer.test"] == known
    assert (
        await store.customers.identify("email", "dan@customer.test", "x")
        == found["dan@customer.test"]
    )
    again = await store.customers.identify_many("email", {"dan@customer.test": "Dan"})
    assert again == {"dan@customer.test": found["dan@customer.test"]}


async def test_a_customer_is_given_another_verified_identity_once(store: Store) -> None:
    carol = await store.customers.identify("email", "carol@customer.test", "Carol")
    assert await store.customers.add_identity(carol, "phone", "+15550001111") == carol
    assert await store.customers.identify("phone", "+15550001111", "someone") == carol
    assert await store.customers.add_identity(carol, "phone", "+15550001111") == carol
    # An address someone else holds stays theirs: the holder is the answer.
    dan = await store.customers.identify("email", "dan@customer.test", "Dan")
    assert await store.customers.add_identity(dan, "email", "Carol@Customer.test") == carol


async def test_threads_by_message_id_and_by_conversation(store: Store) -> None:
    carol = await store.customers.identify("email", "carol@customer.test", "Carol")
    kettle = mail(carol, "m1@customer.test", subject="Kettle")
    (first,), _ = await store.inbound.ingest([kettle], place)
    cid = first.conversation.id
    await store.email.add_participants([(cid, "Dan@customer.test"), (cid, "erin@customer.test")])
    await store.email.add_participants([(cid, "dan@customer.test")])  # kept once
    by_message, by_id = await store.email.threads(
        {"m1@customer.test", "unknown@x.test"}, {cid, ConversationId("0" * 24)}
    )
    (thread,) = by_message.values()
    assert by_message.keys() == {"m1@customer.test"} and by_id == {cid: thread}
    assert thread.conversation_id == cid and thread.customer_id == carol
    assert thread.contact == "carol@customer.test" and thread.status == "pending"
    assert thread.participants == ("dan@customer.test", "erin@customer.test")
    assert await store.email.known_message_ids(["m1@customer.test", "nope@x"]) == {
        "m1@customer.test"
    }


async def test_reply_context(store: Store) -> None:
    carol = await store.customers.identify("email", "carol@customer.test", "Carol")
    (first,), _ = await store.inbound.ingest(
        [mail(carol, "m1@customer.test", meta={"subject": "Kettle"})], place
    )
    cid = first.conversation.id
    await store.inbound.ingest(
        [
            mail(
                carol,
                "m2@customer.test",
                conversation_id=cid,
                new_conversation=False,
                meta={"subject": "Re: Kettle, again"},
            ),
        ],
        place,
    )
    await store.email.add_participants([(cid, "dan@customer.test")])
    context = await store.email.reply_context(cid)
    assert context.message_ids == ("m1@customer.test", "m2@customer.test")
    assert context.in_reply_to == "m2@customer.test"
    assert context.subject == "Re: Kettle, again"
    assert context.participants == ("dan@customer.test",)
