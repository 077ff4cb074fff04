"""Customers found by an identity (a phone number, an email address), on any channel."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from hub.ids import ConversationId, CustomerId, new_id
from hub.models import Call
from storage.calls import call_t, to_call
from storage.database import Database
from storage.queries import identity_t
from storage.records import customer_t


class SqlCustomers:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def identify(self, kind: str, address: str, display_name: str) -> CustomerId:
        if kind == "email":
            address = address.strip().lower()
        found = await self._find(kind, address)
        if found is not None:
            return found
        customer_id = CustomerId(new_id())
        try:
            async with self._db.write() as conn:
                await conn.execute(
                    sa.insert(customer_t),
                    {
                        "id": customer_id,
                        "display_name": display_name,
                        "email": address if kind == "email" else None,
                        "created_at": datetime.now(UTC),
                    },
                )
                await conn.execute(
                    sa.insert(identity_t),
                    {"customer_id": customer_id, "kind": kind, "address": address},
                )
        except IntegrityError:
            # Another process created it between our read and our write: theirs stands.
            found = await self._find(kind, address)
            if found is None:
                raise
            return found
        return customer_id

    async def calls(self, conversation_id: ConversationId) -> list[Call]:
        query = (
            sa.select(call_t)
            .where(call_t.c.conversation_id == conversation_id)
            .order_by(call_t.c.created_at)
        )
        async with self._db.read() as conn:
            return [to_call(row) for row in (await conn.execute(query)).all()]

    async def call(self, sid: str) -> Call | None:
        async with self._db.read() as conn:
            row = (await conn.execute(sa.select(call_t).where(call_t.c.sid == sid))).first()
        return to_call(row) if row else None

    async def _find(self, kind: str, address: str) -> CustomerId | None:
        query = sa.select(identity_t.c.customer_id).where(
            identity_t.c.kind == kind, identity_t.c.address == address
        )
        async with self._db.read() as conn:
            found = await conn.scalar(query)
        return CustomerId(found) if found else None
