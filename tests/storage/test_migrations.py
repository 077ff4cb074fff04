"""The Alembic migrations build exactly the schema the tables declare, on both databases."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy.ext.asyncio import create_async_engine
from sqlmodel import SQLModel

import storage.tables  # noqa: F401  (registers the tables)
from storage.migrate import current_revision, head_revision, upgrade


async def test_migrations_match_the_tables(database_url: str) -> None:
    engine = create_async_engine(database_url)
    try:
        await upgrade(engine)
        assert await current_revision(engine) == head_revision()
        async with engine.connect() as conn:
            drift = await conn.run_sync(
                lambda sync: compare_metadata(MigrationContext.configure(sync), SQLModel.metadata)
            )
        assert drift == []
        await upgrade(engine)  # a second upgrade is a no-op
    finally:
        await engine.dispose()
