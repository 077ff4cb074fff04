"""session token versions, login lockouts, the security audit trail

Revision ID: 0008
Revises: 0007
Create Date: 2027-01-10

- `agent.token_version`: in every session token; logout and a password change bump it, so
  every token issued before is refused. Tokens of the earlier format (without a version)
  no longer verify: everyone logs in again once.
- `login_lockout`: wrong passwords per email and the lockout they led to.
- `auth_audit`: lockouts, password changes and logouts, for admins to read.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.tables

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("agent") as table:
        table.add_column(
            sa.Column("token_version", sa.Integer(), nullable=False, server_default="0")
        )
    op.create_table(
        "login_lockout",
        sa.Column("email", sa.String(), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("lockouts", sa.Integer(), nullable=False),
        sa.Column("locked_until", storage.tables.UTCDateTime(timezone=True), nullable=True),
        sa.Column("updated_at", storage.tables.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("email"),
    )
    op.create_index("ix_login_lockout_updated_at", "login_lockout", ["updated_at"])
    op.create_table(
        "auth_audit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", storage.tables.UTCDateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("agent_id", sa.String(), nullable=True),
        sa.Column("email", sa.String(), nullable=True),
        sa.Column("address", sa.String(), nullable=True),
        sa.Column("detail", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_auth_audit_at", "auth_audit", ["at"])


def downgrade() -> None:
    op.drop_index("ix_auth_audit_at", "auth_audit")
    op.drop_table("auth_audit")
    op.drop_index("ix_login_lockout_updated_at", "login_lockout")
    op.drop_table("login_lockout")
    with op.batch_alter_table("agent") as table:
        table.drop_column("token_version")
