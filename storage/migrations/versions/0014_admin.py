"""administration: disabled agents, the audit trail's actor and detail, queues in the database

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02

- `agent.disabled`: a disabled agent cannot log in and is offered nothing; the row (and so
  the history naming the agent) stays.
- `auth_audit.actor_id`, `before`, `after`: who made an admin change, and the record as it
  was and as it became.
- `queue`: the queues, seeded from config.toml's [[queues]] at the first start that finds
  the table empty (hub/app.py), then edited through the admin API.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("agent") as table:
        table.add_column(
            sa.Column("disabled", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    with op.batch_alter_table("auth_audit") as table:
        table.add_column(sa.Column("actor_id", sa.String(), nullable=True))
        table.add_column(sa.Column("before", sa.JSON(), nullable=True))
        table.add_column(sa.Column("after", sa.JSON(), nullable=True))
    op.create_index("ix_auth_audit_actor_id", "auth_audit", ["actor_id"])
    op.create_table(
        "queue",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("channels", sa.JSON(), nullable=False),
        sa.Column("skills", sa.JSON(), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("service_level_seconds", sa.Integer(), nullable=False),
        sa.Column("policy", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )


def downgrade() -> None:
    op.drop_table("queue")
    op.drop_index("ix_auth_audit_actor_id", "auth_audit")
    with op.batch_alter_table("auth_audit") as table:
        table.drop_column("after")
        table.drop_column("before")
        table.drop_column("actor_id")
    with op.batch_alter_table("agent") as table:
        table.drop_column("disabled")
