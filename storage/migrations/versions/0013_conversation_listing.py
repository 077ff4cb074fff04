"""conversation listing: last activity, snoozes, labels

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02

`conversation.last_activity_at` orders the REST listing (newest activity first) and is its
keyset cursor with the id; it is backfilled from the conversation's latest message, else its
creation. `conversation.snoozed_until`: when a snoozed conversation wakes. `labels` and
`conversation_labels`: the tags agents put on conversations (deleting a label removes it from
every conversation).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.tables

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    utc = storage.tables.UTCDateTime(timezone=True)
    with op.batch_alter_table("conversation") as table:
        table.add_column(sa.Column("snoozed_until", utc, nullable=True))
        table.add_column(sa.Column("last_activity_at", utc, nullable=True))
    op.execute(
        "UPDATE conversation SET last_activity_at = COALESCE("
        "(SELECT MAX(message.created_at) FROM message"
        " WHERE message.conversation_id = conversation.id), conversation.created_at)"
    )
    with op.batch_alter_table("conversation") as table:
        table.alter_column("last_activity_at", existing_type=utc, nullable=False)
        table.create_index("ix_conversation_activity", ["last_activity_at", "id"])
    op.create_table(
        "labels",
        sa.Column("name", sa.String(length=64), primary_key=True),
        sa.Column("color", sa.String(length=32), nullable=False),
        sa.Column("description", sa.String(), nullable=False),
    )
    op.create_table(
        "conversation_labels",
        sa.Column(
            "conversation_id", sa.String(), sa.ForeignKey("conversation.id"), primary_key=True
        ),
        sa.Column(
            "label",
            sa.String(length=64),
            sa.ForeignKey("labels.name", ondelete="CASCADE"),
            primary_key=True,
        ),
    )
    op.create_index("ix_conversation_labels_label", "conversation_labels", ["label"])


def downgrade() -> None:
    op.drop_index("ix_conversation_labels_label", "conversation_labels")
    op.drop_table("conversation_labels")
    op.drop_table("labels")
    with op.batch_alter_table("conversation") as table:
        table.drop_index("ix_conversation_activity")
        table.drop_column("last_activity_at")
        table.drop_column("snoozed_until")
