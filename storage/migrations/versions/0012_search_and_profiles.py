"""full-text search, customer profiles and merges, canned responses, saved views

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02

- `search_document`: one row per message (its text, inbound and outbound; notes are events,
  not messages, and meta, HTML and attachments are never indexed), per customer (the display
  name) and per email or phone identity (the address; a phone number also gets its trailing
  digits, 4 to 15 of them, in `terms`). Web chat identities are token hashes: never indexed.
  Triggers on `message`, `customer` and `customer_identity` keep it in step inside whatever
  transaction writes them, the inbound batch's executemany included (on PostgreSQL the
  message trigger is statement-level, one set-based insert per statement).
- The engine's index over it: on SQLite the external-content FTS5 table `search_fts`
  (unicode61, diacritics kept, prefix indexes of 2 and 4 characters) with triggers on
  `search_document`; on PostgreSQL the generated column `search_vector` (`simple`
  configuration over the text with ASCII punctuation made spaces, so both databases split
  `ana@example.com` into `ana`, `example`, `com` alike) with a GIN index.
- The private-use characters U+E000 and U+E001 mark matches in snippets, and U+E002 stands
  in for `<` while PostgreSQL's `ts_headline` reads the text (its parser drops what looks
  like an HTML tag), so the three are dropped from indexed text.
- The rows already stored are indexed here.
- `customer.attributes`, `labels`, `merged_into`, `merged_at`; `customer_merge`;
  `canned_response`; `saved_view`.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.tables

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Drops U+E000, U+E001 and U+E002 (see above).
_SQLITE_CLEAN = "replace(replace(replace({}, char(57344), ''), char(57345), ''), char(57346), '')"
_SQLITE_PHONE = " || ' ' || ".join(
    f"substr(replace(new.address, '+', ''), -{n})" for n in range(4, 16)
)
_SQLITE = [
    "CREATE VIRTUAL TABLE search_fts USING fts5(body, terms, content='search_document', "
    "content_rowid='id', tokenize='unicode61 remove_diacritics 0', prefix='2 4')",
    """CREATE TRIGGER search_document_ai AFTER INSERT ON search_document BEGIN
      INSERT INTO search_fts(rowid, body, terms) VALUES (new.id, new.body, new.terms); END""",
    """CREATE TRIGGER search_document_ad AFTER DELETE ON search_document BEGIN
      INSERT INTO search_fts(search_fts, rowid, body, terms)
      VALUES ('delete', old.id, old.body, old.terms); END""",
    """CREATE TRIGGER search_document_au AFTER UPDATE OF body, terms ON search_document BEGIN
      INSERT INTO search_fts(search_fts, rowid, body, terms)
      VALUES ('delete', old.id, old.body, old.terms);
      INSERT INTO search_fts(rowid, body, terms) VALUES (new.id, new.body, new.terms); END""",
    f"""CREATE TRIGGER search_message_ai AFTER INSERT ON message BEGIN
      INSERT INTO search_document(kind, ref, customer_id, conversation_id, body, terms)
      VALUES ('message', new.id, new.customer_id, new.conversation_id,
              {_SQLITE_CLEAN.format("new.body_text")}, ''); END""",
    f"""CREATE TRIGGER search_message_text AFTER UPDATE OF body_text ON message
      WHEN old.body_text IS NOT new.body_text BEGIN
      UPDATE search_document SET body = {_SQLITE_CLEAN.format("new.body_text")}
      WHERE kind = 'message' AND ref = old.id; END""",
    """CREATE TRIGGER search_message_owner AFTER UPDATE OF customer_id, conversation_id
      ON message BEGIN
      UPDATE search_document SET customer_id = new.customer_id,
        conversation_id = new.conversation_id WHERE kind = 'message' AND ref = old.id; END""",
    """CREATE TRIGGER search_message_ad AFTER DELETE ON message BEGIN
      DELETE FROM search_document WHERE kind = 'message' AND ref = old.id; END""",
    f"""CREATE TRIGGER search_customer_ai AFTER INSERT ON customer BEGIN
      INSERT INTO search_document(kind, ref, customer_id, body, terms)
      VALUES ('customer', new.id, new.id, {_SQLITE_CLEAN.format("new.display_name")}, ''); END""",
    f"""CREATE TRIGGER search_customer_au AFTER UPDATE OF display_name ON customer
      WHEN old.display_name IS NOT new.display_name BEGIN
      UPDATE search_document SET body = {_SQLITE_CLEAN.format("new.display_name")}
      WHERE kind = 'customer' AND ref = old.id; END""",
    """CREATE TRIGGER search_customer_ad AFTER DELETE ON customer BEGIN
      DELETE FROM search_document WHERE kind = 'customer' AND ref = old.id; END""",
    f"""CREATE TRIGGER search_identity_ai AFTER INSERT ON customer_identity
      WHEN new.kind IN ('email', 'phone') BEGIN
      INSERT INTO search_document(kind, ref, customer_id, body, terms)
      VALUES ('identity', CAST(new.id AS TEXT), new.customer_id,
              {_SQLITE_CLEAN.format("new.address")},
              CASE WHEN new.kind = 'phone' THEN {_SQLITE_PHONE} ELSE '' END); END""",
    """CREATE TRIGGER search_identity_owner AFTER UPDATE OF customer_id ON customer_identity
      BEGIN UPDATE search_document SET customer_id = new.customer_id
      WHERE kind = 'identity' AND ref = CAST(old.id AS TEXT); END""",
    """CREATE TRIGGER search_identity_ad AFTER DELETE ON customer_identity BEGIN
      DELETE FROM search_document WHERE kind = 'identity' AND ref = CAST(old.id AS TEXT); END""",
]
_SQLITE_DROP = [
    *(
        f"DROP TRIGGER IF EXISTS {name}"
        for name in (
            "search_document_ai",
            "search_document_ad",
            "search_document_au",
            "search_message_ai",
            "search_message_text",
            "search_message_owner",
            "search_message_ad",
            "search_customer_ai",
            "search_customer_au",
            "search_customer_ad",
            "search_identity_ai",
            "search_identity_owner",
            "search_identity_ad",
        )
    ),
    "DROP TABLE IF EXISTS search_fts",
]

_POSTGRES = [
    # The text search engine reads `body || terms` with ASCII punctuation made spaces, so
    # PostgreSQL's parser splits addresses, hosts and numbers into the words FTS5 sees.
    """ALTER TABLE search_document ADD COLUMN search_vector tsvector GENERATED ALWAYS AS
      (to_tsvector('simple'::regconfig,
                   regexp_replace(body || ' ' || terms, '[[:punct:]]+', ' ', 'g'))) STORED""",
    "CREATE INDEX ix_search_document_vector ON search_document USING gin (search_vector)",
    """CREATE FUNCTION search_clean(t text) RETURNS text LANGUAGE sql IMMUTABLE AS
      $$ SELECT replace(replace(replace(t, chr(57344), ''), chr(57345), ''), chr(57346), '')
      $$""",
    """CREATE FUNCTION search_phone_terms(address text) RETURNS text LANGUAGE sql IMMUTABLE AS
      $$ SELECT coalesce(string_agg(right(d, n), ' ' ORDER BY n), '')
         FROM (SELECT regexp_replace(address, '[^0-9]', '', 'g') AS d) digits,
              generate_series(4, 15) AS n WHERE n <= length(d) $$""",
    """CREATE FUNCTION search_messages_added() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO search_document(kind, ref, customer_id, conversation_id, body, terms)
        SELECT 'message', id, customer_id, conversation_id, search_clean(body_text), ''
        FROM added;
        RETURN NULL;
      END $$""",
    """CREATE TRIGGER search_messages_added AFTER INSERT ON message
      REFERENCING NEW TABLE AS added FOR EACH STATEMENT
      EXECUTE FUNCTION search_messages_added()""",
    """CREATE FUNCTION search_message_changed() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'DELETE' THEN
          DELETE FROM search_document WHERE kind = 'message' AND ref = OLD.id;
        ELSIF NEW.body_text IS DISTINCT FROM OLD.body_text THEN
          UPDATE search_document SET body = search_clean(NEW.body_text),
            customer_id = NEW.customer_id, conversation_id = NEW.conversation_id
          WHERE kind = 'message' AND ref = OLD.id;
        ELSE
          UPDATE search_document SET customer_id = NEW.customer_id,
            conversation_id = NEW.conversation_id
          WHERE kind = 'message' AND ref = OLD.id;
        END IF;
        RETURN NULL;
      END $$""",
    """CREATE TRIGGER search_message_changed
      AFTER DELETE OR UPDATE OF body_text, customer_id, conversation_id ON message
      FOR EACH ROW EXECUTE FUNCTION search_message_changed()""",
    """CREATE FUNCTION search_customer_changed() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'INSERT' THEN
          INSERT INTO search_document(kind, ref, customer_id, body, terms)
          VALUES ('customer', NEW.id, NEW.id, search_clean(NEW.display_name), '');
        ELSIF TG_OP = 'DELETE' THEN
          DELETE FROM search_document WHERE kind = 'customer' AND ref = OLD.id;
        ELSIF NEW.display_name IS DISTINCT FROM OLD.display_name THEN
          UPDATE search_document SET body = search_clean(NEW.display_name)
          WHERE kind = 'customer' AND ref = OLD.id;
        END IF;
        RETURN NULL;
      END $$""",
    """CREATE TRIGGER search_customer_changed
      AFTER INSERT OR DELETE OR UPDATE OF display_name ON customer
      FOR EACH ROW EXECUTE FUNCTION search_customer_changed()""",
    """CREATE FUNCTION search_identity_changed() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'INSERT' THEN
          IF NEW.kind IN ('email', 'phone') THEN
            INSERT INTO search_document(kind, ref, customer_id, body, terms)
            VALUES ('identity', NEW.id::text, NEW.customer_id, search_clean(NEW.address),
                    CASE WHEN NEW.kind = 'phone' THEN search_phone_terms(NEW.address)
                         ELSE '' END);
          END IF;
        ELSIF TG_OP = 'DELETE' THEN
          DELETE FROM search_document WHERE kind = 'identity' AND ref = OLD.id::text;
        ELSE
          UPDATE search_document SET customer_id = NEW.customer_id
          WHERE kind = 'identity' AND ref = OLD.id::text;
        END IF;
        RETURN NULL;
      END $$""",
    """CREATE TRIGGER search_identity_changed
      AFTER INSERT OR DELETE OR UPDATE OF customer_id ON customer_identity
      FOR EACH ROW EXECUTE FUNCTION search_identity_changed()""",
]
_POSTGRES_DROP = [
    "DROP TRIGGER IF EXISTS search_messages_added ON message",
    "DROP TRIGGER IF EXISTS search_message_changed ON message",
    "DROP TRIGGER IF EXISTS search_customer_changed ON customer",
    "DROP TRIGGER IF EXISTS search_identity_changed ON customer_identity",
    "DROP FUNCTION IF EXISTS search_messages_added()",
    "DROP FUNCTION IF EXISTS search_message_changed()",
    "DROP FUNCTION IF EXISTS search_customer_changed()",
    "DROP FUNCTION IF EXISTS search_identity_changed()",
    "DROP FUNCTION IF EXISTS search_phone_terms(text)",
    "DROP FUNCTION IF EXISTS search_clean(text)",
]


def upgrade() -> None:
    _customer_columns()
    _new_tables()
    conn = op.get_bind()
    sqlite = conn.dialect.name == "sqlite"
    if sqlite:
        _require_fts5(conn)
    for statement in _SQLITE if sqlite else _POSTGRES:
        conn.exec_driver_sql(statement)
    _index_existing(conn, sqlite)


def _require_fts5(conn: sa.Connection) -> None:
    """Python's sqlite3 (which aiosqlite drives) normally has FTS5; say so plainly if not."""
    try:
        conn.exec_driver_sql("CREATE VIRTUAL TABLE temp.fts5_probe USING fts5(x)")
        conn.exec_driver_sql("DROP TABLE temp.fts5_probe")
    except sa.exc.OperationalError as exc:
        raise RuntimeError(
            "this Python's SQLite has no FTS5, which search needs: use a Python built with "
            f"a SQLite that has it (sqlite3.sqlite_version; {exc.orig})"
        ) from exc


