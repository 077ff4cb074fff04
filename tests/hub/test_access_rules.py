"""Who may see and act on which conversations, and whom a note mentions: pure rules."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from hub.errors import Forbidden
from hub.models import Agent, Conversation
from hub.services.access import may_access, queues_of, require_access, scope_of
from hub.services.mentions import mentioned
from hub.settings import QueueSettings

QUEUES = (
    QueueSettings(name="general"),
    QueueSettings(name="billing", skills=("billing",)),
    QueueSettings(name="vip", skills=("billing", "vip")),
)
NOW = datetime(2026, 12, 1, tzinfo=UTC)


def agent(agent_id: str, role: str = "agent", *skills: str, name: str = "") -> Agent:
    email = f"{agent_id}@example.com"
    return Agent.model_validate(
        {"id": agent_id, "name": name or agent_id, "email": email, "role": role, "skills": skills}
    )


def conversation(queue: str, assignee: str | None = None) -> Conversation:
    return Conversation.model_validate(
        {
            "id": f"c-{queue}",
            "customer_id": "cu",
            "customer_name": "C",
            "channel": "webchat",
            "queue": queue,
            "status": "open" if assignee else "pending",
            "assignee_id": assignee,
            "created_at": NOW,
            "queued_at": NOW,
        }
    )


def test_an_agents_queues_are_those_whose_skills_they_all_hold() -> None:
    assert queues_of(agent("a"), QUEUES) == {"general"}
    assert queues_of(agent("a", "agent", "billing"), QUEUES) == {"general", "billing"}
    assert queues_of(agent("a", "agent", "vip"), QUEUES) == {"general"}
    assert queues_of(agent("a", "agent", "vip", "billing"), QUEUES) == {"general", "billing", "vip"}


def test_agents_reach_their_queues_and_their_own_supervisors_everything() -> None:
    ann = scope_of(agent("ann"), QUEUES)
    assert may_access(ann, conversation("general"))
    assert not may_access(ann, conversation("billing"))
    assert may_access(ann, conversation("billing", assignee="ann"))
    with pytest.raises(Forbidden):
        require_access(ann, conversation("vip", assignee="bob"))
    for role in ("supervisor", "admin"):
        assert may_access(scope_of(agent("sue", role), QUEUES), conversation("vip", "bob"))


def test_a_directory_that_changes_is_read_as_it_is() -> None:
    ann = agent("ann", "agent", "billing")
    assert may_access(scope_of(ann, QUEUES), conversation("billing"))
    assert not may_access(scope_of(ann, (QueueSettings(name="general"),)), conversation("billing"))


def test_mentions_by_name_or_email_longest_first() -> None:
    team = [agent("1", name="Ann"), agent("2", name="Ann Lee"), agent("3", name="Anne")]
    assert mentioned("hi @Ann Lee and @ann, cc @3@example.com", team) == ("2", "1", "3")
    assert mentioned("@Annex and ann@example.com, @1@example.com.", team) == ("1",)
    assert mentioned("no one", team) == ()
