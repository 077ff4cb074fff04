"""What a channel adapter is to the composition root. Each channel (web chat, Twilio, email)
is built from its own settings section, with its queues already resolved
(hub.settings.queues), and the `ChannelContext`; it then exposes its routes, its outbox
senders and its lifecycle, so `hub/app.py` treats every channel alike."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, Self

from aiohttp import web

from hub.flow.feed import EventFeed
from hub.flow.inbound import InboundStream
from hub.flow.publishing import PublishingWork
from hub.models import MailboxState
from hub.outbox.items import SenderFor
from hub.ports import Store
from hub.services.conversations import ConversationService
from hub.services.delivery import DeliveryService
from hub.wire.clients import ClientAddresses
from hub.wire.ratelimits import RateLimits
from hub.wire.sockets import SocketHub


@dataclass(frozen=True)
class ChannelContext:
    """The parts of the hub a channel may use; each channel takes only what it needs."""

    store: Store
    stream: InboundStream  # every inbound message goes here, and is acknowledged after it
    work: PublishingWork  # for the services a channel runs (calls, consent)
    feed: EventFeed  # what happens after a message: replies, assignments, positions
    sockets: SocketHub  # long-lived client sockets, closed together at shutdown
    conversations: ConversationService
    delivery: DeliveryService  # providers' receipts
    secret: str  # the hub's secret, for keys derived from it (email reply tokens)
    data_dir: Path
    addresses: ClientAddresses  # a request's client address (X-Forwarded-For if trusted)
    limits: RateLimits  # shared by every process on the bus's Redis, if it has one


class Channel(Protocol):
    """A channel adapter. Routes are added and senders registered before it is entered;
    `async with` starts what it runs (pollers, API clients, watchers) and stops it."""

    def routes(self) -> Sequence[web.RouteDef]:
        """The HTTP and websocket endpoints it serves (webhooks, the customer socket)."""
        ...

    def senders(self) -> Sequence[SenderFor[Any]]:
        """What it sends for the outbox, each with the payload model it takes."""
        ...

    def states(self) -> Sequence[MailboxState]:
        """The connections it keeps open to a provider (email mailboxes), as the
        supervisor page shows them."""
        ...

    async def __aenter__(self) -> Self: ...

    async def __aexit__(self, *exc: object) -> None: ...