def _customer_columns() -> None:
    with op.batch_alter_table("customer") as table:
        table.add_column(sa.Column("attributes", sa.JSON(), nullable=False, server_default="{}"))
        table.add_column(sa.Column("labels", sa.JSON(), nullable=False, server_default="[]"))
        table.add_column(sa.Column("merged_into", sa.String(length=32), nullable=True))
        table.add_column(
            sa.Column("merged_at", storage.tables.UTCDateTime(timezone=True), nullable=True)
        )
    op.create_index("ix_customer_created", "customer", ["created_at", "id"])


def _utc(name: str, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, storage.tables.UTCDateTime(timezone=True), nullable=nullable)


def _new_tables() -> None:
    op.create_table(
        "customer_merge",
        sa.Column("id", sa.String(length=32), primary_key=True),
        sa.Column("survivor_id", sa.String(), sa.ForeignKey("customer.id"), nullable=False),
        sa.Column("merged_id", sa.String(), sa.ForeignKey("customer.id"), nullable=False),
        sa.Column("moved", sa.JSON(), nullable=False),
        sa.Column("by_agent_id", sa.String(), nullable=True),
        _utc("at"),
        _utc("undone_at", nullable=True),
    )
    op.create_index("ix_customer_merge_survivor_id", "customer_merge", ["survivor_id"])
    op.create_index("ix_customer_merge_merged_id", "customer_merge", ["merged_id"])
    op.create_table(
        "search_document",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("ref", sa.String(), nullable=False),
        sa.Column("customer_id", sa.String(), nullable=False),
        sa.Column("conversation_id", sa.String(), nullable=True),
        sa.Column("body", sa.String(), nullable=False),
        sa.Column("terms", sa.String(), nullable=False, server_default=""),
    )
    op.create_index("ux_search_document_ref", "search_document", ["kind", "ref"], unique=True)
    op.create_index("ix_search_document_customer_id", "search_document", ["customer_id"])
    op.create_index("ix_search_document_conversation_id", "search_document", ["conversation_id"])
    op.create_table(
        "canned_response",
        sa.Column("id", sa.String(length=32), primary_key=True),
        sa.Column("short_code", sa.String(length=64), nullable=False, unique=True),
        sa.Column("title", sa.String(), nullable=True),
        sa.Column("text", sa.String(), nullable=False),
        _utc("created_at"),
        _utc("updated_at"),
    )
    op.create_table(
        "saved_view",
        sa.Column("id", sa.String(length=32), primary_key=True),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("owner_id", sa.String(), sa.ForeignKey("agent.id"), nullable=False),
        sa.Column("shared", sa.Boolean(), nullable=False),
        sa.Column("filters", sa.JSON(), nullable=False),
        _utc("created_at"),
        _utc("updated_at"),
    )
    op.create_index("ix_saved_view_owner_id", "saved_view", ["owner_id"])


