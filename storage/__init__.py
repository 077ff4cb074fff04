"""Persistence: SQLModel tables, engines, migrations and the repositories behind hub.ports."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import sqlalchemy as sa

from hub.ports import Store
from storage.admin_facets import SqlQueueStore
from storage.agents import SqlAgentDirectory
from storage.calls import SqlCalls
from storage.connections import SqlConnections
from storage.customers import SqlCustomers
from storage.database import Database
from storage.email import SqlEmailStore
from storage.eventlog import SqlEventLog
from storage.ingest import SqlInboundWriter
from storage.leases import SqlLeases
from storage.listing import SqlConversationListing
from storage.migrate import require_current, upgrade
from storage.profiles import SqlCustomerProfiles
from storage.queries import SqlConversationReader
from storage.search import SqlSearch
from storage.tables import InstallationRow
from storage.transaction import SqlUnitOfWork
from storage.visitors import SqlVisitors
from storage.workspace import SqlCannedResponses, SqlSavedViews


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
            installation_id=await _installation_id(db),
            work=SqlUnitOfWork(db),
            inbound=SqlInboundWriter(db),
            reader=reader,
            visitors=SqlVisitors(db, reader),
            customers=SqlCustomers(db),
            calls=SqlCalls(db),
            email=SqlEmailStore(db),
            agents=SqlAgentDirectory(db),
            events=SqlEventLog(db),
            leases=SqlLeases(db),
            connections=SqlConnections(db),
            search=SqlSearch(db),
            profiles=SqlCustomerProfiles(db),
            canned=SqlCannedResponses(db),
            views=SqlSavedViews(db),
            listing=SqlConversationListing(db),
            queues=SqlQueueStore(db),
        )
    finally:
        await db.dispose()


async def _installation_id(db: Database) -> str:
    async with db.read() as conn:
        found = await conn.scalar(sa.select(InstallationRow.__table__.c.id))  # type: ignore[attr-defined]
    return str(found)
