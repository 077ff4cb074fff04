"""Which agents a note names: `@` followed by an agent's email or full name (any case), not
run on into a longer word (`@Ann` does not name Anne). Longer names are tried first, so
`@Ann Lee` names Ann Lee and not also an agent called Ann."""

from __future__ import annotations

import re
from collections.abc import Sequence

from hub.ids import AgentId
from hub.models import Agent


def mentioned(text: str, agents: Sequence[Agent]) -> tuple[AgentId, ...]:
    """The agents named in `text`, in the order they first appear, each once."""
    handles = sorted(
        ((handle, agent.id) for agent in agents for handle in (agent.email, agent.name) if handle),
        key=lambda pair: -len(pair[0]),
    )
    found: dict[AgentId, int] = {}
    taken: list[tuple[int, int]] = []  # spans already claimed by a longer handle
    for handle, agent_id in handles:
        pattern = re.compile("@" + re.escape(handle) + r"(?![\w@.-]*\w)", re.IGNORECASE)
        for match in pattern.finditer(text):
            span = match.span()
            if any(start < span[1] and span[0] < end for start, end in taken):
                continue
            taken.append(span)
            found[agent_id] = min(found.get(agent_id, span[0]), span[0])
    return tuple(sorted(found, key=found.__getitem__))
