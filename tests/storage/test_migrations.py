"""The Alembic migrations build exactly the schema the tables declare, on both databases."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy.ext.asyncio import create_async_engine
from sqlmodel import SQLModel

import storage.tables  # noqa: F401  (registers the tables)
from hub.outbox.items import CallRedirectPayload, EmailPayload, SmsPayload, read_payload
from storage import open_store
from storage.eventlog import event_log_t
from storage.migrate import current_revision, head_revision, upgrade
from storage.outbox import outbox_t
from storage.search import ENGINE_OBJECTS


def _declared(name: str | None, type_: str, _parents: object) -> bool:
    """The search engine's own objects (FTS5 and its shadow tables, the tsvector column and
    its GIN index) are dialect-specific and made by migration 0012 only; the search
    contract tests check them."""
    return name is None or not any(name.startswith(p) for p in ENGINE_OBJECTS)


async def test_migrations_match_the_tables(database_url: str) -> None:
    engine = create_async_engine(database_url)
    try:
        await upgrade(engine)
        assert await current_revision(engine) == head_revision()
        async with engine.connect() as conn:
            drift = await conn.run_sync(
                lambda sync: compare_metadata(
                    MigrationContext.configure(sync, opts={"include_name": _declared}),
                    SQLModel.metadata,
                )
            )
        assert drift == []
        await upgrade(engine)  # a second upgrade is a no-op
    finally:
        await engine.dispose()


async def test_queued_sends_and_logged_events_survive_the_move_to_typed_rows(
    database_url: str,
) -> None:
    """Rows written before 0007 (outbox payloads as plain dicts, unversioned events) read
    as today's typed models after the upgrade."""
    engine = create_async_engine(database_url)
    now = datetime.now(UTC)
    version_1 = {
        "sms": {
            "to": "+15550001111",
            "from": "+15559990000",
            "text": "hi",
            "subject": None,
            "agent_name": "Ann",
            "attachments": [{"name": "a.png", "content_type": "image/png", "url": "https://m/a"}],
        },
        "email": {
            "to": "c@customer.test",
            "from": "support@example.com",
            "text": "hello",
            "subject": "Kettle",
            "agent_name": "Ann",
            "attachments": [],
            "auto_reply": True,
        },
        "call_redirect": {"call_sid": "CA1", "url": "https://hub.example/twilio/voice/connect"},
    }
    try:
        await upgrade(engine, "0006")
        async with engine.begin() as conn:
            for kind, payload in version_1.items():
                await conn.execute(
                    sa.insert(outbox_t).values(
                        id=kind,
                        idempotency_key=kind,
                        kind=kind,
                        payload=payload,
                        state="pending",
                        attempts=0,
                        next_attempt_at=now,
                        created_at=now,
                        updated_at=now,
                    )
                )
            await conn.execute(
                sa.text("INSERT INTO event_log (topic, payload, at) VALUES ('presence', :p, :at)"),
                {"p": '{"type": "presence", "agent_id": "ag1", "status": "away"}', "at": now},
            )
        await upgrade(engine)
        async with engine.connect() as conn:
            rows = {r.kind: r.payload for r in await conn.execute(sa.select(outbox_t))}
            versions = (await conn.execute(sa.select(event_log_t.c.schema_version))).scalars()
            assert list(versions) == [1]
    finally:
        await engine.dispose()
    assert read_payload("sms", rows["sms"]) == SmsPayload(
        to="+15550001111", sender="+15559990000", text="hi", media_urls=("https://m/a",)
    )
    assert read_payload("email", rows["email"]) == EmailPayload(
        to="c@customer.test",
        sender="support@example.com",
        subject="Kettle",
        text="hello",
        agent_name="Ann",
        auto_reply=True,
    )
    assert read_payload("call_redirect", rows["call_redirect"]) == CallRedirectPayload(
        call_sid="CA1", url="https://hub.example/twilio/voice/connect"
    )


async def test_visitors_keep_their_tokens_across_the_move_to_hashes(database_url: str) -> None:
    """Tokens stored raw before 0008 are hashed in place: the widget's token still resumes
    its customer, and the raw token is no longer in the database."""
    engine = create_async_engine(database_url)
    now = datetime.now(UTC)
    token = "raw-token-of-an-old-visitor"
    try:
        await upgrade(engine, "0007")
        async with engine.begin() as conn:
            await conn.execute(
                sa.text(
                    "INSERT INTO customer (id, display_name, created_at) VALUES ('c1', 'Old', :at)"
                ),
                {"at": now},
            )
            await conn.execute(
                sa.text(
                    "INSERT INTO customer_identity (customer_id, kind, address) "
                    "VALUES ('c1', 'webchat', :token)"
                ),
                {"token": token},
            )
        await upgrade(engine)
        async with engine.connect() as conn:
            addresses = await conn.execute(sa.text("SELECT address FROM customer_identity"))
            assert list(addresses.scalars()) == [hashlib.sha256(token.encode()).hexdigest()]
    finally:
        await engine.dispose()
    async with open_store(database_url) as store:
        visitor = await store.visitors.find(token)
    assert visitor is not None and visitor.customer.id == "c1"


