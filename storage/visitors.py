"""Web chat visitors: a random token kept by the widget identifies the customer. The token is
the customer's only credential, so only its SHA-256 is stored (a high-entropy token needs no
slow hash) and it is looked up by that. The customer row is made with the visitor's first
message (`register`), never by a `hello`."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from hub.ids import CustomerId, new_id
from hub.models import Conversation, Visitor
from storage.database import Database
from storage.mapping import CONVERSATION_SELECT, conversation_t, customer_t, to_conversation
from storage.queries import SqlConversationReader, identity_t

WEBCHAT = "webchat"


class SqlVisitors:
    def __init__(self, db: Database, reader: SqlConversationReader) -> None:
        self._db = db
        self._reader = reader

    async def find(self, token: str) -> Visitor | None:
        async with self._db.read() as conn:
            customer_id = await _holder(conn, token)
        customer = await self._reader.customer(customer_id) if customer_id else None
        if customer is None:
            return None
        return Visitor(customer=customer, conversation=await self._latest(customer.id))

    async def register(self, token: str, name: str | None, email: str | None) -> CustomerId:
        async with self._db.read() as conn:
            found = await _holder(conn, token)
        if found is not None:
            return found
        for attempt in range(2):
            try:
                return await self._create(token, name, email)
            except IntegrityError:
                if attempt:  # another process kept creating a customer for this token
                    raise
        raise AssertionError("unreachable")

    async def update(self, customer_id: CustomerId, name: str | None, email: str | None) -> None:
        async with self._db.write() as conn:
            if name:
                await conn.execute(
                    sa.update(customer_t)
                    .where(customer_t.c.id == customer_id)
                    .values(display_name=name)
                )
            if email:
                await _claim_email(conn, customer_id, email)

    async def _create(self, token: str, name: str | None, email: str | None) -> CustomerId:
        async with self._db.write() as conn:
            # Writes are serialized: a socket of the same visitor that got here first wins.
            found = await _holder(conn, token)
            if found is not None:
                return found
            customer_id = CustomerId(new_id())
            await conn.execute(
                sa.insert(customer_t),
                {
                    "id": customer_id,
                    "display_name": name or f"Visitor {customer_id[-4:]}",
                    "created_at": datetime.now(UTC),
                },
            )
            await conn.execute(
                sa.insert(identity_t),
                {"customer_id": customer_id, "kind": WEBCHAT, "address": token_digest(token)},
            )
            if email:
                await _claim_email(conn, customer_id, email)
        return customer_id

    async def _latest(self, customer_id: CustomerId) -> Conversation | None:
        query = (
            CONVERSATION_SELECT.where(
                conversation_t.c.customer_id == customer_id, conversation_t.c.channel == WEBCHAT
            )
            .order_by(conversation_t.c.created_at.desc())
            .limit(1)
        )
        async with self._db.read() as conn:
            row = (await conn.execute(query)).first()
        return to_conversation(row) if row else None


async def _holder(conn: AsyncConnection, token: str) -> CustomerId | None:
    found = await conn.scalar(
        sa.select(identity_t.c.customer_id).where(
            identity_t.c.kind == WEBCHAT, identity_t.c.address == token_digest(token)
        )
    )
    return CustomerId(found) if found else None


def token_digest(token: str) -> str:
    """What is stored of a visitor token (migration 0008 hashed older rows the same way)."""
    return hashlib.sha256(token.encode()).hexdigest()


async def _claim_email(conn: AsyncConnection, customer_id: CustomerId, email: str) -> None:
    """Record a typed email as this visitor's unverified claim (once). Typing an address
    proves nothing: the claim never makes the visitor its owner (Customers.identify finds
    verified identities only), and agents see it marked unverified. The customer's `email`
    stays a verified address, so it is not set either."""
    address = email.strip().lower()
    held = await conn.scalar(
        sa.select(identity_t.c.id).where(
            identity_t.c.customer_id == customer_id,
            identity_t.c.kind == "email",
            identity_t.c.address == address,
        )
    )
    if held is None:
        await conn.execute(
            sa.insert(identity_t),
            {"customer_id": customer_id, "kind": "email", "address": address, "verified": False},
        )
