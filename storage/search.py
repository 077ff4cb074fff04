"""Full-text search over `search_document` (kept in step by the triggers of migration 0012),
answered by the database's own engine: FTS5 on SQLite, the tsvector column with its GIN
index on PostgreSQL. User text reaches neither as syntax: hub's `SearchTerms` holds words of
letters and digits only, and storage quotes them (FTS5 phrases) or builds the tsquery from
them (`to_tsquery`, since `plainto_tsquery` and `websearch_to_tsquery` cannot ask for a
prefix), always as a bound parameter. Hits are found in two steps: the best score per
conversation or customer, limited; then snippets for those only."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

import sqlalchemy as sa

from hub.ids import ConversationId, CustomerId
from hub.records import ConversationHit, CustomerHit, Segment
from hub.services.search_terms import SearchTerms
from hub.services.snippets import START, STOP, segments
from storage.database import Database
from storage.mapping import CONVERSATION_SELECT, conversation_t, customer_t, to_conversation
from storage.tables import SearchDocumentRow

doc_t = SearchDocumentRow.__table__  # type: ignore[attr-defined]
# What migration 0012 makes outside the declared tables (the migration test leaves them out).
ENGINE_OBJECTS = ("search_fts", "search_vector", "ix_search_document_vector")
_FTS = sa.table("search_fts", sa.column("rowid"))
LT = "\ue002"  # stands in for "<" in the text ts_headline reads (migration 0012 drops it)
_SNIPPET_WORDS = 24
_HEADLINE = f"StartSel={START}, StopSel={STOP}, MaxWords={_SNIPPET_WORDS}, MinWords=8"


def fts5_query(terms: SearchTerms) -> str:
    """`"example com" AND "ana"*`: every phrase quoted (its words are letters and digits, so
    nothing in it is FTS5 syntax), the last one a prefix."""
    phrases = ['"' + " ".join(phrase) + '"' for phrase in terms.phrases]
    phrases[-1] += "*"
    return " AND ".join(phrases)


def tsquery_text(terms: SearchTerms) -> str:
    """`(example <-> com) & (ana:*)`, for `to_tsquery('simple', ...)`."""
    phrases = [list(phrase) for phrase in terms.phrases]
    phrases[-1][-1] += ":*"
    return " & ".join("(" + " <-> ".join(words) + ")" for words in phrases)


class _Engine:
    """The dialect's match condition, score (lower is better) and snippet over `doc_t`."""

    def __init__(self, sqlite: bool, terms: SearchTerms) -> None:
        self.sqlite = sqlite
        if sqlite:
            query: sa.BindParameter[str] = sa.bindparam("fts_q", fts5_query(terms))
            self.match: sa.ColumnElement[bool] = sa.literal_column("search_fts").op("MATCH")(query)
            # FTS5's hidden `rank` (bm25) may be aggregated, where bm25() itself may not.
            self.score: sa.ColumnElement[Any] = sa.literal_column("search_fts.rank")
            self.snippet: sa.ColumnElement[Any] = sa.func.snippet(
                sa.literal_column("search_fts"), 0, START, STOP, "…", _SNIPPET_WORDS
            )
        else:
            tsquery = sa.func.to_tsquery(
                sa.literal_column("'simple'::regconfig"), tsquery_text(terms)
            )
            vector: sa.ColumnElement[Any] = sa.literal_column("search_document.search_vector")
            self.match = vector.op("@@")(tsquery)
            self.score = -sa.func.ts_rank(vector, tsquery)
            # ts_headline drops what its parser takes for an HTML tag (`<b>`): it is shown
            # a stand-in for `<`, put back when read.
            shown = sa.func.replace(doc_t.c.body, "<", LT)
            self.snippet = sa.func.ts_headline(
                sa.literal_column("'simple'::regconfig"), shown, tsquery, _HEADLINE
            )

    def source(self) -> Any:
        if self.sqlite:
            return _FTS.join(doc_t, doc_t.c.id == _FTS.c.rowid)
        return doc_t


def matching(sqlite: bool, terms: SearchTerms) -> sa.Select[str]:
    """The ids of conversations whose messages match, as a select to compose:
    `conversation_t.c.id.in_(matching(db.is_sqlite, terms))`."""
    engine = _Engine(sqlite, terms)
    return (
        sa.select(doc_t.c.conversation_id)
        .select_from(engine.source())
        .where(engine.match, doc_t.c.kind == "message")
    )