def _index_existing(conn: sa.Connection, sqlite: bool) -> None:
    def clean(column: str) -> str:
        return _SQLITE_CLEAN.format(column) if sqlite else f"search_clean({column})"

    phone = (
        _SQLITE_PHONE.replace("new.address", "address") if sqlite else "search_phone_terms(address)"
    )
    ident = "CAST(id AS TEXT)" if sqlite else "id::text"
    conn.exec_driver_sql(
        "INSERT INTO search_document(kind, ref, customer_id, conversation_id, body, terms) "
        f"SELECT 'message', id, customer_id, conversation_id, {clean('body_text')}, '' "
        "FROM message"
    )
    conn.exec_driver_sql(
        "INSERT INTO search_document(kind, ref, customer_id, body, terms) "
        f"SELECT 'customer', id, id, {clean('display_name')}, '' FROM customer"
    )
    conn.exec_driver_sql(
        "INSERT INTO search_document(kind, ref, customer_id, body, terms) "
        f"SELECT 'identity', {ident}, customer_id, {clean('address')}, "
        f"CASE WHEN kind = 'phone' THEN {phone} ELSE '' END "
        "FROM customer_identity WHERE kind IN ('email', 'phone')"
    )


def downgrade() -> None:
    conn = op.get_bind()
    for statement in _SQLITE_DROP if conn.dialect.name == "sqlite" else _POSTGRES_DROP:
        conn.exec_driver_sql(statement)
    op.drop_table("saved_view")
    op.drop_table("canned_response")
    op.drop_table("search_document")
    op.drop_table("customer_merge")
    op.drop_index("ix_customer_created", table_name="customer")
    with op.batch_alter_table("customer") as table:
        for column in ("merged_at", "merged_into", "labels", "attributes"):
            table.drop_column(column)
