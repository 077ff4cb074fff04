"""Which queues' conversations an agent may see (a pure rule; the lead may unify it with the
conversation list's): supervisors and admins see every queue, an agent those whose required
skills they all have."""

from __future__ import annotations

from collections.abc import Sequence

from hub.models import Agent
from hub.settings import QueueSettings


def visible_queues(agent: Agent, queues: Sequence[QueueSettings]) -> frozenset[str] | None:
    """The names of the queues `agent` may see, or None for all of them."""
    if agent.is_supervisor:
        return None
    skills = set(agent.skills)
    return frozenset(q.name for q in queues if set(q.skills) <= skills)
