"""Whether an agent may hold a conversation beside what they hold already. OfferService checks
it, from what the database says the agent holds, in the transaction that makes an offer and
in the one that accepts it; the router applies the same rule to its picture
(routing/eligibility.py), and both read capacity through `capacity_of`, so they agree."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from hub.models import Agent, Conversation
from hub.settings import QueueSettings, RoutingSettings


@dataclass(frozen=True)
class FitRules:
    default_capacity: Mapping[str, int] = field(default_factory=dict)
    chats_during_calls: bool = False
    queue_skills: Mapping[str, frozenset[str]] = field(default_factory=dict)

    @classmethod
    def of(cls, routing: RoutingSettings, queues: Iterable[QueueSettings]) -> FitRules:
        return cls(
            default_capacity={channel: n for channel, n in routing.default_capacity.items()},
            chats_during_calls=routing.chats_during_calls,
            queue_skills={q.name: frozenset(q.skills) for q in queues},
        )


def capacity_of(agent: Agent, defaults: Mapping[str, int]) -> dict[str, int]:
    """An agent with no capacity configured gets the defaults; a configured one is taken as
    is (a channel it leaves out is one the agent does not serve)."""
    return dict(agent.capacity or defaults)


def on_a_call(channel: str, voice_held: int, chats_during_calls: bool) -> bool:
    """An agent holding a call takes no new written work unless config allows it."""
    return channel != "voice" and not chats_during_calls and voice_held > 0


def unfit(
    agent: Agent, conversation: Conversation, holds: Mapping[str, int], rules: FitRules
) -> str | None:
    """Why `agent` may not hold `conversation` beside `holds` (the other conversations they
    hold per channel: assignments and pending offers); None when they may."""
    channel = conversation.channel
    capacity = capacity_of(agent, rules.default_capacity).get(channel, 0)
    used = holds.get(channel, 0)
    if used >= capacity:
        return f"no free {channel} slot ({used} of {capacity} in use)"
    if on_a_call(channel, holds.get("voice", 0), rules.chats_during_calls):
        return "on a call"
    # A conversation pinned to this agent was a person's choice: the queue's skills aside.
    needed = rules.queue_skills.get(conversation.queue, frozenset())
    missing = needed - set(agent.skills)
    if missing and conversation.target_agent_id != agent.id:
        return f"lacks the {conversation.queue} queue's skills ({', '.join(sorted(missing))})"
    return None