async def test_typed_chat_emails_become_unverified_claims(database_url: str) -> None:
    """Before 0008 a visitor's typed email was a plain `email` identity (when nobody held the
    address) and the customer's `email`. Email ingest only ever creates an email identity
    with a customer of its own, so an email identity or address on a customer holding a web
    chat identity was typed: the upgrade makes it an unverified claim."""
    engine = create_async_engine(database_url)
    now = datetime.now(UTC)
    customers = [  # id, email column, identities (kind, address)
        ("typed", "x@example.com", [("webchat", "t1"), ("email", "x@example.com")]),
        ("mailed", "y@example.com", [("email", "y@example.com")]),
        ("taken", "y@example.com", [("webchat", "t2")]),  # typed an address already held
        ("phoned", None, [("phone", "+15550001111")]),
    ]
    try:
        await upgrade(engine, "0007")
        async with engine.begin() as conn:
            for cid, email, identities in customers:
                await conn.execute(
                    sa.text(
                        "INSERT INTO customer (id, display_name, email, created_at) "
                        "VALUES (:id, :id, :email, :at)"
                    ),
                    {"id": cid, "email": email, "at": now},
                )
                for kind, address in identities:
                    await conn.execute(
                        sa.text(
                            "INSERT INTO customer_identity (customer_id, kind, address) "
                            "VALUES (:c, :k, :a)"
                        ),
                        {"c": cid, "k": kind, "a": address},
                    )
        await upgrade(engine)
    finally:
        await engine.dispose()
    async with open_store(database_url) as store:
        found = {c: await store.reader.customer(c) for c, _, _ in customers}  # type: ignore[arg-type]
        newcomer = await store.customers.identify("email", "x@example.com", "X")
        held = await store.customers.identify("email", "y@example.com", "Y")
    shown = {
        cid: (c.email, [(i.kind, i.address, i.verified) for i in c.identities])
        for cid, c in found.items()
        if c is not None
    }
    assert shown == {
        "typed": (None, [("webchat", "web visitor", True), ("email", "x@example.com", False)]),
        "mailed": ("y@example.com", [("email", "y@example.com", True)]),
        "taken": (None, [("webchat", "web visitor", True), ("email", "y@example.com", False)]),
        "phoned": (None, [("phone", "+15550001111", True)]),
    }
    assert newcomer not in found and held == "mailed"


async def test_last_activity_is_backfilled_from_the_latest_message(database_url: str) -> None:
    """0013 sets `last_activity_at` of existing conversations: their latest message, else
    when they were created, so the listing orders old conversations as it will new ones."""
    from storage.mapping import conversation_t, customer_t, message_t

    engine = create_async_engine(database_url)
    created = datetime(2026, 11, 1, tzinfo=UTC)
    replied = datetime(2026, 11, 3, tzinfo=UTC)
    conversation = {"customer_id": "c1", "channel": "webchat", "queue": "general"}
    conversation |= {"status": "pending", "priority": 0, "created_at": created}
    try:
        await upgrade(engine, "0012")
        async with engine.begin() as conn:
            await conn.execute(
                sa.insert(customer_t).values(id="c1", display_name="Old", created_at=created)
            )
            for cid in ("quiet", "talked"):
                await conn.execute(
                    sa.insert(conversation_t).values(id=cid, queued_at=created, **conversation)
                )
            for n, at in enumerate((created, replied)):
                await conn.execute(
                    sa.insert(message_t).values(
                        id=f"m{n}", conversation_id="talked", customer_id="c1", direction="in",
                        author="customer", channel="webchat", body_text="hi",
                        dedupe_key=f"k{n}", attachments=[], meta={}, created_at=at,
                    )
                )  # fmt: skip
        await upgrade(engine)
        async with engine.connect() as conn:
            query = sa.select(conversation_t.c.id, conversation_t.c.last_activity_at)
            found = {row.id: row.last_activity_at for row in await conn.execute(query)}
    finally:
        await engine.dispose()
    assert found == {"quiet": created, "talked": replied}
