"""Who may be offered a waiting conversation, as pure functions of the router's snapshot:
available agents serving the channel, with the queue's skills and a free slot, not on a call
(unless config lets them take chats during calls), and a transfer's named agent alone."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from hub.ids import AgentId
from hub.services import fit
from routing.policies import Candidate
from routing.tickets import AgentSlot, Ticket


def eligible(
    ticket: Ticket,
    agents: Mapping[AgentId, AgentSlot],
    skills: Iterable[str],
    chats_during_calls: bool,
) -> list[Candidate]:
    """Agents who could be offered the ticket now: able to take it, with a free slot. Those
    who declined it come only if nobody else with a free slot could take it."""
    channel = ticket.channel
    free = [
        s
        for s in able(ticket, agents, skills)
        if s.load_on(channel) < s.capacity_on(channel)
        and not on_a_call(s, channel, chats_during_calls)
    ]
    # The fallback is taken among the free: a full agent who never declined must not keep
    # an idle one who did from being offered it again, or the work waits next to them.
    fresh = [s for s in free if s.agent_id not in ticket.declined_by]
    return [
        Candidate(s.agent_id, s.load_on(channel), s.capacity_on(channel), s.idle_since)
        for s in fresh or free
    ]


def on_a_call(slot: AgentSlot, channel: str, chats_during_calls: bool) -> bool:
    """An agent on a call takes no new written work unless config allows it (hub's rule)."""
    return fit.on_a_call(channel, slot.load_on("voice"), chats_during_calls)


def able(
    ticket: Ticket, agents: Mapping[AgentId, AgentSlot], skills: Iterable[str]
) -> list[AgentSlot]:
    """Agents present and skilled for the ticket, whatever their load."""
    if ticket.target_agent_id is not None:
        # A transfer to a named agent is a person's choice: only that agent, whatever
        # skills the queue asks for.
        slot = agents.get(ticket.target_agent_id)
        return [slot] if slot is not None and slot.serves(ticket.channel) else []
    needed = set(skills)
    return [s for s in agents.values() if s.serves(ticket.channel) and s.skills >= needed]


def room_refusal(slot: AgentSlot, ticket: Ticket, chats_during_calls: bool) -> str | None:
    """Why `slot` has no room for the ticket (at capacity on its channel, or on a call), or
    None: an offer another router made meanwhile must not take an agent past either."""
    channel = ticket.channel
    used = len(slot.load.get(channel, set()) - {ticket.conversation_id})
    if used >= slot.capacity_on(channel):
        return "agent at capacity"
    if on_a_call(slot, channel, chats_during_calls):
        return "agent on a call"
    return None
