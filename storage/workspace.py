"""Canned responses and saved views: small tables, plain reads and writes."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from hub.errors import Conflict
from hub.ids import AgentId, new_id
from hub.records import CannedResponse, SavedView
from storage.database import Database
from storage.tables import CannedResponseRow, SavedViewRow

canned_t = CannedResponseRow.__table__  # type: ignore[attr-defined]
view_t = SavedViewRow.__table__  # type: ignore[attr-defined]


class SqlCannedResponses:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def list(self, prefix: str | None = None) -> list[CannedResponse]:
        query = sa.select(canned_t).order_by(canned_t.c.short_code)
        if prefix:
            # Short codes are compared lowercased; LIKE's own characters are escaped.
            escaped = prefix.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            query = query.where(
                sa.func.lower(canned_t.c.short_code).like(escaped + "%", escape="\\")
            )
        async with self._db.read() as conn:
            return [_canned(row) for row in (await conn.execute(query)).all()]

    async def get(self, response_id: str) -> CannedResponse | None:
        async with self._db.read() as conn:
            row = (
                await conn.execute(sa.select(canned_t).where(canned_t.c.id == response_id))
            ).first()
        return _canned(row) if row else None

    async def add(self, short_code: str, title: str | None, text: str) -> CannedResponse:
        now = datetime.now(UTC)
        row = {"id": new_id(), "short_code": short_code, "title": title, "text": text,
               "created_at": now, "updated_at": now}  # fmt: skip
        await self._write(sa.insert(canned_t).values(row), short_code)
        return CannedResponse(**row)

    async def update(self, response_id: str, changes: Mapping[str, Any]) -> CannedResponse | None:
        values = {k: v for k, v in changes.items() if k in ("short_code", "title", "text")}
        statement = (
            sa.update(canned_t)
            .where(canned_t.c.id == response_id)
            .values(**values, updated_at=datetime.now(UTC))
        )
        await self._write(statement, str(values.get("short_code", "")))
        return await self.get(response_id)

    async def delete(self, response_id: str) -> bool:
        async with self._db.write() as conn:
            result = await conn.execute(sa.delete(canned_t).where(canned_t.c.id == response_id))
        return bool(result.rowcount)

    async def _write(self, statement: sa.Executable, short_code: str) -> None:
        try:
            async with self._db.write() as conn:
                await conn.execute(statement)
        except IntegrityError:
            raise Conflict(f"the short code {short_code!r} is taken") from None


class SqlSavedViews:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def visible_to(self, agent_id: AgentId) -> list[SavedView]:
        query = (
            sa.select(view_t)
            .where(sa.or_(view_t.c.owner_id == agent_id, view_t.c.shared.is_(True)))
            .order_by(view_t.c.name, view_t.c.id)
        )
        async with self._db.read() as conn:
            return [_view(row) for row in (await conn.execute(query)).all()]

    async def get(self, view_id: str) -> SavedView | None:
        async with self._db.read() as conn:
            row = (await conn.execute(sa.select(view_t).where(view_t.c.id == view_id))).first()
        return _view(row) if row else None

    async def add(
        self, owner_id: AgentId, name: str, shared: bool, filters: Mapping[str, Any]
    ) -> SavedView:
        now = datetime.now(UTC)
        row = {"id": new_id(), "name": name, "owner_id": owner_id, "shared": shared,
               "filters": dict(filters), "created_at": now, "updated_at": now}  # fmt: skip
        async with self._db.write() as conn:
            await conn.execute(sa.insert(view_t).values(row))
        return SavedView(**row)

    async def update(self, view_id: str, changes: Mapping[str, Any]) -> SavedView | None:
        values = {k: v for k, v in changes.items() if k in ("name", "shared", "filters")}
        async with self._db.write() as conn:
            await conn.execute(
                sa.update(view_t)
                .where(view_t.c.id == view_id)
                .values(**values, updated_at=datetime.now(UTC))
            )
        return await self.get(view_id)

    async def delete(self, view_id: str) -> bool:
        async with self._db.write() as conn:
            result = await conn.execute(sa.delete(view_t).where(view_t.c.id == view_id))
        return bool(result.rowcount)


def _canned(row: Any) -> CannedResponse:
    return CannedResponse(
        id=row.id,
        short_code=row.short_code,
        title=row.title,
        text=row.text,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def _view(row: Any) -> SavedView:
    return SavedView(
        id=row.id,
        name=row.name,
        owner_id=AgentId(row.owner_id),
        shared=row.shared,
        filters=row.filters or {},
        created_at=row.created_at,
        updated_at=row.updated_at,
    )
