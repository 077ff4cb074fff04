"""Administration of queues: create, edit, delete. Each change is one write transaction with
its audit entry and a `queues_changed` event, on which every process reloads its
QueueDirectory (hub/flow/queues.py); this process reloads before answering, so the admin's
next read shows the change. A queue is not deleted while conversations are unresolved in it,
while a channel's config points at it, or when it is the last one."""

from __future__ import annotations

from collections.abc import Collection
from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import Field, ValidationError

from hub.errors import BadInput, Conflict, NotFound
from hub.events import QueuesChanged
from hub.flow.publishing import PublishingWork
from hub.flow.queues import QueueDirectory
from hub.ids import AgentId
from hub.models import AuditKind, AuditRecord, ChannelName, Record
from hub.ports import Transaction
from hub.settings.sections import QueueSettings, RoutingPolicy


class QueuePatch(Record):
    """Only the fields given change; a queue keeps its name."""

    channels: tuple[ChannelName, ...] | None = None
    skills: tuple[str, ...] | None = None
    priority: int | None = None
    service_level_seconds: int | None = Field(None, gt=0)
    policy: RoutingPolicy | None = None


class QueueAdmin:
    def __init__(
        self, work: PublishingWork, directory: QueueDirectory, pinned: Collection[str]
    ) -> None:
        self._work = work
        self._directory = directory
        self._pinned = frozenset(pinned)  # the queues this process's channels send to

    async def create(self, actor_id: AgentId, queue: QueueSettings) -> QueueSettings:
        def act(tx: Transaction) -> QueueSettings:
            tx.queues.add(queue)
            _changed(tx, "queue_created", actor_id, queue.name, after=queue)
            return queue

        return await self._done(await self._work.run(act))

    async def update(self, actor_id: AgentId, name: str, patch: QueuePatch) -> QueueSettings:
        changes = {key: getattr(patch, key) for key in patch.model_fields_set}
        for key in [k for k, v in changes.items() if v is None]:
            raise BadInput(f"{key} cannot be null", field=key)

        def act(tx: Transaction) -> QueueSettings:
            before = _get(tx, name)
            after = _merged(before, changes)
            tx.queues.save(after)
            _changed(tx, "queue_updated", actor_id, name, before=before, after=after)
            return after

        return await self._done(await self._work.run(act))

    async def delete(self, actor_id: AgentId, name: str) -> None:
        pinned = self._pinned

        def act(tx: Transaction) -> None:
            before = _get(tx, name)
            if name in pinned:
                raise Conflict(f"a channel's config sends conversations to queue {name!r}")
            waiting = tx.queues.unresolved_in(name)
            if waiting:
                raise Conflict(f"{waiting} unresolved conversations are in queue {name!r}")
            if len(tx.queues.all()) == 1:
                raise Conflict("the last queue cannot be deleted")
            tx.queues.delete(name)
            _changed(tx, "queue_deleted", actor_id, name, before=before)

        await self._work.run(act)
        await self._directory.reload()

    async def _done(self, queue: QueueSettings) -> QueueSettings:
        await self._directory.reload()
        return queue


def _get(tx: Transaction, name: str) -> QueueSettings:
    queue = tx.queues.get(name)
    if queue is None:
        raise NotFound("queue", name)
    return queue


def _merged(before: QueueSettings, changes: dict[str, Any]) -> QueueSettings:
    try:
        return QueueSettings.model_validate(before.model_dump() | changes)
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        field = ".".join(str(part) for part in first["loc"]) or None
        raise BadInput(f"{field}: {first['msg']}", field=field) from None


def _changed(
    tx: Transaction,
    kind: AuditKind,
    actor_id: AgentId,
    name: str,
    *,
    before: QueueSettings | None = None,
    after: QueueSettings | None = None,
) -> None:
    change: Literal["created", "updated", "deleted"] = (
        "created" if before is None else "deleted" if after is None else "updated"
    )
    tx.audit.record(
        AuditRecord(
            at=datetime.now(UTC),
            kind=kind,
            actor_id=actor_id,
            detail=f"queue {name}",
            before=before.model_dump(mode="json") if before else None,
            after=after.model_dump(mode="json") if after else None,
        )
    )
    tx.emit(QueuesChanged(name=name, change=change))
