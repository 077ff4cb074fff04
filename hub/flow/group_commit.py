"""Group commit: callers submit one item and await its result; a single worker flushes what has
gathered as one batch, at most `max_delay` after the first item or as soon as `max_rows` are
waiting. While a batch commits, the next one gathers, so throughput grows with load.

`flush` returns the results and, optionally, a follow-up that runs after every caller has been
answered: that is where events are published, so acknowledgements never trail them. A flush
that fails (the database up but refusing something) is retried in halves, so one bad item
fails alone and the rest of its batch commits."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Generic, TypeVar

from hub.errors import StorageUnavailable
from hub.flow.tasks import stop

T = TypeVar("T")
R = TypeVar("R")
AfterCommit = Callable[[], Awaitable[None]]
Flushed = tuple[Sequence[R], AfterCommit | None]
log = logging.getLogger(__name__)


class GroupCommitter(Generic[T, R]):
    def __init__(
        self,
        flush: Callable[[Sequence[T]], Awaitable[Flushed[R]]],
        *,
        max_rows: int,
        max_delay: float,
    ) -> None:
        self._flush = flush
        self._max_rows = max_rows
        self._max_delay = max_delay
        self._pending: list[tuple[T, asyncio.Future[R]]] = []
        self._flushing: list[tuple[T, asyncio.Future[R]]] = []
        self._wakeup = asyncio.Event()
        self._worker: asyncio.Task[None] | None = None

    async def __aenter__(self) -> GroupCommitter[T, R]:
        self._worker = asyncio.create_task(self._run(), name="group-commit")
        return self

    async def __aexit__(self, *exc: object) -> None:
        await stop(self._worker)
        # Callers of the batch being flushed are released too: unanswered, they acknowledge
        # nothing, and a resend is deduplicated if that batch did commit.
        for _, future in [*self._flushing, *self._pending]:
            if not future.done():
                future.cancel()

    async def submit(self, item: T) -> R:
        """Resolves once the batch holding `item` has committed; raises if it failed."""
        future: asyncio.Future[R] = asyncio.get_running_loop().create_future()
        self._pending.append((item, future))
        self._wakeup.set()
        return await future

    async def _run(self) -> None:
        while True:
            await self._wakeup.wait()
            deadline = asyncio.get_running_loop().time() + self._max_delay
            while len(self._pending) < self._max_rows:
                remaining = deadline - asyncio.get_running_loop().time()
                if remaining <= 0:
                    break
                self._wakeup.clear()
                with contextlib.suppress(TimeoutError):
                    # asyncio.timeout, not wait_for: on 3.11 wait_for can swallow a cancel
                    # that lands as the wait completes, and this loop would never stop.
                    async with asyncio.timeout(remaining):
                        await self._wakeup.wait()
            batch = self._pending[: self._max_rows]
            del self._pending[: self._max_rows]
            if not self._pending:
                self._wakeup.clear()
            self._flushing = batch
            await self._flush_batch(batch)
            self._flushing = []

    async def _flush_batch(self, batch: list[tuple[T, asyncio.Future[R]]]) -> None:
        live = [(item, future) for item, future in batch if not future.cancelled()]
        if live:
            await self._commit(live)

    async def _commit(self, live: list[tuple[T, asyncio.Future[R]]]) -> None:
        try:
            results, after_commit = await self._flush([item for item, _ in live])
        except StorageUnavailable as exc:
            # The database is away: every item would fail alike, so none is retried here.
            log.warning("group commit of %d items failed: %s", len(live), exc)
            _fail(live, exc)
            return
        except Exception as exc:
            if len(live) == 1:
                log.warning("an item the database refused failed alone: %r", exc)
                _fail(live, exc)
                return
            # One item the database refuses must not fail the others: commit the halves
            # apart, in order, until the failing one stands alone (2·log2(n) extra
            # transactions for one bad item; none at all while every item is good).
            log.warning("group commit of %d items failed (%r); retrying in halves", len(live), exc)
            middle = len(live) // 2
            await self._commit(live[:middle])
            await self._commit(live[middle:])
            return
        for (_, future), result in zip(live, results, strict=True):
            if not future.done():
                future.set_result(result)
        if after_commit is not None:
            await asyncio.sleep(0)  # let the answered callers send their acknowledgements
            try:
                await after_commit()
            except Exception:
                log.exception("publishing after commit failed; consumers resync from the log")


def _fail(live: Sequence[tuple[object, asyncio.Future[Any]]], exc: Exception) -> None:
    for _, future in live:
        if not future.done():
            future.set_exception(exc)
