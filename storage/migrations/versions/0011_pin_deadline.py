"""how long a supervisor's reassignment waits for its agent

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02

`conversation.pinned_until`: a conversation a supervisor reassigned waits for that agent
until then (or until they let one offer of it go), then goes back to its queue. Null with a
`target_agent_id` is an agent's own transfer, which waits for the colleague until accepted.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.tables

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("conversation") as table:
        table.add_column(
            sa.Column("pinned_until", storage.tables.UTCDateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("conversation") as table:
        table.drop_column("pinned_until")
