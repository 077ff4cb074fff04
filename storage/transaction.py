"""The unit of work: a batch of actions in one serialized write transaction, each inside its
own savepoint, with the events they emitted written to the event log and timeline just before
the commit. The whole batch is synchronous Core code run by Database.write_batch: on SQLite
in one hop to the writer thread."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from hub.events import Envelope, Event, OfferOutcome
from hub.ids import AgentId, ConversationId, CustomerId, MessageId, OfferId
from hub.models import (
    Agent,
    Call,
    Channel,
    Conversation,
    DeliveryStatus,
    Identity,
    Message,
    Offer,
    Presence,
)
from hub.outbox.items import OutboxItem, OutboxState
from hub.ports import Action, Failed
from storage import calls, outbox
from storage.database import Database
from storage.eventlog import Emitted, write_events
from storage.mapping import (
    CONVERSATION_SELECT,
    MESSAGE_SELECT,
    agent_t,
    conversation_t,
    conversation_values,
    message_t,
    message_values,
    offer_t,
    to_agent,
    to_conversation,
    to_message,
    to_offer,
)
from storage.queries import identity_t
from storage.tables import UTCDateTime


class SqlTransaction:
    def __init__(self, conn: sa.Connection) -> None:
        self._conn = conn
        self.emitted: list[Emitted] = []

    def conversation(self, conversation_id: ConversationId) -> Conversation | None:
        row = self._conn.execute(
            CONVERSATION_SELECT.where(conversation_t.c.id == conversation_id)
        ).first()
        return to_conversation(row) if row else None

    def agent(self, agent_id: AgentId) -> Agent | None:
        row = self._conn.execute(sa.select(agent_t).where(agent_t.c.id == agent_id)).first()
        return to_agent(row) if row else None

    def offer(self, offer_id: OfferId) -> Offer | None:
        row = self._conn.execute(sa.select(offer_t).where(offer_t.c.id == offer_id)).first()
        return to_offer(row) if row else None

    def pending_offer_for(self, conversation_id: ConversationId) -> Offer | None:
        query = sa.select(offer_t).where(
            offer_t.c.conversation_id == conversation_id, offer_t.c.state == "pending"
        )
        row = self._conn.execute(query).first()
        return to_offer(row) if row else None

    def message_by_dedupe_key(self, key: str) -> Message | None:
        row = self._conn.execute(MESSAGE_SELECT.where(message_t.c.dedupe_key == key)).first()
        return to_message(row) if row else None

    def latest_customer_text(self, conversation_id: ConversationId) -> str | None:
        query = (
            sa.select(message_t.c.body_text)
            .where(message_t.c.conversation_id == conversation_id, message_t.c.author == "customer")
            .order_by(message_t.c.created_at.desc(), message_t.c.id.desc())
            .limit(1)
        )
        text: str | None = self._conn.scalar(query)
        return text

    def add_message(self, message: Message, customer_id: CustomerId, key: str) -> None:
        self._conn.execute(sa.insert(message_t), message_values(message, customer_id, key))

    def add_offer(self, offer: Offer) -> None:
        self._conn.execute(sa.insert(offer_t), offer.model_dump())

    def close_offer(
        self, offer_id: OfferId, outcome: OfferOutcome, reason: str, at: datetime
    ) -> bool:
        result = self._conn.execute(
            sa.update(offer_t)
            .where(offer_t.c.id == offer_id, offer_t.c.state == "pending")
            .values(state=outcome, reason=reason, decided_at=at)
        )
        return bool(result.rowcount)

    def save_conversation(self, conversation: Conversation) -> None:
        values = conversation_values(conversation)
        if conversation.assignee_id is not None:
            # first_assigned_at feeds the service level; only the first assignment counts.
            now = sa.bindparam("now", datetime.now(UTC), type_=UTCDateTime)
            values["first_assigned_at"] = sa.func.coalesce(conversation_t.c.first_assigned_at, now)
        self._conn.execute(
            sa.update(conversation_t).where(conversation_t.c.id == conversation.id).values(values)
        )

    def set_presence(self, agent_id: AgentId, status: Presence) -> None:
        self._conn.execute(
            sa.update(agent_t)
            .where(agent_t.c.id == agent_id)
            .values(status=status, status_changed_at=datetime.now(UTC))
        )

    def emit(self, event: Event, audience: AgentId | None = None) -> None:
        self.emitted.append((event, audience))

    def message(self, message_id: MessageId) -> Message | None:
        row = self._conn.execute(MESSAGE_SELECT.where(message_t.c.id == message_id)).first()
        return to_message(row) if row else None

    def message_by_external_id(self, channel: Channel, external_id: str) -> Message | None:
        query = MESSAGE_SELECT.where(
            message_t.c.channel == channel, message_t.c.external_id == external_id
        )
        row = self._conn.execute(query.limit(1)).first()
        return to_message(row) if row else None

    def set_delivery(
        self,
        message_id: MessageId,
        status: DeliveryStatus,
        error: str | None = None,
        external_id: str | None = None,
    ) -> None:
        outbox.set_delivery(self._conn, message_t, message_id, status, error, external_id)

    def add_outbox(self, item: OutboxItem) -> bool:
        return outbox.add_outbox(self._conn, item)

    def claim_outbox(
        self, kinds: Sequence[str], now: datetime, limit: int, lease_until: datetime
    ) -> list[OutboxItem]:
        return outbox.claim_outbox(self._conn, kinds, now, limit, lease_until)

    def interrupted_outbox(self, now: datetime) -> list[OutboxItem]:
        return outbox.interrupted_outbox(self._conn, now)

    def settle_outbox(
        self,
        item_id: str,
        state: OutboxState,
        next_attempt_at: datetime | None = None,
        last_error: str | None = None,
    ) -> None:
        outbox.settle_outbox(self._conn, item_id, state, next_attempt_at, last_error)

    def open_conversation(self, customer_id: CustomerId, channel: Channel) -> Conversation | None:
        query = (
            CONVERSATION_SELECT.where(
                conversation_t.c.customer_id == customer_id,
                conversation_t.c.channel == channel,
                conversation_t.c.status != "resolved",
            )
            .order_by(conversation_t.c.created_at.desc())
            .limit(1)
        )
        row = self._conn.execute(query).first()
        return to_conversation(row) if row else None

    def identity(self, kind: str, address: str) -> tuple[CustomerId, Identity] | None:
        row = self._conn.execute(
            sa.select(identity_t).where(identity_t.c.kind == kind, identity_t.c.address == address)
        ).first()
        if row is None:
            return None
        identity = Identity(kind=row.kind, address=row.address, opted_out_at=row.opted_out_at)
        return CustomerId(row.customer_id), identity

    def set_opt_out(self, kind: str, address: str, at: datetime | None) -> None:
        self._conn.execute(
            sa.update(identity_t)
            .where(identity_t.c.kind == kind, identity_t.c.address == address)
            .values(opted_out_at=at)
        )

    def call(self, sid: str) -> Call | None:
        return calls.load_call(self._conn, sid)

    def save_call(self, call: Call) -> None:
        calls.save_call(self._conn, call)


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
