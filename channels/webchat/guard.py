"""What keeps one client from swamping the web chat: a cap on the sockets one client address
holds in this process, and rate limits on messages per visitor and per address (in memory,
or on Redis when the bus is, so every process counts alike). Together with the message size
limit they bound what one visitor, or one address, can make the hub store."""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager

from hub.settings.channels import WebchatSettings
from hub.wire.ratelimits import Rate, RateLimits

# Close code and reason for a socket over the per-address cap (4xxx: ours, like 4401).
TOO_MANY_SOCKETS = 4429
TOO_MANY_SOCKETS_REASON = b"too many chat connections from your address; try again later"


class SocketCap:
    """Open customer sockets per client address, in this process."""

    def __init__(self, limit: int) -> None:
        self._limit = limit
        self._open: Counter[str] = Counter()

    @contextmanager
    def hold(self, address: str) -> Iterator[bool]:
        """Yields whether this socket may stay (False: over the cap, close it)."""
        if self._open[address] >= self._limit:
            yield False
            return
        self._open[address] += 1
        try:
            yield True
        finally:
            self._open[address] -= 1
            if not self._open[address]:
                del self._open[address]


class MessageLimits:
    def __init__(self, settings: WebchatSettings, limits: RateLimits) -> None:
        self._limits = limits
        self._visitor = Rate.parse("messages", settings.visitor_message_rate)
        self._address = Rate.parse("messages from your address", settings.address_message_rate)

    async def admit(self, token: str, address: str) -> None:
        """Count one message, or raise RateLimited (nothing counted, nothing stored)."""
        # Keyed by a digest: raw visitor tokens are credentials and go nowhere, Redis included.
        visitor = hashlib.sha256(token.encode()).hexdigest()[:32]
        await self._limits.hit(
            (self._address, f"webchat:address:{address}"),
            (self._visitor, f"webchat:visitor:{visitor}"),
        )
