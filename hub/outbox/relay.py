"""The outbox relay: claims due sends, hands each to its channel's sender, and records
the outcome. Transient failures come back with jittered exponential backoff; permanent ones
and exhausted retries mark the message failed. A send cut off by a crash is never repeated:
it is marked failed as "delivery unknown" for the agent to decide, because resending could
reach the customer twice."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from hub.errors import PermanentSendError, StorageUnavailable, TransientSendError
from hub.flow.publishing import PublishingWork
from hub.flow.tasks import stop
from hub.models import DeliveryStatus
from hub.outbox.items import OutboxItem, OutboxRef, OutboxState, Payload, SenderFor, Sent
from hub.ports import Transaction
from hub.services.delivery import record_delivery
from hub.settings import OutboxSettings

log = logging.getLogger(__name__)
CLAIM_BATCH = 64
OUTCOME_TRIES = 5
P = TypeVar("P", bound=Payload)
INTERRUPTED = "interrupted mid-send: delivery unknown, not resent so it cannot arrive twice"


class OutboxRelay:
    def __init__(self, work: PublishingWork, settings: OutboxSettings) -> None:
        self._work = work
        self._settings = settings
        self._senders: dict[str, SenderFor[Any]] = {}
        self._wakeup = asyncio.Event()
        self._slots = asyncio.Semaphore(settings.concurrency)
        self._sending: set[asyncio.Task[None]] = set()
        self._loop: asyncio.Task[None] | None = None

    def register(self, entry: SenderFor[P]) -> None:
        """Items of the entry's payload kind go to its sender, typed as that payload."""
        self._senders[entry.kind] = entry

    def handles(self, kind: str) -> bool:
        return kind in self._senders

    def wake(self) -> None:
        """Something was queued: look now rather than at the next poll."""
        self._wakeup.set()

    async def __aenter__(self) -> OutboxRelay:
        self._loop = asyncio.create_task(self._run(), name="outbox-relay")
        return self

    async def __aexit__(self, *exc: object) -> None:
        await stop(self._loop)
        # Sends in flight finish (each is bounded by the send timeout) so nothing is left
        # "sending" by a clean shutdown.
        if self._sending:
            await asyncio.gather(*self._sending, return_exceptions=True)

    async def _run(self) -> None:
        while True:
            try:
                while await self._claim_and_send():
                    pass
            except StorageUnavailable:
                log.warning("outbox: storage unavailable; trying again", exc_info=True)
            except Exception:
                log.exception("outbox relay pass failed")
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self._settings.poll_seconds):
                    await self._wakeup.wait()
            self._wakeup.clear()

    async def _claim_and_send(self) -> bool:
        """Claim what is due, up to the free sending slots; True if a full batch came back."""
        if not self._senders:
            return False
        free = self._settings.concurrency - len(self._sending)
        if free <= 0:
            return False
        now = datetime.now(UTC)
        lease = now + timedelta(seconds=self._settings.send_timeout_seconds * 2 + 30)
        kinds = sorted(self._senders)
        limit = min(free, CLAIM_BATCH)

        def claim(tx: Transaction) -> tuple[int, list[OutboxItem], int]:
            # One write per pass: settle sends a crash cut off, then claim what is due, and
            # fail the rows whose payload does not read (they would never send).
            interrupted = _settle_interrupted(tx, now)
            claimed = tx.outbox.claim(kinds, now, limit, lease)
            for ref, reason in claimed.refused:
                log.error("outbox: %s refused: %s", ref.item_id, reason)
                _fail(tx, ref, reason)
            return interrupted, claimed.items, len(claimed.refused)

        interrupted, items, refused = await self._work.run(claim)
        if interrupted:
            log.warning("outbox: %d sends were interrupted by a crash; marked failed", interrupted)
        for item in items:
            task = asyncio.create_task(self._send(item), name=f"outbox-{item.id}")
            self._sending.add(task)
            task.add_done_callback(self._finished)
        return len(items) + refused == limit  # a full batch: more may be due

    def _finished(self, task: asyncio.Task[None]) -> None:
        self._sending.discard(task)
        self._wakeup.set()  # a slot is free

    async def _send(self, item: OutboxItem) -> None:
        entry = self._senders[item.kind]
        try:
            async with asyncio.timeout(self._settings.send_timeout_seconds):
                sent = await entry.sender.send(item, item.payload)
        except TransientSendError as exc:
            await self._transient(item, exc.message, exc.retry_after)
        except PermanentSendError as exc:
            await self._outcome(item, "failed", "failed", exc.message, exc.provider_code)
        except TimeoutError:
            # The provider may have taken it without answering: resending could duplicate.
            await self._outcome(
                item,
                "failed",
                "failed",
                "no answer from the provider in "
                f"{self._settings.send_timeout_seconds:g} s: delivery unknown",
            )
        except Exception as exc:
            log.exception("outbox: %s sender crashed on %s", item.kind, item.id)
            await self._transient(item, f"sender error: {exc}", None)
        else:
            await self._sent(item, sent)

    async def _transient(self, item: OutboxItem, reason: str, retry_after: float | None) -> None:
        if item.attempts >= self._settings.max_attempts:
            reason = f"gave up after {item.attempts} attempts: {reason}"
            await self._outcome(item, "failed", "failed", reason)
            return
        delay = max(self.backoff(item.attempts), retry_after or 0.0)
        at = datetime.now(UTC) + timedelta(seconds=delay)
        log.info(
            "outbox: %s attempt %d failed (%s); retry in %.1f s",
            item.id,
            item.attempts,
            reason,
            delay,
        )
        await self._outcome(item, "pending", "queued", f"retrying: {reason}", next_at=at)

    def backoff(self, attempts: int) -> float:
        """Exponential, capped, with "equal jitter": half fixed, half random, so a provider
        outage does not bring every queued send back in the same instant."""
        ceiling = min(
            self._settings.backoff_max_seconds,
            self._settings.backoff_base_seconds * 2.0 ** max(attempts - 1, 0),
        )
        return ceiling / 2 + random.uniform(0, ceiling / 2)

    async def _sent(self, item: OutboxItem, sent: Sent) -> None:
        await self._outcome(item, "sent", sent.status, None, external_id=sent.provider_id)

    async def _outcome(
        self,
        item: OutboxItem,
        state: OutboxState,
        status: DeliveryStatus,
        error: str | None,
        error_code: str | None = None,
        *,
        next_at: datetime | None = None,
        external_id: str | None = None,
    ) -> None:
        def act(tx: Transaction) -> None:
            tx.outbox.settle(item.id, state, next_at, error)
            message = tx.messages.get(item.message_id) if item.message_id else None
            if message is not None:
                record_delivery(
                    tx,
                    message,
                    status,
                    error=error,
                    error_code=error_code,
                    external_id=external_id,
                    attempts=item.attempts,
                )

        if state == "failed":
            log.warning("outbox: %s %s failed: %s", item.kind, item.id, error)
        for attempt in range(OUTCOME_TRIES):
            try:
                await self._work.run(act)
                return
            except StorageUnavailable:
                # Losing this write would leave a delivered send looking interrupted.
                log.warning("outbox: could not record %s's outcome yet", item.id)
                await asyncio.sleep(2**attempt)
        log.error("outbox: the outcome of %s was not recorded: %s", item.id, state)


def _settle_interrupted(tx: Transaction, now: datetime) -> int:
    """Fail the sends whose lease ran out mid-send: their outcome is unknown, and sending
    again could reach the customer twice."""
    interrupted = tx.outbox.interrupted(now)
    for ref in interrupted:
        _fail(tx, ref, INTERRUPTED)
    return len(interrupted)


def _fail(tx: Transaction, ref: OutboxRef, reason: str) -> None:
    tx.outbox.settle(ref.item_id, "failed", None, reason)
    message = tx.messages.get(ref.message_id) if ref.message_id else None
    if message is not None:
        record_delivery(tx, message, "failed", error=reason, attempts=ref.attempts)
