"""The unit of work: a batch of actions in one serialized write transaction, each inside its
own savepoint, with the events they emitted written to the event log and timeline just before
the commit. The whole batch is synchronous Core code run by Database.write_batch: on SQLite
in one hop to the writer thread."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from hub.events import Envelope, Event
from hub.ids import AgentId
from hub.ports import Action, Emitted, Failed
from storage.admin_facets import SqlAuditWrites, SqlQueueWrites
from storage.agent_writes import SqlAgentWrites
from storage.database import Database
from storage.eventlog import write_events
from storage.facets import (
    SqlCallWrites,
    SqlConversationWrites,
    SqlIdentityWrites,
    SqlInboundWrites,
    SqlLeaseReads,
    SqlMessageWrites,
    SqlOfferWrites,
    SqlOutboxWrites,
)
from storage.labels import SqlLabelWrites
from storage.merges import SqlCustomerWrites


class SqlTransaction:
    """hub.ports.Transaction: its facets over one connection, and the events emitted so far."""

    def __init__(self, conn: sa.Connection) -> None:
        self.conversations = SqlConversationWrites(conn)
        self.messages = SqlMessageWrites(conn)
        self.offers = SqlOfferWrites(conn)
        self.outbox = SqlOutboxWrites(conn)
        self.inbound = SqlInboundWrites(conn, self.emit)
        self.calls = SqlCallWrites(conn)
        self.identities = SqlIdentityWrites(conn)
        self.agents = SqlAgentWrites(conn)
        self.leases = SqlLeaseReads(conn)
        self.customers = SqlCustomerWrites(conn)
        self.labels = SqlLabelWrites(conn)
        self.audit = SqlAuditWrites(conn)
        self.queues = SqlQueueWrites(conn)
        self.emitted: list[Emitted] = []

    def emit(
        self, event: Event, audience: AgentId | None = None, at: datetime | None = None
    ) -> None:
        self.emitted.append((event, audience, at))


class SqlUnitOfWork:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def run_batch(
        self, actions: Sequence[Action]
    ) -> tuple[list[Any | Failed], list[Envelope]]:
        return await self._db.write_batch(lambda conn: _run(conn, actions))


def _run(conn: sa.Connection, actions: Sequence[Action]) -> tuple[list[Any], list[Envelope]]:
    tx = SqlTransaction(conn)
    outcomes: list[Any] = []
    for action in actions:
        mark = len(tx.emitted)
        try:
            with conn.begin_nested():
                outcomes.append(action(tx))
        except Exception as exc:  # rolled back to the savepoint: this action alone
            del tx.emitted[mark:]
            outcomes.append(Failed(exc))
    return outcomes, write_events(conn, tx.emitted)
