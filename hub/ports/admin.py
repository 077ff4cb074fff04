"""What administration needs of storage: inside a write transaction, the audit trail and the
queues (the agents' admin writes are on `AgentWrites`); outside one, the queues as the
QueueDirectory loads them and the seed from config.toml."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from hub.models import AuditRecord
from hub.settings.sections import QueueSettings


class AuditWrites(Protocol):
    def record(self, entry: AuditRecord) -> None:
        """Append an entry, in the transaction of the change it describes."""
        ...


class QueueWrites(Protocol):
    def all(self) -> list[QueueSettings]:
        """Every queue, in their order (a channel without a queue of its own enters the
        first one that lists it)."""
        ...

    def get(self, name: str) -> QueueSettings | None: ...

    def add(self, queue: QueueSettings) -> None:
        """A new queue, listed last; Conflict if the name is taken."""
        ...

    def save(self, queue: QueueSettings) -> None:
        """Replace the queue of that name, keeping its place in the order."""
        ...

    def delete(self, name: str) -> None: ...

    def unresolved_in(self, name: str) -> int:
        """How many conversations in this queue are not resolved."""
        ...


class QueueStore(Protocol):
    """The queues outside a write transaction."""

    async def queues(self) -> list[QueueSettings]:
        """Every queue, in their order."""
        ...

    async def seed(self, queues: Sequence[QueueSettings]) -> bool:
        """Store `queues` if the table is empty (the first start); False, storing nothing,
        when it holds any queue, so what admins changed since wins over config.toml."""
        ...
