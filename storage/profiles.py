"""Customer profiles: identities, attributes, labels and conversations; the newest-first list
with its cursor; merge records."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from hub.errors import Invalid
from hub.ids import ConversationId, CustomerId
from hub.models import Customer
from hub.records import CustomerConversation, CustomerMerge, CustomerPage, CustomerProfile
from storage.database import Database
from storage.mapping import conversation_t, customer_t
from storage.queries import identity_t, to_identity
from storage.tables import CustomerMergeRow

merge_t = CustomerMergeRow.__table__  # type: ignore[attr-defined]


class SqlCustomerProfiles:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def profile(self, customer_id: CustomerId) -> CustomerProfile | None:
        found = await self.profiles([customer_id])
        return found[0] if found else None

    async def profiles(self, customer_ids: Sequence[CustomerId]) -> list[CustomerProfile]:
        if not customer_ids:
            return []
        async with self._db.read() as conn:
            rows = (
                await conn.execute(sa.select(customer_t).where(customer_t.c.id.in_(customer_ids)))
            ).all()
            built = await _profiles(conn, rows)
        return [built[c] for c in customer_ids if c in built]

    async def page(self, limit: int, cursor: str | None = None) -> CustomerPage:
        query = sa.select(customer_t).where(customer_t.c.merged_into.is_(None))
        if cursor is not None:
            at, last = _read_cursor(cursor)
            created = customer_t.c.created_at
            query = query.where(
                sa.or_(created < at, sa.and_(created == at, customer_t.c.id < last))
            )
        query = query.order_by(customer_t.c.created_at.desc(), customer_t.c.id.desc())
        async with self._db.read() as conn:
            rows = (await conn.execute(query.limit(limit + 1))).all()
            built = await _profiles(conn, rows[:limit])
        page = [built[row.id] for row in rows[:limit]]
        more = len(rows) > limit
        return CustomerPage(
            customers=tuple(page), next_cursor=_cursor(rows[limit - 1]) if more else None
        )

    async def merge(self, merge_id: str) -> CustomerMerge | None:
        async with self._db.read() as conn:
            row = (await conn.execute(sa.select(merge_t).where(merge_t.c.id == merge_id))).first()
        return to_merge(row) if row else None


async def _profiles(conn: AsyncConnection, rows: Sequence[Any]) -> dict[str, CustomerProfile]:
    ids = [row.id for row in rows]
    if not ids:
        return {}
    identities = (
        await conn.execute(
            sa.select(identity_t).where(identity_t.c.customer_id.in_(ids)).order_by(identity_t.c.id)
        )
    ).all()
    conversations = (
        await conn.execute(
            sa.select(conversation_t)
            .where(conversation_t.c.customer_id.in_(ids))
            .order_by(conversation_t.c.created_at.desc(), conversation_t.c.id.desc())
        )
    ).all()
    return {row.id: _profile(row, identities, conversations) for row in rows}


def _profile(row: Any, identities: Sequence[Any], conversations: Sequence[Any]) -> CustomerProfile:
    customer = Customer(
        id=CustomerId(row.id),
        display_name=row.display_name,
        email=row.email,
        identities=tuple(to_identity(i) for i in identities if i.customer_id == row.id),
        created_at=row.created_at,
    )
    return CustomerProfile(
        customer=customer,
        attributes=row.attributes or {},
        labels=tuple(row.labels or ()),
        merged_into=CustomerId(row.merged_into) if row.merged_into else None,
        merged_at=row.merged_at,
        conversations=tuple(
            CustomerConversation(
                id=ConversationId(c.id),
                channel=c.channel,
                status=c.status,
                subject=c.subject,
                created_at=c.created_at,
            )
            for c in conversations
            if c.customer_id == row.id
        ),
    )


def to_merge(row: Any) -> CustomerMerge:
    return CustomerMerge(
        id=row.id,
        survivor_id=CustomerId(row.survivor_id),
        merged_id=CustomerId(row.merged_id),
        identities=len(row.moved.get("identities", ())) + len(row.moved.get("absorbed", ())),
        conversations=len(row.moved.get("conversations", ())),
        by_agent_id=row.by_agent_id,
        at=row.at,
        undone_at=row.undone_at,
    )


def _cursor(row: Any) -> str:
    raw = f"{row.created_at.isoformat()}|{row.id}"
    return base64.urlsafe_b64encode(raw.encode()).decode()


def _read_cursor(cursor: str) -> tuple[datetime, str]:
    try:
        at, _, last = base64.urlsafe_b64decode(cursor.encode()).decode().partition("|")
        return datetime.fromisoformat(at), last
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise Invalid("not a cursor this list gave", field="cursor") from None
