"""Customers found by a verified identity (a phone number, an email address mail came from),
on any channel."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from hub.ids import CustomerId, new_id
from storage.database import Database
from storage.mapping import customer_t
from storage.queries import identity_t


class SqlCustomers:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def identify(self, kind: str, address: str, display_name: str) -> CustomerId:
        found = await self.identify_many(kind, {address: display_name})
        return found[_normal(kind, address)]

    async def identify_many(self, kind: str, names: Mapping[str, str]) -> dict[str, CustomerId]:
        """One read and at most one write for the whole batch, instead of a transaction per
        address; keys of the answer are the addresses as stored (emails lowercased)."""
        wanted = {_normal(kind, a): n for a, n in names.items()}
        for attempt in range(2):
            try:
                return await self._identify(kind, wanted)
            except IntegrityError:
                if attempt:  # another process kept creating the same customers
                    raise
        raise AssertionError("unreachable")

    async def add_identity(self, customer_id: CustomerId, kind: str, address: str) -> CustomerId:
        address = _normal(kind, address)
        async with self._db.write() as conn:
            held = await _holders(conn, kind, {address})
            if address in held:
                return held[address]
            # Their own unverified claim of it (typed into the chat widget) becomes verified.
            claimed = await conn.execute(
                sa.update(identity_t)
                .where(
                    identity_t.c.customer_id == customer_id,
                    identity_t.c.kind == kind,
                    identity_t.c.address == address,
                )
                .values(verified=True)
            )
            if claimed.rowcount:
                return customer_id
            row = {"customer_id": customer_id, "kind": kind, "address": address}
            await conn.execute(sa.insert(identity_t), [row])
        return customer_id

    async def _identify(self, kind: str, wanted: dict[str, str]) -> dict[str, CustomerId]:
        async with self._db.read() as conn:
            found = await _holders(conn, kind, set(wanted))
        missing = {a: n for a, n in wanted.items() if a not in found}
        if not missing:
            return found
        async with self._db.write() as conn:
            # Made by another process since our read: theirs stands.
            found |= await _holders(conn, kind, set(missing))
            made = {a: CustomerId(new_id()) for a in missing if a not in found}
            if made:
                now = datetime.now(UTC)
                await conn.execute(
                    sa.insert(customer_t),
                    [
                        {
                            "id": c,
                            "display_name": missing[a],
                            "email": a if kind == "email" else None,
                            "created_at": now,
                        }
                        for a, c in made.items()
                    ],
                )
                await conn.execute(
                    sa.insert(identity_t),
                    [{"customer_id": c, "kind": kind, "address": a} for a, c in made.items()],
                )
        return found | made


async def _holders(conn: AsyncConnection, kind: str, addresses: set[str]) -> dict[str, CustomerId]:
    if not addresses:
        return {}
    # Verified identities only: an address someone typed in the chat widget is no one's.
    query = sa.select(identity_t.c.address, identity_t.c.customer_id).where(
        identity_t.c.kind == kind,
        identity_t.c.address.in_(addresses),
        identity_t.c.verified.is_(True),
    )
    rows = await conn.execute(query)
    return {row.address: CustomerId(row.customer_id) for row in rows}


def _normal(kind: str, address: str) -> str:
    return address.strip().lower() if kind == "email" else address
