"""The pure rules of issue 10: what a search query means, snippet segments, canned response
placeholders, which queues an agent sees, saved views' permissions, merged fields."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from hub.errors import Forbidden
from hub.ids import AgentId, CustomerId
from hub.models import Agent
from hub.records import CustomerFields, SavedView, Segment
from hub.services.canned import render
from hub.services.customers import merged_fields
from hub.services.search_terms import parse_terms
from hub.services.snippets import segments
from hub.services.views import may_see, require_may_create, require_may_edit


def _agent(role: str = "agent", skills: tuple[str, ...] = (), id: str = "a1") -> Agent:
    return Agent(id=AgentId(id), name="Al", email=f"{id}@x.test", role=role, skills=skills)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("typed", "phrases"),
    [
        ("Ana", (("ana",),)),
        ("ana@example.com", (("ana", "example", "com"),)),
        ("kettle  BOIL", (("kettle",), ("boil",))),
        ('"kettle" OR (toast*)', (("kettle",), ("or",), ("toast",))),
        ("O'Brien", (("o", "brien"),)),
        ("+1 (555) 000-1111", (("15550001111",),)),
        ("555-0001", (("5550001",),)),
        ("123", (("123",),)),  # under 4 digits: a word like any other
        ("José", (("josé",),)),
    ],
)
def test_what_a_query_means(typed: str, phrases: tuple[tuple[str, ...], ...]) -> None:
    parsed = parse_terms(typed)
    assert parsed is not None and parsed.phrases == phrases


def test_a_query_without_words_is_nothing() -> None:
    assert parse_terms("") is None
    assert parse_terms(' "*() ') is None


def test_segments_split_the_markers() -> None:
    assert segments("a \ue000b\ue001 c \ue000d\ue001") == (
        Segment(text="a "),
        Segment(text="b", match=True),
        Segment(text=" c "),
        Segment(text="d", match=True),
    )
    assert segments("plain") == (Segment(text="plain"),)
    assert segments("") == ()


def test_placeholders_are_filled_once_and_unknown_ones_kept() -> None:
    values = {"name": "{agent}", "agent": "Al"}
    assert render("Hi {name}, {agent} here {order} {} {{x}}", values) == (
        "Hi {agent}, Al here {order} {} {{x}}"
    )


def test_who_may_see_and_edit_views() -> None:
    now = datetime.now(UTC)
    own = SavedView(id="v1", name="x", owner_id=AgentId("a1"), created_at=now, updated_at=now)
    shared = own.model_copy(update={"owner_id": AgentId("s1"), "shared": True})
    other = own.model_copy(update={"owner_id": AgentId("a2")})
    agent, supervisor = _agent(), _agent("supervisor", id="s2")
    assert may_see(agent, own) and may_see(agent, shared) and not may_see(agent, other)
    require_may_edit(agent, own)
    require_may_edit(supervisor, shared)
    for view, shared_now in ((shared, None), (other, None), (own, True)):
        with pytest.raises(Forbidden):
            require_may_edit(agent, view, shared_now)
    with pytest.raises(Forbidden):
        require_may_create(agent, True)
    require_may_create(supervisor, True)


def test_the_survivor_keeps_its_fields_and_gains_what_it_lacks() -> None:
    survivor = CustomerFields(
        id=CustomerId("s"), display_name="S", attributes={"plan": "gold"}, labels=("vip", "b")
    )
    merged = CustomerFields(
        id=CustomerId("m"), display_name="M", attributes={"plan": "free", "tz": "UTC"},
        labels=("b", "late"),
    )  # fmt: skip
    result = merged_fields(survivor, merged)
    assert result.display_name == "S" and result.attributes == {"plan": "gold", "tz": "UTC"}
    assert result.labels == ("vip", "b", "late")
