"""Leadership by a database lease: run one coroutine while holding a named lease, stop it when
the lease is lost. Across processes this makes exactly one router decide assignments."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Coroutine
from typing import Any

from hub.flow.tasks import stop
from hub.ports import Leases

log = logging.getLogger(__name__)
STOP_GRACE_SECONDS = 5.0  # how long a leader that steps down may finish the call it is in


class Leadership:
    """`async with Leadership(...)` tries for the lease at once, then renews it every third of
    its ttl. While held, `lead(stop, epoch)` runs as a task, with the lease's epoch for its
    writes to carry; when the lease is lost (or on exit) `stop` is set so the task can end at
    a safe point, and it is cancelled after STOP_GRACE_SECONDS. Each term gets a fresh event,
    so a stop never leaks into the next. A task that ends by itself (its fenced write was
    refused) ends the term, and the next renewal that holds the lease starts another."""

    def __init__(
        self,
        leases: Leases,
        name: str,
        holder: str,
        ttl_seconds: float,
        *,
        lead: Callable[[asyncio.Event, int], Coroutine[Any, Any, None]],
    ) -> None:
        self._leases = leases
        self._name = name
        self._holder = holder
        self._ttl = ttl_seconds
        self._lead = lead
        self._stop = asyncio.Event()
        self._leader: asyncio.Task[None] | None = None
        self._keeper: asyncio.Task[None] | None = None
        self._renewed_at = float("-inf")
        self._epoch: int | None = None  # the running term's

    @property
    def is_leader(self) -> bool:
        return self._leader is not None and not self._leader.done()

    async def __aenter__(self) -> Leadership:
        await self._renew()
        self._keeper = asyncio.create_task(self._keep(), name=f"lease-{self._name}")
        return self

    async def __aexit__(self, *exc: object) -> None:
        await stop(self._keeper)
        await self._step_down()
        try:
            await self._leases.release(self._name, self._holder)
        except Exception:  # then it simply expires after its ttl
            log.warning("could not release the %s lease", self._name, exc_info=True)

    async def _keep(self) -> None:
        while True:
            await asyncio.sleep(self._ttl / 3)
            await self._renew()

    async def _renew(self) -> None:
        started = time.monotonic()
        try:
            epoch = await self._leases.acquire(self._name, self._holder, self._ttl)
        except Exception:
            log.warning("renewing the %s lease failed", self._name, exc_info=True)
            # Lead on only while the last lease we took surely still runs (one failed renewal
            # is tolerated), so two holders never both believe they lead.
            surely = self.is_leader and time.monotonic() - self._renewed_at < self._ttl * 2 / 3
            epoch = self._epoch if surely else None
        else:
            if epoch is not None:
                self._renewed_at = started
        if epoch is not None and self.is_leader and epoch != self._epoch:
            # Someone held it in between: what this term did is fenced off already.
            log.warning("the %s lease changed hands meanwhile; starting a new term", self._name)
            await self._step_down()
        if epoch is not None and not self.is_leader:
            await self._step_down()  # reaps a leader task that died, logging why
            log.info("%s now holds the %s lease (epoch %d)", self._holder, self._name, epoch)
            self._stop = asyncio.Event()
            self._epoch = epoch
            self._leader = asyncio.create_task(self._lead(self._stop, epoch), name=self._name)
        elif epoch is None and self._leader is not None:
            log.info("%s lost the %s lease", self._holder, self._name)
            await self._step_down()

    async def _step_down(self) -> None:
        task = self._leader
        if task is None:
            return
        self._stop.set()
        done, _ = await asyncio.wait({task}, timeout=STOP_GRACE_SECONDS)
        if not done:
            task.cancel()
            await asyncio.wait({task})
        # Forgotten only once finished: if this wait is itself cancelled, the next step-down
        # (on exit) still finds the task and waits for it.
        self._leader = None
        if not task.cancelled() and (error := task.exception()) is not None:
            log.error("the %s task failed", self._name, exc_info=error)
