"""The outbox table and message delivery columns, in the caller's transaction (synchronous
Core, run by the unit of work on the writer)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from hub.ids import ConversationId, CustomerId, MessageId
from hub.models import DeliveryStatus
from hub.outbox.items import (
    Claimed,
    OutboxItem,
    OutboxRef,
    OutboxState,
    UnreadablePayload,
    read_payload,
)
from storage.tables import OutboxRow

outbox_t = OutboxRow.__table__  # type: ignore[attr-defined]


def add_outbox(conn: sa.Connection, item: OutboxItem) -> bool:
    exists = conn.scalar(
        sa.select(outbox_t.c.id).where(outbox_t.c.idempotency_key == item.idempotency_key)
    )
    if exists is not None:
        return False
    now = datetime.now(UTC)
    values = item.model_dump(mode="json", exclude={"next_attempt_at"}) | {
        "kind": item.kind,
        "next_attempt_at": item.next_attempt_at,
        "claimed_until": None,
        "created_at": now,
        "updated_at": now,
    }
    conn.execute(sa.insert(outbox_t), values)
    return True


def claim_outbox(
    conn: sa.Connection, kinds: Sequence[str], now: datetime, limit: int, lease_until: datetime
) -> Claimed:
    due = conn.execute(
        sa.select(outbox_t)
        .where(
            outbox_t.c.state == "pending",
            outbox_t.c.kind.in_(kinds),
            outbox_t.c.next_attempt_at <= now,
        )
        .order_by(outbox_t.c.next_attempt_at, outbox_t.c.id)
        .limit(limit)
    ).all()
    items: list[OutboxItem] = []
    refused: list[tuple[OutboxRef, str]] = []
    for row in due:
        try:
            item = to_item(row)
        except UnreadablePayload as exc:
            refused.append((to_ref(row), str(exc)))
        else:
            items.append(item.model_copy(update={"state": "sending", "attempts": row.attempts + 1}))
    if items:
        conn.execute(
            sa.update(outbox_t)
            .where(outbox_t.c.id.in_([item.id for item in items]))
            .values(
                state="sending",
                attempts=outbox_t.c.attempts + 1,
                claimed_until=lease_until,
                updated_at=now,
            )
        )
    return Claimed(items, refused)


def interrupted_outbox(conn: sa.Connection, now: datetime) -> list[OutboxRef]:
    rows = conn.execute(
        sa.select(outbox_t.c.id, outbox_t.c.message_id, outbox_t.c.attempts).where(
            outbox_t.c.state == "sending", outbox_t.c.claimed_until < now
        )
    ).all()
    return [to_ref(row) for row in rows]


def settle_outbox(
    conn: sa.Connection,
    item_id: str,
    state: OutboxState,
    next_attempt_at: datetime | None,
    last_error: str | None,
) -> None:
    values: dict[str, Any] = {
        "state": state,
        "claimed_until": None,
        "last_error": last_error,
        "updated_at": datetime.now(UTC),
    }
    if next_attempt_at is not None:
        values["next_attempt_at"] = next_attempt_at
    conn.execute(sa.update(outbox_t).where(outbox_t.c.id == item_id).values(values))


def set_delivery(
    conn: sa.Connection,
    message_t: sa.Table,
    message_id: MessageId,
    status: DeliveryStatus,
    error: str | None,
    external_id: str | None,
) -> None:
    values: dict[str, Any] = {"delivery_status": status, "delivery_error": error}
    if external_id is not None:
        values["external_id"] = external_id
    conn.execute(sa.update(message_t).where(message_t.c.id == message_id).values(values))


def to_ref(row: Any) -> OutboxRef:
    message_id = MessageId(row.message_id) if row.message_id else None
    return OutboxRef(item_id=row.id, message_id=message_id, attempts=row.attempts)


def to_item(row: Any) -> OutboxItem:
    """The row as a typed item; UnreadablePayload when its payload is not its kind's model."""
    return OutboxItem(
        id=row.id,
        idempotency_key=row.idempotency_key,
        message_id=MessageId(row.message_id) if row.message_id else None,
        conversation_id=ConversationId(row.conversation_id) if row.conversation_id else None,
        customer_id=CustomerId(row.customer_id) if row.customer_id else None,
        payload=read_payload(row.kind, row.payload),
        state=row.state,
        attempts=row.attempts,
        next_attempt_at=row.next_attempt_at,
        last_error=row.last_error,
    )
