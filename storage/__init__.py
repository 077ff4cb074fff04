"""Persistence: SQLModel tables, engines, migrations and the repositories behind hub.ports."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from hub.ports import Store
from storage.agents import SqlAgentDirectory
from storage.database import Database
from storage.eventlog import SqlEventLog
from storage.ingest import SqlInboundWriter
from storage.leases import SqlLeases
from storage.migrate import require_current, upgrade
from storage.queries import SqlConversationReader
from storage.transaction import SqlUnitOfWork
from storage.visitors import SqlVisitors


@asynccontextmanager
async def open_store(url: str, *, migrate: bool | None = None) -> AsyncIterator[Store]:
    """Open the database at `url`. An embedded SQLite database is upgraded in place; any other
    must already be at the current schema (`contacthub db upgrade`) unless `migrate` is set."""
    db = Database(url)
    try:
        if migrate if migrate is not None else db.is_sqlite:
            await upgrade(db.writer)
        else:
            await require_current(db.writer)
        reader = SqlConversationReader(db)
        yield Store(
            work=SqlUnitOfWork(db),
            inbound=SqlInboundWriter(db),
            reader=reader,
            visitors=SqlVisitors(db, reader),
            agents=SqlAgentDirectory(db),
            events=SqlEventLog(db),
            leases=SqlLeases(db),
        )
    finally:
        await db.dispose()
