"""Engines and sessions. Write transactions are serialized: in process by one lock, on SQLite
by writer connections that open with BEGIN IMMEDIATE (an async one for small writes, a stdlib
one on the writer thread for batches), on PostgreSQL by a transaction-scoped advisory lock.
Serializing writes is what keeps event ids in commit order, so a console resuming from id N
never skips a lower id that committed later."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine

from hub.errors import StorageUnavailable

T = TypeVar("T")
EVENT_ORDER_LOCK = 0x636F6E74  # any constant shared by every hub process on one database


class Database:
    def __init__(self, url: str) -> None:
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        self._thread: ThreadPoolExecutor | None = None
        if self.is_sqlite:
            _ensure_sqlite_dir(url)
            self.writer = create_async_engine(url, pool_size=1, max_overflow=0)
            self.reader = create_async_engine(url)
            # Batch writes run whole on one thread with the stdlib driver: one hop per
            # transaction instead of one per statement, however busy the event loop is.
            sync_url = make_url(url).set(drivername="sqlite")
            self._batch_engine = sa.create_engine(sync_url, pool_size=1, max_overflow=0)
            self._thread = ThreadPoolExecutor(1, thread_name_prefix="sqlite-writer")
            for sync_engine in (self.writer.sync_engine, self.reader.sync_engine):
                event.listen(sync_engine, "connect", _sqlite_pragmas)
            event.listen(self._batch_engine, "connect", _sqlite_pragmas)
            event.listen(self.writer.sync_engine, "begin", _begin_immediate)
            event.listen(self._batch_engine, "begin", _begin_immediate)
        else:
            self.writer = create_async_engine(url, pool_size=10, pool_pre_ping=True)
            self.reader = self.writer
        # One in-process writer at a time; the database-level lock covers other processes.
        self._write_lock = asyncio.Lock()

    @asynccontextmanager
    async def write(self) -> AsyncIterator[AsyncConnection]:
        async with self._write_lock:
            try:
                async with self.writer.begin() as conn:
                    if not self.is_sqlite:
                        await _lock_event_order(conn)
                    yield conn
            except (OperationalError, InterfaceError, OSError) as exc:
                raise StorageUnavailable("write", str(exc)) from exc

    async def write_batch(self, work: Callable[[sa.Connection], T]) -> T:
        """Run `work`, plain synchronous Core code, as one write transaction: on SQLite in
        one hop to the writer thread, on PostgreSQL over the async connection."""
        async with self._write_lock:
            try:
                if self._thread is not None:
                    loop = asyncio.get_running_loop()
                    return await loop.run_in_executor(self._thread, self._run_batch, work)
                async with self.writer.begin() as conn:
                    await _lock_event_order(conn)
                    return await conn.run_sync(work)
            except (OperationalError, InterfaceError, OSError) as exc:
                raise StorageUnavailable("write", str(exc)) from exc

    def _run_batch(self, work: Callable[[sa.Connection], T]) -> T:
        with self._batch_engine.begin() as conn:
            return work(conn)

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncConnection]:
        try:
            async with self.reader.connect() as conn:
                yield conn
        except (OperationalError, InterfaceError, OSError) as exc:
            raise StorageUnavailable("read", str(exc)) from exc

    async def dispose(self) -> None:
        if self._thread is not None:
            await asyncio.get_running_loop().run_in_executor(
                self._thread, self._batch_engine.dispose
            )
            self._thread.shutdown()
        await self.writer.dispose()
        if self.reader is not self.writer:
            await self.reader.dispose()


async def _lock_event_order(conn: AsyncConnection) -> None:
    # Held to commit: the next writer of any process allocates event ids only after this one
    # is visible, so ids follow commit order.
    await conn.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": EVENT_ORDER_LOCK})


def _ensure_sqlite_dir(url: str) -> None:
    """The database file is the hub's alone: its directory is made 0700 and the file 0600
    (SQLite gives its -wal and -shm files the database file's mode)."""
    path = make_url(url).database
    if not path or path == ":memory:" or path.startswith("file:"):
        return
    file = Path(path)
    file.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.close(os.open(file, os.O_RDWR | os.O_CREAT, 0o600))
    if file.stat().st_mode & 0o077:
        file.chmod(0o600)


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    # Let SQLAlchemy's "begin" hook emit BEGIN itself (the driver's implicit BEGIN is deferred).
    dbapi_conn.isolation_level = None
    cursor = dbapi_conn.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def _begin_immediate(conn: sa.Connection) -> None:
    # A deferred transaction that reads then writes fails at once with SQLITE_BUSY if another
    # process wrote in between; IMMEDIATE takes the write lock up front and waits for it.
    conn.exec_driver_sql("BEGIN IMMEDIATE")
