"""Routing decisions as pure functions of a snapshot: which agent gets an offer, and in which
order waiting conversations are served. No clocks, no I/O: the router gathers the snapshot."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from fractions import Fraction
from typing import Protocol, TypeVar

from hub.ids import AgentId
from hub.settings import RoutingPolicy


@dataclass(frozen=True)
class Candidate:
    """An agent who may take the conversation: `load` and `capacity` are on its channel, and
    `idle_since` is when the agent was last offered work (None: never)."""

    agent_id: AgentId
    load: int
    capacity: int
    idle_since: datetime | None


def _idle_key(candidate: Candidate) -> tuple[bool, datetime | None, str]:
    # Never offered sorts before any time; the agent id makes ties deterministic.
    return (candidate.idle_since is not None, candidate.idle_since, candidate.agent_id)


def longest_idle(candidates: Sequence[Candidate]) -> AgentId | None:
    """The agent whose last offer is oldest (never offered counts as oldest)."""
    if not candidates:
        return None
    return min(candidates, key=_idle_key).agent_id


def round_robin(candidates: Sequence[Candidate], last_pick: AgentId | None) -> AgentId | None:
    """The first agent after `last_pick` in agent-id order, wrapping around."""
    ordered = sorted(c.agent_id for c in candidates)
    if not ordered:
        return None
    if last_pick is None:
        return ordered[0]
    return next((agent for agent in ordered if agent > last_pick), ordered[0])


def least_busy(candidates: Sequence[Candidate]) -> AgentId | None:
    """The lowest load/capacity ratio; ties go to the longest idle. Fractions keep 1/3 and 2/6
    exactly equal, so the tie-break is not decided by float rounding."""
    usable = [c for c in candidates if c.capacity > 0]
    if not usable:
        return None
    return min(usable, key=lambda c: (Fraction(c.load, c.capacity), *_idle_key(c))).agent_id


def choose_agent(
    policy: RoutingPolicy, candidates: Sequence[Candidate], last_pick: AgentId | None
) -> AgentId | None:
    """Apply the queue's policy to the agents with a free slot; None when nobody can take it."""
    free = [c for c in candidates if 0 <= c.load < c.capacity]
    if policy == "round_robin":
        return round_robin(free, last_pick)
    if policy == "least_busy":
        return least_busy(free)
    return longest_idle(free)


class Queued(Protocol):
    """What ordering needs to know of a waiting conversation."""

    @property
    def conversation_id(self) -> str: ...
    @property
    def queue(self) -> str: ...
    @property
    def priority(self) -> int: ...
    @property
    def queued_at(self) -> datetime: ...


Q = TypeVar("Q", bound=Queued)


def order_waiting(items: Iterable[Q], queue_priority: Mapping[str, int]) -> list[Q]:
    """Dispatch order: queue priority (high first), conversation priority (high first), then
    the oldest queued_at; the conversation id breaks exact ties so the order is stable."""
    return sorted(
        items,
        key=lambda item: (
            -queue_priority.get(item.queue, 0),
            -item.priority,
            item.queued_at,
            item.conversation_id,
        ),
    )


def positions(ordered: Iterable[Q]) -> dict[str, int]:
    """1-based position of each conversation within its own queue, given dispatch order."""
    seen: dict[str, int] = {}
    ranks: dict[str, int] = {}
    for item in ordered:
        seen[item.queue] = seen.get(item.queue, 0) + 1
        ranks[item.conversation_id] = seen[item.queue]
    return ranks
