"""web chat identities: visitor tokens hashed, typed emails unverified claims

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-08

- A `webchat` identity's address was the visitor token itself, the customer's only
  credential, readable by every agent. It becomes the token's SHA-256 (hex), which is what
  storage/visitors.py looks up, so every widget's stored token keeps resuming its customer.
- `customer_identity.verified`: false for an address nobody proved, an email typed into the
  chat widget. Only verified identities are unique per (kind, address) (a partial unique
  index), so a typed address never keeps mail from its real owner, and any number of
  visitors may claim one.
- Which existing rows were typed is knowable: email ingest has only ever created an email
  identity together with a new customer of its own (never on an existing one), and nothing
  else writes identities, so an email identity on a customer holding a `webchat` identity
  was typed in the widget. Those become claims. A visitor's `customer.email` was typed too
  (also when the address was already held by someone else, and then no identity was
  written): it becomes a claim where none exists, and the column is cleared, since it now
  holds a verified address only.
- Mail that was filed under a visitor because of such a claim stays where it is: which
  conversations those are is not recorded, and moving them would rewrite timelines. New
  mail from the address goes to its own customer from now on.

Downgrade: claims are removed (a visitor's first claim is put back in `customer.email`) and
the unique (kind, address) constraint restored; hashes stay hashes (a hash cannot be turned
back into its token: a downgraded hub issues fresh tokens to returning visitors), and an
upgrade again leaves them as they are.
"""

import hashlib
import re
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The unnamed UNIQUE (kind, address) of 0001, as each database named it.
_NAMING = {"uq": "uq_%(table_name)s_%(column_0_name)s"}
_SQLITE_UNIQUE = "uq_customer_identity_kind"
_POSTGRES_UNIQUE = "customer_identity_kind_address_key"

_DIGEST = re.compile("[0-9a-f]{64}")

_identity = sa.table(
    "customer_identity",
    sa.column("id", sa.Integer()),
    sa.column("customer_id", sa.String()),
    sa.column("kind", sa.String()),
    sa.column("address", sa.String()),
    sa.column("verified", sa.Boolean()),
)
_customer = sa.table("customer", sa.column("id", sa.String()), sa.column("email", sa.String()))
_visitors = sa.select(_identity.c.customer_id).where(_identity.c.kind == "webchat")


def upgrade() -> None:
    conn = op.get_bind()
    _hash_tokens(conn)
    verified: sa.Column[bool] = sa.Column(
        "verified", sa.Boolean(), nullable=False, server_default=sa.true()
    )
    if conn.dialect.name == "sqlite":
        with op.batch_alter_table("customer_identity", naming_convention=_NAMING) as table:
            table.add_column(verified)
            table.drop_constraint(_SQLITE_UNIQUE, type_="unique")
    else:
        op.add_column("customer_identity", verified)
        op.drop_constraint(_POSTGRES_UNIQUE, "customer_identity", type_="unique")
    op.create_index(
        "ux_identity_verified",
        "customer_identity",
        ["kind", "address"],
        unique=True,
        sqlite_where=sa.text("verified"),
        postgresql_where=sa.text("verified"),
    )
    op.create_index(
        "ux_identity_customer", "customer_identity", ["customer_id", "kind", "address"], unique=True
    )
    _typed_emails_become_claims(conn)


def _hash_tokens(conn: sa.Connection) -> None:
    rows = conn.execute(
        sa.select(_identity.c.id, _identity.c.address).where(_identity.c.kind == "webchat")
    ).all()
    # A row already a digest was hashed by an earlier run of this migration (upgraded,
    # downgraded, upgraded again); raw tokens (token_urlsafe(24)) never look like one.
    rows = [r for r in rows if not _DIGEST.fullmatch(r.address)]
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


def _typed_emails_become_claims(conn: sa.Connection) -> None:
    conn.execute(
        _identity.update()
        .where(_identity.c.kind == "email", _identity.c.customer_id.in_(_visitors))
        .values(verified=False)
    )
    held = {
        (r.customer_id, r.address)
        for r in conn.execute(
            sa.select(_identity.c.customer_id, _identity.c.address).where(
                _identity.c.kind == "email", _identity.c.customer_id.in_(_visitors)
            )
        )
    }
    typed = conn.execute(
        sa.select(_customer.c.id, _customer.c.email).where(
            _customer.c.email.is_not(None), _customer.c.id.in_(_visitors)
        )
    ).all()
    claims = {(r.id, r.email.strip().lower()) for r in typed} - held
    if claims:
        conn.execute(
            sa.insert(_identity),
            [
                {"customer_id": c, "kind": "email", "address": a, "verified": False}
                for c, a in sorted(claims)
            ],
        )
    conn.execute(_customer.update().where(_customer.c.id.in_(_visitors)).values(email=None))


def downgrade() -> None:
    conn = op.get_bind()
    claims = conn.execute(
        sa.select(_identity.c.customer_id, _identity.c.address)
        .where(_identity.c.verified.is_(False))
        .order_by(_identity.c.id.desc())
    ).all()
    first = {r.customer_id: r.address for r in claims}  # the earliest wins (ordered newest first)
    for customer_id, address in first.items():
        conn.execute(
            _customer.update()
            .where(_customer.c.id == customer_id, _customer.c.email.is_(None))
            .values(email=address)
        )
    conn.execute(_identity.delete().where(_identity.c.verified.is_(False)))
    op.drop_index("ux_identity_customer", table_name="customer_identity")
    op.drop_index("ux_identity_verified", table_name="customer_identity")
    sqlite = conn.dialect.name == "sqlite"
    with op.batch_alter_table("customer_identity") as table:
        table.drop_column("verified")
        name = _SQLITE_UNIQUE if sqlite else _POSTGRES_UNIQUE
        table.create_unique_constraint(name, ["kind", "address"])
