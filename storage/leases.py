"""Named leases in the database, so one router at a time owns assignment across processes.

Each lease has an epoch, the fencing token of its holder's term: it grows by one whenever a
holder other than the last one takes it (after expiry or a release), and a renewal keeps it.
Writes that carry an epoch (the router's offers) are refused once it is not the current one
(`lease_epoch`, read inside their own transaction)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from storage.database import Database
from storage.tables import LeaseRow

lease_t = LeaseRow.__table__  # type: ignore[attr-defined]
# A released lease keeps its row (and so its epoch) with nobody holding it.
NOBODY = ""


class SqlLeases:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def acquire(self, name: str, holder: str, ttl_seconds: float) -> int | None:
        now = datetime.now(UTC)
        expires = now + timedelta(seconds=ttl_seconds)
        try:
            async with self._db.write() as conn:
                renewed = await conn.execute(
                    sa.update(lease_t)
                    .where(lease_t.c.name == name, lease_t.c.holder == holder)
                    .values(expires_at=expires)
                    .returning(lease_t.c.epoch)
                )
                epoch: int | None = renewed.scalar()
                if epoch is not None:
                    return epoch
                taken = await conn.execute(
                    sa.update(lease_t)
                    .where(lease_t.c.name == name, lease_t.c.expires_at < now)
                    .values(holder=holder, expires_at=expires, epoch=lease_t.c.epoch + 1)
                    .returning(lease_t.c.epoch)
                )
                epoch = taken.scalar()
                if epoch is not None:
                    return epoch
                exists = await conn.scalar(sa.select(lease_t.c.name).where(lease_t.c.name == name))
                if exists is not None:
                    return None  # another holder's lease runs
                await conn.execute(
                    sa.insert(lease_t),
                    {"name": name, "holder": holder, "expires_at": expires, "epoch": 1},
                )
                return 1
        except IntegrityError:
            return None

    async def release(self, name: str, holder: str) -> None:
        """Give the lease up at once; its row stays, so the next holder's epoch is higher."""
        async with self._db.write() as conn:
            await conn.execute(
                sa.update(lease_t)
                .where(lease_t.c.name == name, lease_t.c.holder == holder)
                .values(holder=NOBODY, expires_at=datetime.now(UTC) - timedelta(seconds=1))
            )


def lease_epoch(conn: sa.Connection, name: str) -> int | None:
    """The lease's current epoch, inside a write transaction (None if never taken)."""
    epoch: int | None = conn.scalar(sa.select(lease_t.c.epoch).where(lease_t.c.name == name))
    return epoch
