"""Named leases in the database, so one router at a time owns assignment across processes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from storage.database import Database
from storage.tables import LeaseRow

lease_t = LeaseRow.__table__  # type: ignore[attr-defined]


class SqlLeases:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def acquire(self, name: str, holder: str, ttl_seconds: float) -> bool:
        now = datetime.now(UTC)
        expires = now + timedelta(seconds=ttl_seconds)
        try:
            async with self._db.write() as conn:
                taken = await conn.execute(
                    sa.update(lease_t)
                    .where(
                        lease_t.c.name == name,
                        sa.or_(lease_t.c.holder == holder, lease_t.c.expires_at < now),
                    )
                    .values(holder=holder, expires_at=expires)
                )
                if taken.rowcount:
                    return True
                exists = await conn.scalar(
                    sa.select(lease_t.c.holder).where(lease_t.c.name == name)
                )
                if exists is not None:
                    return False
                await conn.execute(
                    sa.insert(lease_t), {"name": name, "holder": holder, "expires_at": expires}
                )
                return True
        except IntegrityError:
            return False

    async def release(self, name: str, holder: str) -> None:
        async with self._db.write() as conn:
            await conn.execute(
                sa.delete(lease_t).where(lease_t.c.name == name, lease_t.c.holder == holder)
            )
