"""a lease's epoch, to fence a deposed router's writes

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02

`lease.epoch` grows by one each time a new holder takes the lease (a renewal keeps it).
Offer writes carry the router's epoch and are refused once it is not the current one, so a
router that lost its lease mid-pass cannot decide anything after its successor took over.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("lease") as table:
        table.add_column(sa.Column("epoch", sa.Integer(), nullable=False, server_default="1"))


def downgrade() -> None:
    with op.batch_alter_table("lease") as table:
        table.drop_column("epoch")
