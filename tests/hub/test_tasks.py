"""Stopping a background task: it is cancelled and awaited, and a cancellation of whoever
stops it is passed on rather than swallowed with the task's own."""

from __future__ import annotations

import asyncio

import pytest

from hub.flow.tasks import stop


async def test_stop_cancels_and_waits_and_accepts_none() -> None:
    cleaned = asyncio.Event()

    async def worker() -> None:
        try:
            await asyncio.sleep(3600)
        finally:
            cleaned.set()

    task = asyncio.create_task(worker())
    await asyncio.sleep(0)
    await stop(task)
    assert task.cancelled() and cleaned.is_set()
    await stop(None)


async def test_a_cancelled_caller_stays_cancelled() -> None:
    async def stubborn() -> None:
        try:
            await asyncio.sleep(3600)
        except asyncio.CancelledError:
            await asyncio.sleep(0.2)  # takes a moment to wind down
            raise

    inner = asyncio.create_task(stubborn())
    await asyncio.sleep(0)
    outer = asyncio.create_task(stop(inner))
    await asyncio.sleep(0.05)
    outer.cancel()  # the caller is cancelled while it waits
    with pytest.raises(asyncio.CancelledError):
        await outer
    await asyncio.sleep(0.3)
    assert inner.done()
