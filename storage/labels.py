"""Labels inside a write transaction (hub/ports/transaction.py `LabelWrites`)."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

from hub.ids import ConversationId
from hub.models import Label
from storage.listing import conversation_label_t, label_t


class SqlLabelWrites:
    def __init__(self, conn: sa.Connection) -> None:
        self._conn = conn

    def get(self, name: str) -> Label | None:
        row = self._conn.execute(sa.select(label_t).where(label_t.c.name == name)).first()
        return Label(name=row.name, color=row.color, description=row.description) if row else None

    def add(self, label: Label) -> None:
        self._conn.execute(sa.insert(label_t), label.model_dump())

    def update(self, label: Label) -> None:
        self._conn.execute(
            sa.update(label_t)
            .where(label_t.c.name == label.name)
            .values(color=label.color, description=label.description)
        )

    def delete(self, name: str) -> list[ConversationId]:
        on = conversation_label_t.c
        carrying = self._conn.scalars(sa.select(on.conversation_id).where(on.label == name))
        conversations = [ConversationId(c) for c in carrying]
        # Explicit, not left to ON DELETE CASCADE: SQLite honours it only with foreign keys on.
        self._conn.execute(sa.delete(conversation_label_t).where(on.label == name))
        self._conn.execute(sa.delete(label_t).where(label_t.c.name == name))
        return conversations

    def existing(self, names: Sequence[str]) -> set[str]:
        query = sa.select(label_t.c.name).where(label_t.c.name.in_(list(names)))
        return set(self._conn.scalars(query))

    def of(self, conversation_id: ConversationId) -> tuple[str, ...]:
        on = conversation_label_t.c
        query = sa.select(on.label).where(on.conversation_id == conversation_id).order_by(on.label)
        return tuple(self._conn.scalars(query))

    def set_for(self, conversation_id: ConversationId, names: Sequence[str]) -> None:
        on = conversation_label_t.c
        self._conn.execute(
            sa.delete(conversation_label_t).where(on.conversation_id == conversation_id)
        )
        if names:
            rows = [{"conversation_id": conversation_id, "label": name} for name in set(names)]
            self._conn.execute(sa.insert(conversation_label_t), rows)
