"""Who may read and act on which conversations, as pure functions. Supervisors and admins may
on every conversation. An agent may on the conversations of their queues (the queues whose
required skills they all hold: `QueueSettings.skills` ⊆ `Agent.skills`) and on any
conversation assigned to them.

The queues come from a callable (`QueueDirectory`), read at each check, so a directory that
changes at run time (queues kept in the database) is honoured without a restart."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from hub.errors import Forbidden
from hub.models import Agent, Conversation
from hub.ports.listing import Scope
from hub.settings import QueueSettings

QueueDirectory = Callable[[], Sequence[QueueSettings]]


def queues_of(agent: Agent, queues: Sequence[QueueSettings]) -> frozenset[str]:
    """The queues whose required skills the agent holds every one of."""
    skills = set(agent.skills)
    return frozenset(q.name for q in queues if set(q.skills) <= skills)


def scope_of(agent: Agent, queues: Sequence[QueueSettings]) -> Scope:
    if agent.is_supervisor:
        return Scope(agent.id, frozenset(), everything=True)
    return Scope(agent.id, queues_of(agent, queues))


def may_access(scope: Scope, conversation: Conversation) -> bool:
    return (
        scope.everything
        or conversation.assignee_id == scope.agent_id
        or conversation.queue in scope.queues
    )


def require_access(scope: Scope, conversation: Conversation) -> None:
    """Raise Forbidden unless the scope covers the conversation."""
    if not may_access(scope, conversation):
        raise Forbidden(f"conversation {conversation.id} is outside your queues")
