"""Which demo agent takes each conversation: free slots per channel, so no agent is offered
more than their capacity (OfferService checks it too, and would refuse)."""

from __future__ import annotations

import asyncio
import random
from collections import defaultdict

from hub.models import Agent


class Slots:
    def __init__(self, agents: list[Agent], rng: random.Random) -> None:
        self._free: dict[str, list[Agent]] = defaultdict(list)
        for agent in agents:
            for channel, count in agent.capacity.items():
                self._free[channel] += [agent] * count
        self._total = {channel: len(free) for channel, free in self._free.items()}
        self._kept: dict[str, int] = defaultdict(int)
        self._rng = rng
        self._changed = asyncio.Condition()

    async def take(self, channel: str, *, besides: Agent | None = None) -> Agent:
        """A free slot's agent (not `besides`, the one handing it over), waiting for one."""
        async with self._changed:
            while True:
                free = [a for a in self._free[channel] if besides is None or a.id != besides.id]
                if free:
                    agent = self._rng.choice(free)
                    self._free[channel].remove(agent)
                    return agent
                await self._changed.wait()

    async def give_back(self, channel: str, agent: Agent) -> None:
        async with self._changed:
            self._free[channel].append(agent)
            self._changed.notify_all()

    def may_keep(self, channel: str) -> bool:
        """Whether a conversation left open may keep its slot for good: at most half of a
        channel's slots are, so the rest of the history still flows."""
        if self._kept[channel] >= self._total.get(channel, 0) // 2:
            return False
        self._kept[channel] += 1
        return True
