"""The group committer batches what gathers, answers each caller, and releases everyone on
shutdown, including callers whose batch was being written."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import pytest

from hub.errors import StorageUnavailable
from hub.flow.group_commit import Flushed, GroupCommitter


async def test_items_gathered_together_share_one_flush() -> None:
    batches: list[list[int]] = []

    async def flush(items: Sequence[int]) -> Flushed[int]:
        batches.append(list(items))
        return [item * 10 for item in items], None

    async with GroupCommitter(flush, max_rows=100, max_delay=0.05) as committer:
        results = await asyncio.gather(*(committer.submit(n) for n in range(5)))
    assert results == [0, 10, 20, 30, 40] and batches == [[0, 1, 2, 3, 4]]


async def test_shutdown_releases_callers_of_the_batch_in_flight() -> None:
    started = asyncio.Event()

    async def slow_flush(items: Sequence[int]) -> Flushed[int]:
        started.set()
        await asyncio.sleep(3600)  # a write that will not finish before shutdown
        return list(items), None

    committer = GroupCommitter(slow_flush, max_rows=10, max_delay=0.0)
    await committer.__aenter__()
    caller = asyncio.create_task(committer.submit(1))
    await started.wait()
    await committer.__aexit__(None, None, None)
    with pytest.raises(asyncio.CancelledError):
        async with asyncio.timeout(1):
            await caller


async def test_one_item_the_database_refuses_fails_alone() -> None:
    """A flush that fails because of one item is retried in halves: the 29 good items of a
    batch of 30 are committed (in order), the bad one gets the error."""
    flushed: list[list[int]] = []

    async def flush(items: Sequence[int]) -> Flushed[int]:
        if 13 in items:
            raise ValueError("refused: item 13")
        flushed.append(list(items))
        return list(items), None

    async with GroupCommitter(flush, max_rows=100, max_delay=0.05) as committer:
        outcomes = await asyncio.gather(
            *(committer.submit(n) for n in range(30)), return_exceptions=True
        )
    assert [o for o in outcomes if isinstance(o, Exception)] == [outcomes[13]]
    assert str(outcomes[13]) == "refused: item 13"
    assert [o for o in outcomes if not isinstance(o, Exception)] == [
        n for n in range(30) if n != 13
    ]
    assert [n for batch in flushed for n in batch] == [n for n in range(30) if n != 13]
    assert len(flushed) <= 10  # halving, not one transaction per item


async def test_an_unreachable_database_fails_the_batch_without_retries() -> None:
    calls = 0

    async def flush(items: Sequence[int]) -> Flushed[int]:
        nonlocal calls
        calls += 1
        raise StorageUnavailable("write", "connection refused")

    async with GroupCommitter(flush, max_rows=100, max_delay=0.05) as committer:
        outcomes = await asyncio.gather(
            *(committer.submit(n) for n in range(8)), return_exceptions=True
        )
    assert all(isinstance(o, StorageUnavailable) for o in outcomes) and calls == 1
    assert "connection refused" not in outcomes[0].message  # what a client is told