def matching_customers(sqlite: bool, terms: SearchTerms) -> sa.Select[str]:
    """The ids of customers whose name or an identity matches, as a select to compose."""
    engine = _Engine(sqlite, terms)
    return (
        sa.select(doc_t.c.customer_id)
        .select_from(engine.source())
        .where(engine.match, doc_t.c.kind.in_(("customer", "identity")))
    )


class SqlSearch:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def conversation_ids(self, terms: SearchTerms, limit: int = 1000) -> list[ConversationId]:
        query = matching(self._db.is_sqlite, terms).distinct().limit(limit)
        async with self._db.read() as conn:
            return [ConversationId(v) for v in (await conn.scalars(query)).all()]

    async def conversations(
        self, terms: SearchTerms, limit: int, queues: Collection[str] | None = None
    ) -> list[ConversationHit]:
        engine = _Engine(self._db.is_sqlite, terms)
        where = [engine.match, doc_t.c.kind == "message"]
        source = engine.source().join(
            conversation_t, conversation_t.c.id == doc_t.c.conversation_id
        )
        if queues is not None:
            where.append(conversation_t.c.queue.in_(sorted(queues)))
        async with self._db.read() as conn:
            best = await _best(conn, engine, source, where, doc_t.c.conversation_id, limit)
            rows = (
                await conn.execute(CONVERSATION_SELECT.where(conversation_t.c.id.in_(best)))
            ).all()
        found = {c.id: c for c in map(to_conversation, rows)}
        return [
            ConversationHit(
                conversation_id=c.id,
                customer_id=c.customer_id,
                customer_name=c.customer_name,
                channel=c.channel,
                queue=c.queue,
                status=c.status,
                subject=c.subject,
                created_at=c.created_at,
                snippet=segments(best[cid][1]),
            )
            for cid in best
            if (c := found.get(ConversationId(cid))) is not None
        ]

    async def customers(self, terms: SearchTerms, limit: int) -> list[CustomerHit]:
        engine = _Engine(self._db.is_sqlite, terms)
        where = [
            engine.match,
            doc_t.c.kind.in_(("customer", "identity")),
            customer_t.c.merged_into.is_(None),
        ]
        source = engine.source().join(customer_t, customer_t.c.id == doc_t.c.customer_id)
        async with self._db.read() as conn:
            best = await _best(conn, engine, source, where, doc_t.c.customer_id, limit)
            rows = (
                await conn.execute(sa.select(customer_t).where(customer_t.c.id.in_(best)))
            ).all()
        found = {row.id: row for row in rows}
        return [
            CustomerHit(
                customer_id=CustomerId(cid),
                display_name=found[cid].display_name,
                created_at=found[cid].created_at,
                matched="name" if kind == "customer" else "identity",
                snippet=_whole_if_unmarked(segments(snippet)),
            )
            for cid, (kind, snippet) in best.items()
            if cid in found
        ]


async def _best(
    conn: Any,
    engine: _Engine,
    source: Any,
    where: Sequence[sa.ColumnElement[bool]],
    group: sa.ColumnElement[Any],
    limit: int,
) -> dict[str, tuple[str, str]]:
    """The `limit` best groups (conversations, customers) in order, each with the kind and
    snippet of its best matching document."""
    score = sa.func.min(engine.score).label("score")
    ranked = (
        sa.select(group.label("ref"), score)
        .select_from(source)
        .where(*where)
        .group_by(group)
        .order_by(score, group)
        .limit(limit)
    )
    order = [row.ref for row in (await conn.execute(ranked)).all()]
    if not order:
        return {}
    snippets = (
        sa.select(group.label("ref"), doc_t.c.kind, engine.snippet.label("snippet"))
        .select_from(source)
        .where(*where, group.in_(order))
        .order_by(engine.score, doc_t.c.id)
    )
    first: dict[str, tuple[str, str]] = {}
    for row in (await conn.execute(snippets)).all():
        first.setdefault(row.ref, (row.kind, (row.snippet or "").replace(LT, "<")))
    return {ref: first[ref] for ref in order if ref in first}


def _whole_if_unmarked(found: tuple[Segment, ...]) -> tuple[Segment, ...]:
    """A phone number matched by its trailing digits, which are indexed but not shown: the
    identity as a whole is the match."""
    if any(s.match for s in found):
        return found
    return (Segment(text="".join(s.text for s in found), match=True),) if found else found
