"""The policies are pure: a snapshot in, a decision out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from hub.ids import AgentId
from hub.settings import RoutingPolicy
from routing.policies import (
    Candidate,
    choose_agent,
    least_busy,
    longest_idle,
    order_waiting,
    positions,
    round_robin,
)

T0 = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
A, B, C, D = (AgentId(x) for x in ("a", "b", "c", "d"))


def at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


def free(
    agent: AgentId, idle: datetime | None = None, load: int = 0, capacity: int = 3
) -> Candidate:
    return Candidate(agent_id=agent, load=load, capacity=capacity, idle_since=idle)


def test_longest_idle_prefers_the_oldest_last_offer() -> None:
    assert longest_idle([free(A, at(5)), free(B, at(1)), free(C, at(3))]) == B


def test_longest_idle_counts_never_offered_as_oldest() -> None:
    assert longest_idle([free(A, at(0)), free(C, None), free(B, at(-60))]) == C


def test_longest_idle_breaks_ties_by_agent_id() -> None:
    assert longest_idle([free(C, at(1)), free(B, at(1)), free(D, at(1))]) == B
    assert longest_idle([free(D), free(B)]) == B


def test_round_robin_takes_the_next_agent_after_the_last_pick() -> None:
    candidates = [free(C), free(A), free(B)]
    assert round_robin(candidates, None) == A
    assert round_robin(candidates, A) == B
    assert round_robin(candidates, B) == C


def test_round_robin_wraps_around_and_skips_missing_agents() -> None:
    assert round_robin([free(A), free(B), free(C)], C) == A
    # The last pick is not a candidate now (busy or away): the next one after it still wins.
    assert round_robin([free(A), free(D)], B) == D
    assert round_robin([free(A), free(C)], D) == A


def test_least_busy_compares_load_to_capacity() -> None:
    candidates = [
        free(A, load=2, capacity=3),
        free(B, load=1, capacity=2),
        free(C, load=2, capacity=5),
    ]
    assert least_busy(candidates) == C


def test_least_busy_ties_go_to_the_longest_idle() -> None:
    candidates = [free(A, at(1), load=1, capacity=3), free(B, at(0), load=2, capacity=6)]
    assert least_busy(candidates) == B  # 1/3 == 2/6 exactly; B has waited longer


@pytest.mark.parametrize("policy", ["longest_idle", "round_robin", "least_busy"])
def test_choose_agent_never_picks_a_full_agent(policy: RoutingPolicy) -> None:
    full = [free(A, None, load=3, capacity=3), free(B, None, load=1, capacity=0)]
    assert choose_agent(policy, full, None) is None
    assert choose_agent(policy, [*full, free(C, at(9), load=2)], None) == C
    assert choose_agent(policy, [], A) is None


def test_choose_agent_applies_the_named_policy() -> None:
    candidates = [free(A, at(2), load=0), free(B, at(1), load=2), free(C, at(3), load=1)]
    assert choose_agent("longest_idle", candidates, None) == B
    assert choose_agent("round_robin", candidates, A) == B
    assert choose_agent("least_busy", candidates, None) == A


@dataclass(frozen=True)
class Item:
    conversation_id: str
    queue: str
    priority: int
    queued_at: datetime


def test_order_waiting_by_queue_priority_then_priority_then_age() -> None:
    items = [
        Item("old-low", "general", 0, at(0)),
        Item("new-low", "general", 0, at(5)),
        Item("urgent", "general", 3, at(9)),
        Item("vip", "vip", 0, at(10)),
        Item("same-time-b", "general", 0, at(2)),
        Item("same-time-a", "general", 0, at(2)),
    ]
    ordered = order_waiting(items, {"vip": 10, "general": 0})
    assert [i.conversation_id for i in ordered] == [
        "vip",
        "urgent",
        "old-low",
        "same-time-a",
        "same-time-b",
        "new-low",
    ]


def test_positions_count_within_each_queue() -> None:
    items = [
        Item("v1", "vip", 0, at(3)),
        Item("g1", "general", 0, at(0)),
        Item("v2", "vip", 0, at(4)),
        Item("g2", "general", 0, at(1)),
    ]
    ranks = positions(order_waiting(items, {"vip": 1}))
    assert ranks == {"v1": 1, "v2": 2, "g1": 1, "g2": 2}
