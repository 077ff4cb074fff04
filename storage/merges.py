"""The `tx.customers` facet: customer edits, and merges recorded so exactly that they undo.
A merge moves the merged customer's identities (a web chat visitor's token hash with them, so
the widget resumes the survivor) and conversations, and with the conversations their
messages, calls, outbox rows and timeline entries. Identity uniqueness: the survivor may
already hold the same address (an unverified claim, say); then the merged customer's row is
absorbed into the survivor's (a verified row makes the claim verified) and both rows'
values are recorded, so an unmerge puts them back as they were."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from hub.errors import NotFound
from hub.ids import AgentId, CustomerId, new_id
from hub.records import CustomerFields, CustomerMerge
from storage.eventlog import timeline_t
from storage.mapping import conversation_t, customer_t, message_t
from storage.outbox import outbox_t
from storage.profiles import merge_t, to_merge
from storage.queries import identity_t
from storage.tables import CallRow

call_t = CallRow.__table__  # type: ignore[attr-defined]
# Tables whose rows follow their conversation's customer.
_FOLLOW_CONVERSATION = (message_t, call_t, outbox_t)


class SqlCustomerWrites:
    def __init__(self, conn: sa.Connection) -> None:
        self._conn = conn

    def fields(self, customer_id: CustomerId) -> CustomerFields | None:
        row = self._conn.execute(
            sa.select(customer_t).where(customer_t.c.id == customer_id)
        ).first()
        if row is None:
            return None
        return CustomerFields(
            id=CustomerId(row.id),
            display_name=row.display_name,
            attributes=row.attributes or {},
            labels=tuple(row.labels or ()),
            merged_into=CustomerId(row.merged_into) if row.merged_into else None,
        )

    def update(self, customer_id: CustomerId, changes: Mapping[str, Any]) -> None:
        values = {k: v for k, v in changes.items() if k in ("display_name", "attributes", "labels")}
        if "labels" in values:
            values["labels"] = list(values["labels"])
        if values:
            self._conn.execute(
                sa.update(customer_t).where(customer_t.c.id == customer_id).values(values)
            )

    def merge(
        self,
        survivor: CustomerFields,
        merged: CustomerFields,
        result: CustomerFields,
        by: AgentId | None,
        at: datetime,
    ) -> CustomerMerge:
        emails = self._emails(survivor.id, merged.id)
        moved: dict[str, Any] = {
            "before": {
                "survivor": _snapshot(survivor, emails[survivor.id]),
                "merged": _snapshot(merged, emails[merged.id]),
            },
            **self._move_identities(survivor.id, merged.id),
            **self._move_conversations(survivor.id, merged.id),
        }
        self._conn.execute(
            sa.update(customer_t)
            .where(customer_t.c.id == survivor.id)
            .values(
                attributes=result.attributes,
                labels=list(result.labels),
                email=emails[survivor.id] or emails[merged.id],
            )
        )
        self._conn.execute(
            sa.update(customer_t)
            .where(customer_t.c.id == merged.id)
            .values(merged_into=survivor.id, merged_at=at)
        )
        row = {
            "id": new_id(),
            "survivor_id": survivor.id,
            "merged_id": merged.id,
            "moved": moved,
            "by_agent_id": by,
            "at": at,
        }
        self._conn.execute(sa.insert(merge_t), row)
        return to_merge(_Obj(row | {"undone_at": None}))

    def merge_of(self, merge_id: str) -> CustomerMerge | None:
        row = self._conn.execute(sa.select(merge_t).where(merge_t.c.id == merge_id)).first()
        return to_merge(row) if row else None

    def latest_merge(self, survivor_id: CustomerId) -> CustomerMerge | None:
        row = self._conn.execute(
            sa.select(merge_t)
            .where(merge_t.c.survivor_id == survivor_id, merge_t.c.undone_at.is_(None))
            .order_by(merge_t.c.at.desc(), merge_t.c.id.desc())
            .limit(1)
        ).first()
        return to_merge(row) if row else None

    def unmerge(self, merge_id: str, at: datetime) -> None:
        row = self._conn.execute(sa.select(merge_t).where(merge_t.c.id == merge_id)).first()
        if row is None:
            raise NotFound("merge", merge_id)
        moved, survivor, merged = row.moved, row.survivor_id, row.merged_id
        self._restore_identities(merged, moved)
        conversations = moved["conversations"]
        if conversations:
            self._conn.execute(
                sa.update(conversation_t)
                .where(conversation_t.c.id.in_(conversations))
                .values(customer_id=merged)
            )
            self._follow(conversations, merged)
            self._conn.execute(
                sa.update(timeline_t)
                .where(timeline_t.c.conversation_id.in_(conversations))
                .values(customer_id=merged)
            )
        for customer_id, key in ((survivor, "survivor"), (merged, "merged")):
            before = moved["before"][key]
            self._conn.execute(
                sa.update(customer_t)
                .where(customer_t.c.id == customer_id)
                .values(
                    attributes=before["attributes"],
                    labels=before["labels"],
                    email=before["email"],
                    merged_into=None,
                    merged_at=None,
                )
            )
        self._conn.execute(sa.update(merge_t).where(merge_t.c.id == merge_id).values(undone_at=at))

    def _emails(self, *ids: CustomerId) -> dict[str, str | None]:
        rows = self._conn.execute(
            sa.select(customer_t.c.id, customer_t.c.email).where(customer_t.c.id.in_(ids))
        )
        return {row.id: row.email for row in rows}

    def _move_identities(self, survivor: CustomerId, merged: CustomerId) -> dict[str, Any]:
        rows = self._conn.execute(
            sa.select(identity_t).where(identity_t.c.customer_id.in_((survivor, merged)))
        ).all()
        held = {(r.kind, r.address): r for r in rows if r.customer_id == survivor}
        moving = [r.id for r in rows if r.customer_id == merged and (r.kind, r.address) not in held]
        absorbed = [
            {"row": _identity(r), "into": held[(r.kind, r.address)].id,
             "before": _identity(held[(r.kind, r.address)])}
            for r in rows
            if r.customer_id == merged and (r.kind, r.address) in held
        ]  # fmt: skip
        if moving:
            self._conn.execute(
                sa.update(identity_t)
                .where(identity_t.c.id.in_(moving))
                .values(customer_id=survivor)
            )
        for entry in absorbed:
            self._conn.execute(sa.delete(identity_t).where(identity_t.c.id == entry["row"]["id"]))
            if entry["row"]["verified"] and not entry["before"]["verified"]:
                self._set_identity(entry["into"], entry["row"])
        return {"identities": moving, "absorbed": absorbed}

    def _restore_identities(self, merged: str, moved: Mapping[str, Any]) -> None:
        if moved["identities"]:
            self._conn.execute(
                sa.update(identity_t)
                .where(identity_t.c.id.in_(moved["identities"]))
                .values(customer_id=merged)
            )
        for entry in moved["absorbed"]:
            self._set_identity(entry["into"], entry["before"])
            row = entry["row"]
            self._conn.execute(
                sa.insert(identity_t),
                {**row, "customer_id": merged, "opted_out_at": _when(row["opted_out_at"])},
            )

    def _set_identity(self, identity_id: int, values: Mapping[str, Any]) -> None:
        self._conn.execute(
            sa.update(identity_t)
            .where(identity_t.c.id == identity_id)
            .values(verified=values["verified"], opted_out_at=_when(values["opted_out_at"]))
        )

    def _move_conversations(self, survivor: CustomerId, merged: CustomerId) -> dict[str, Any]:
        conversations = list(
            self._conn.scalars(
                sa.select(conversation_t.c.id)
                .where(conversation_t.c.customer_id == merged)
                .order_by(conversation_t.c.id)
            )
        )
        if conversations:
            self._conn.execute(
                sa.update(conversation_t)
                .where(conversation_t.c.id.in_(conversations))
                .values(customer_id=survivor)
            )
            self._follow(conversations, survivor)
            self._conn.execute(
                sa.update(timeline_t)
                .where(
                    timeline_t.c.customer_id == merged,
                    timeline_t.c.conversation_id.in_(conversations),
                )
                .values(customer_id=survivor)
            )
        return {"conversations": conversations}

    def _follow(self, conversations: list[str], customer_id: str) -> None:
        for table in _FOLLOW_CONVERSATION:
            self._conn.execute(
                sa.update(table)
                .where(table.c.conversation_id.in_(conversations))
                .values(customer_id=customer_id)
            )


class _Obj:
    """A mapping read by attribute, as a row is (the merge record just written)."""

    def __init__(self, values: Mapping[str, Any]) -> None:
        self.__dict__.update(values)


def _snapshot(fields: CustomerFields, email: str | None) -> dict[str, Any]:
    return {"attributes": fields.attributes, "labels": list(fields.labels), "email": email}


def _identity(row: Any) -> dict[str, Any]:
    return {
        "id": row.id,
        "kind": row.kind,
        "address": row.address,
        "verified": row.verified,
        "opted_out_at": row.opted_out_at.isoformat() if row.opted_out_at else None,
    }


def _when(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None
