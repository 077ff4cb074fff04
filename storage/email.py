"""Email threading state: mailbox cursors, conversation participants, and Message-ID lookups
(a Message-ID is `message.external_id` on channel "email", indexed with the channel)."""

from __future__ import annotations

from collections.abc import Collection
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from hub.ids import ConversationId, CustomerId
from hub.models import EmailReplyContext, EmailThread
from storage.database import Database
from storage.mapping import conversation_t, message_t
from storage.tables import EmailCursorRow, EmailParticipantRow

cursor_t = EmailCursorRow.__table__  # type: ignore[attr-defined]
participant_t = EmailParticipantRow.__table__  # type: ignore[attr-defined]
REFERENCES_KEPT = 20  # RFC 5322 lets References be shortened; keep the first and the latest


class SqlEmailStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def cursor(self, mailbox: str) -> tuple[int, int] | None:
        query = sa.select(cursor_t.c.uidvalidity, cursor_t.c.last_uid).where(
            cursor_t.c.mailbox == mailbox
        )
        async with self._db.read() as conn:
            row = (await conn.execute(query)).first()
        return (int(row.uidvalidity), int(row.last_uid)) if row else None

    async def save_cursor(self, mailbox: str, uidvalidity: int, last_uid: int) -> None:
        values = {"uidvalidity": uidvalidity, "last_uid": last_uid, "updated_at": _now()}
        async with self._db.write() as conn:
            done = await conn.execute(
                sa.update(cursor_t).where(cursor_t.c.mailbox == mailbox).values(values)
            )
            if not done.rowcount:
                await conn.execute(sa.insert(cursor_t), {"mailbox": mailbox, **values})

    async def threads(
        self, message_ids: Collection[str], conversation_ids: Collection[str]
    ) -> tuple[dict[str, EmailThread], dict[str, EmailThread]]:
        async with self._db.read() as conn:
            holders: dict[str, str] = {}
            if message_ids:
                query = sa.select(message_t.c.external_id, message_t.c.conversation_id).where(
                    message_t.c.channel == "email", message_t.c.external_id.in_(message_ids)
                )
                holders = {r.external_id: r.conversation_id for r in await conn.execute(query)}
            wanted = set(holders.values()) | set(conversation_ids)
            found = await _threads(conn, wanted) if wanted else {}
        by_message = {m: found[c] for m, c in holders.items() if c in found}
        return by_message, {c: t for c, t in found.items() if c in conversation_ids}

    async def known_message_ids(self, message_ids: Collection[str]) -> set[str]:
        if not message_ids:
            return set()
        query = sa.select(message_t.c.external_id).where(
            message_t.c.channel == "email", message_t.c.external_id.in_(message_ids)
        )
        async with self._db.read() as conn:
            return {row.external_id for row in await conn.execute(query)}

    async def add_participants(self, entries: Collection[tuple[ConversationId, str]]) -> None:
        wanted = {(c, a.lower()) for c, a in entries}
        if not wanted:
            return
        async with self._db.write() as conn:  # writes are serialized: no race with another
            query = sa.select(participant_t.c.conversation_id, participant_t.c.address).where(
                participant_t.c.conversation_id.in_({c for c, _ in wanted})
            )
            have = {(r.conversation_id, r.address) for r in await conn.execute(query)}
            rows = [
                {"conversation_id": c, "address": a, "created_at": _now()}
                for c, a in sorted(wanted - have)
            ]
            if rows:
                await conn.execute(sa.insert(participant_t), rows)

    async def reply_context(self, conversation_id: ConversationId) -> EmailReplyContext:
        query = (
            sa.select(message_t.c.external_id, message_t.c.direction, message_t.c.meta)
            .where(message_t.c.conversation_id == conversation_id)
            .order_by(message_t.c.created_at, message_t.c.id)
        )
        async with self._db.read() as conn:
            rows = (await conn.execute(query)).all()
            participants = await _participants(conn, {conversation_id})
        ids = [r.external_id for r in rows if r.external_id]
        inbound = [r for r in rows if r.direction == "in"]
        subjects = [r.meta.get("subject") for r in inbound if (r.meta or {}).get("subject")]
        latest_in = [r.external_id for r in inbound if r.external_id]
        kept = ids if len(ids) <= REFERENCES_KEPT else [ids[0], *ids[-(REFERENCES_KEPT - 1) :]]
        return EmailReplyContext(
            message_ids=tuple(kept),
            in_reply_to=latest_in[-1] if latest_in else (ids[-1] if ids else None),
            subject=subjects[-1] if subjects else None,
            participants=tuple(participants.get(conversation_id, ())),
        )


async def _threads(conn: AsyncConnection, conversation_ids: set[str]) -> dict[str, EmailThread]:
    query = sa.select(
        conversation_t.c.id,
        conversation_t.c.customer_id,
        conversation_t.c.contact,
        conversation_t.c.status,
        conversation_t.c.resolved_at,
    ).where(conversation_t.c.id.in_(conversation_ids))
    rows = (await conn.execute(query)).all()
    participants = await _participants(conn, conversation_ids)
    return {
        row.id: EmailThread(
            conversation_id=ConversationId(row.id),
            customer_id=CustomerId(row.customer_id),
            contact=row.contact,
            status=row.status,
            resolved_at=row.resolved_at,
            participants=tuple(participants.get(row.id, ())),
        )
        for row in rows
    }


async def _participants(conn: AsyncConnection, conversation_ids: set[str]) -> dict[str, list[str]]:
    query = (
        sa.select(participant_t.c.conversation_id, participant_t.c.address)
        .where(participant_t.c.conversation_id.in_(conversation_ids))
        .order_by(participant_t.c.id)
    )
    found: dict[str, list[str]] = {}
    for row in await conn.execute(query):
        found.setdefault(row.conversation_id, []).append(row.address)
    return found


def _now() -> datetime:
    return datetime.now(UTC)
