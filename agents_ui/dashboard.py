"""The supervisor's picture of the floor: queues with service level, agents with their load,
and every conversation not yet resolved. Built from storage, so every hub process agrees."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from hub.flow.queues import Queues
from hub.models import Agent, Conversation, MailboxState
from hub.ports import AgentDirectory, ConversationReader


class Dashboard:
    def __init__(
        self,
        reader: ConversationReader,
        agents: AgentDirectory,
        queues: Queues,
        mailboxes: Callable[[], list[MailboxState]] | None = None,
    ) -> None:
        self._reader = reader
        self._agents = agents
        self._queues = queues
        self._mailboxes = mailboxes  # this process's email pollers

    async def snapshot(self) -> dict[str, Any]:
        now = datetime.now(UTC)
        start_of_day = now.replace(hour=0, minute=0, second=0, microsecond=0)
        stats = await self._reader.queue_stats(
            [(q.name, q.service_level_seconds) for q in self._queues()], start_of_day
        )
        unresolved = await self._reader.unresolved()
        agents = await self._agents.agents()
        return {
            "type": "snapshot",
            "at": now.isoformat(),
            "queues": [
                s.model_dump(mode="json") | {"service_level_pct": s.service_level_pct}
                for s in stats
            ],
            "agents": _agent_rows(agents, unresolved),
            "conversations": [c.model_dump(mode="json") for c in unresolved],
            "mailboxes": [m.model_dump(mode="json") for m in self._mailboxes()]
            if self._mailboxes
            else [],
        }


def _agent_rows(agents: list[Agent], unresolved: list[Conversation]) -> list[dict[str, Any]]:
    load: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    held: dict[str, list[str]] = defaultdict(list)
    for conversation in unresolved:
        if conversation.status == "open" and conversation.assignee_id:
            load[conversation.assignee_id][conversation.channel] += 1
            held[conversation.assignee_id].append(conversation.id)
    return [
        {
            "id": agent.id,
            "name": agent.name,
            "role": agent.role,
            "status": agent.status,
            "load": dict(load[agent.id]),
            "capacity": agent.capacity,
            "conversations": held[agent.id],
        }
        for agent in agents
        if not agent.disabled  # gone from the floor; their history stays
    ]
