"""Every state change goes through here: actions submitted at about the same time share one
write transaction (group commit, like inbound messages), each in its own savepoint, and their
events are published only once it has committed (the `send_event_on_commit` rule)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from hub.flow.bus import Bus
from hub.flow.group_commit import Flushed, GroupCommitter
from hub.ports import Action, Failed, Transaction, UnitOfWork

R = TypeVar("R")
MAX_ACTIONS = 256


class PublishingWork:
    def __init__(self, work: UnitOfWork, bus: Bus) -> None:
        self._work = work
        self._bus = bus
        # No gathering delay: a batch is whatever queued while the previous one committed,
        # so a lone action waits for nothing and a busy floor shares commits.
        self._committer: GroupCommitter[Action, Any] = GroupCommitter(
            self._flush, max_rows=MAX_ACTIONS, max_delay=0.0
        )

    async def __aenter__(self) -> PublishingWork:
        await self._committer.__aenter__()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._committer.__aexit__(*exc)

    async def run(self, action: Callable[[Transaction], R]) -> R:
        """Run `action` in a write transaction; returns once it has committed. Whatever the
        action raises is raised here, and that action's changes are rolled back."""
        outcome = await self._committer.submit(action)
        if isinstance(outcome, Failed):
            raise outcome.error
        result: R = outcome
        return result

    async def _flush(self, actions: Sequence[Action]) -> Flushed[Any]:
        outcomes, envelopes = await self._work.run_batch(actions)

        async def publish() -> None:
            await self._bus.publish(envelopes)

        return outcomes, publish
