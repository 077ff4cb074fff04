"""Stopping the background tasks components run (feed readers, pollers, relays, pumps)."""

from __future__ import annotations

import asyncio
from typing import Any


async def stop(task: asyncio.Task[Any] | None) -> None:
    """Cancel `task` (None: it never started) and wait until it has finished. Its own
    cancellation is swallowed; a cancellation of the caller while it waits is not."""
    if task is None:
        return
    task.cancel()
    try:
        await task
    except asyncio.CancelledError:
        current = asyncio.current_task()
        if current is not None and current.cancelling():
            raise
