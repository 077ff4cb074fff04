"""outbox, calls, and the message/conversation fields SMS, voice and email need

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.tables

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC = storage.tables.UTCDateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("customer_identity") as table:
        table.add_column(sa.Column("opted_out_at", UTC, nullable=True))
    with op.batch_alter_table("conversation") as table:
        table.add_column(sa.Column("contact", sa.String(), nullable=True))
        table.add_column(sa.Column("via", sa.String(), nullable=True))
        table.add_column(sa.Column("linked_to", sa.String(), nullable=True))
    with op.batch_alter_table("message") as table:
        table.add_column(sa.Column("delivery_error", sa.String(), nullable=True))
        table.add_column(sa.Column("external_id", sa.String(), nullable=True))
        table.add_column(sa.Column("attachments", sa.JSON(), nullable=False, server_default="[]"))
        table.add_column(sa.Column("meta", sa.JSON(), nullable=False, server_default="{}"))
        table.create_index("ix_message_channel_external_id", ["channel", "external_id"])
    with op.batch_alter_table("agent") as table:
        table.add_column(sa.Column("voice_target", sa.String(), nullable=True))
    _create_outbox()
    _create_call()


def _create_outbox() -> None:
    op.create_table(
        "outbox",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("idempotency_key", sa.String(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("message_id", sa.String(), nullable=True),
        sa.Column("conversation_id", sa.String(), nullable=True),
        sa.Column("customer_id", sa.String(), nullable=True),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", UTC, nullable=False),
        sa.Column("claimed_until", UTC, nullable=True),
        sa.Column("last_error", sa.String(), nullable=True),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("updated_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(["message_id"], ["message.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("idempotency_key"),
    )
    op.create_index("ix_outbox_state_due", "outbox", ["state", "next_attempt_at"])


def _create_call() -> None:
    op.create_table(
        "call",
        sa.Column("sid", sa.String(), nullable=False),
        sa.Column("conversation_id", sa.String(), nullable=False),
        sa.Column("customer_id", sa.String(), nullable=False),
        sa.Column("from_number", sa.String(), nullable=False),
        sa.Column("to_number", sa.String(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("agent_id", sa.String(), nullable=True),
        sa.Column("answered_at", UTC, nullable=True),
        sa.Column("ended_at", UTC, nullable=True),
        sa.Column("duration_seconds", sa.Integer(), nullable=True),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("updated_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(["agent_id"], ["agent.id"]),
        sa.ForeignKeyConstraint(["conversation_id"], ["conversation.id"]),
        sa.ForeignKeyConstraint(["customer_id"], ["customer.id"]),
        sa.PrimaryKeyConstraint("sid"),
    )
    op.create_index("ix_call_conversation_id", "call", ["conversation_id"])


def downgrade() -> None:
    op.drop_index("ix_call_conversation_id", table_name="call")
    op.drop_table("call")
    op.drop_index("ix_outbox_state_due", table_name="outbox")
    op.drop_table("outbox")
    with op.batch_alter_table("agent") as table:
        table.drop_column("voice_target")
    with op.batch_alter_table("message") as table:
        table.drop_index("ix_message_channel_external_id")
        for column in ("meta", "attachments", "external_id", "delivery_error"):
            table.drop_column(column)
    with op.batch_alter_table("conversation") as table:
        for column in ("linked_to", "via", "contact"):
            table.drop_column(column)
    with op.batch_alter_table("customer_identity") as table:
        table.drop_column("opted_out_at")
