"""versioned event log, its retention mark, typed outbox payloads

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01

- `event_log.schema_version`: rows so far are version 1 (offers and assignments embedded
  whole conversation snapshots); hub.events.read_event upgrades them when read.
- `event_log_retention`: the highest id pruned, so a resume from below it reloads.
- outbox payloads move to their typed shape (hub/outbox/items.py): the kind inside the
  payload, our address as `sender`, SMS media as `media_urls`; the fields a kind does not
  take are dropped. Rows of an unknown kind are left as they are (the relay fails them).
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_KEEP = {
    "sms": ("to", "sender", "text", "media_urls"),
    "email": ("to", "sender", "subject", "text", "agent_name", "attachments", "auto_reply"),
    "call_redirect": ("call_sid", "url"),
}


def typed(kind: str, payload: dict[str, Any]) -> dict[str, Any]:
    """The version-1 payload of `kind` in its typed shape."""
    if kind not in _KEEP:
        return payload
    raw = dict(payload)
    if "from" in raw:
        raw.setdefault("sender", raw.pop("from"))
    if kind == "sms" and "media_urls" not in raw:
        raw["media_urls"] = [a["url"] for a in raw.get("attachments") or () if a.get("url")]
    shaped = {key: raw[key] for key in _KEEP[kind] if key in raw}
    return {"kind": kind, **shaped}


def upgrade() -> None:
    with op.batch_alter_table("event_log") as table:
        table.add_column(
            sa.Column("schema_version", sa.Integer(), nullable=False, server_default="1")
        )
    op.create_table(
        "event_log_retention",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pruned_through", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.execute("INSERT INTO event_log_retention (id, pruned_through) VALUES (1, 0)")
    _reshape(op.get_bind(), typed)


def untyped(kind: str, payload: dict[str, Any]) -> dict[str, Any]:
    """The typed payload of `kind` in its version-1 shape, for a hub downgraded past this."""
    if kind not in _KEEP:
        return payload
    raw = {key: value for key, value in payload.items() if key != "kind"}
    if "sender" in raw:
        raw["from"] = raw.pop("sender")
    if kind == "sms":
        urls = raw.pop("media_urls", None) or ()
        raw["attachments"] = [{"name": u.rsplit("/", 1)[-1], "url": u} for u in urls]
    return raw


def _reshape(conn: sa.Connection, shape: Any) -> None:
    outbox = sa.table(
        "outbox",
        sa.column("id", sa.String()),
        sa.column("kind", sa.String()),
        sa.column("payload", sa.JSON()),
    )
    for row in conn.execute(sa.select(outbox.c.id, outbox.c.kind, outbox.c.payload)).all():
        conn.execute(
            outbox.update()
            .where(outbox.c.id == row.id)
            .values(payload=shape(row.kind, row.payload or {}))
        )


def downgrade() -> None:
    _reshape(op.get_bind(), untyped)
    op.drop_table("event_log_retention")
    with op.batch_alter_table("event_log") as table:
        table.drop_column("schema_version")
