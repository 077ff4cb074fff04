"""Web chat visitors: a random token kept by the widget identifies the customer. The token is
the customer's only credential, so only its SHA-256 is stored (a high-entropy token needs no
slow hash) and it is looked up by that."""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime

import sqlalchemy as sa
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

    async def visitor(self, token: str | None, name: str | None, email: str | None) -> Visitor:
        customer_id = await self._known(token) if token else None
        if customer_id is None:
            token = secrets.token_urlsafe(24)
            customer_id = await self._create(token, name, email)
        elif name or email:
            await self._update(customer_id, name, email)
        customer = await self._reader.customer(customer_id)
        assert customer is not None and token is not None
        return Visitor(customer=customer, token=token, conversation=await self._latest(customer_id))

    async def _known(self, token: str) -> CustomerId | None:
        query = sa.select(identity_t.c.customer_id).where(
            identity_t.c.kind == WEBCHAT, identity_t.c.address == token_digest(token)
        )
        async with self._db.read() as conn:
            found = await conn.scalar(query)
        return CustomerId(found) if found else None

    async def _create(self, token: str, name: str | None, email: str | None) -> CustomerId:
        customer_id = CustomerId(new_id())
        async with self._db.write() as conn:
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

    async def _update(self, customer_id: CustomerId, name: str | None, email: str | None) -> None:
        async with self._db.write() as conn:
            if name:
                await conn.execute(
                    sa.update(customer_t)
                    .where(customer_t.c.id == customer_id)
                    .values(display_name=name)
                )
            if email:
                await _claim_email(conn, customer_id, email)

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
