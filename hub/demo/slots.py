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

    async def take(self, channel: str) -> Agent:
        """A free slot's agent, waiting for one to be given back."""
        async with self._changed:
            while not self._free[channel]:
                await self._changed.wait()
            return self._pick(channel, self._free[channel])

    def try_take(self, channel: str, besides: Agent) -> Agent | None:
        """A free slot of anyone but `besides` (who hands a conversation over), or None at
        once: waiting while holding a slot could wait for ever."""
        free = [a for a in self._free[channel] if a.id != besides.id]
        return self._pick(channel, free) if free else None

    def _pick(self, channel: str, free: list[Agent]) -> Agent:
        agent = self._rng.choice(free)
        self._free[channel].remove(agent)
        return agent

    async def give_back(self, channel: str, agent: Agent) -> None:
        async with self._changed:
            self._free[channel].append(agent)
            self._changed.notify()

    def may_keep(self, channel: str) -> bool:
        """Whether a conversation left open may keep its slot for good: at most a quarter of
        a channel's slots are, so the rest of the history still flows."""
        if self._kept[channel] >= max(1, self._total.get(channel, 0) // 4):
            return False
        self._kept[channel] += 1
        return True
