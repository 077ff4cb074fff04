"""web chat identities: visitor tokens hashed

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-08

- A `webchat` identity's address was the visitor token itself, the customer's only
  credential, readable by every agent. It becomes the token's SHA-256 (hex), which is what
  storage/visitors.py looks up, so every widget's stored token keeps resuming its customer.
  There is no downgrade of the hashes: a hash cannot be turned back into its token (a
  downgraded hub would issue fresh tokens to returning visitors).
"""

import hashlib
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_identity = sa.table(
    "customer_identity",
    sa.column("id", sa.Integer()),
    sa.column("kind", sa.String()),
    sa.column("address", sa.String()),
)


def upgrade() -> None:
    conn = op.get_bind()
    rows = conn.execute(
        sa.select(_identity.c.id, _identity.c.address).where(_identity.c.kind == "webchat")
    ).all()
    if rows:  # one executemany, not a statement per visitor
        conn.execute(
            _identity.update()
            .where(_identity.c.id == sa.bindparam("row_id"))
            .values(address=sa.bindparam("digest")),
            [
                {"row_id": r.id, "digest": hashlib.sha256(r.address.encode()).hexdigest()}
                for r in rows
            ],
        )


def downgrade() -> None:
    return None  # hashes stay hashes (see above)
