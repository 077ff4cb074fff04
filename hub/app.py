"""The composition root: the only module that sees every package. It builds each component
from its own settings section, and closes them in reverse order when the app stops."""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass

from aiohttp import web

from agents_ui import Administration, AgentsUI, ConversationServices, HealthApi
from channels.email import EmailChannel
from channels.twilio import TwilioChannel
from channels.webchat import WebchatChannel
from hub.channel import Channel, ChannelContext
from hub.flow.bus import Bus
from hub.flow.feed import EventFeed
from hub.flow.health import Health
from hub.flow.inbound import InboundStream
from hub.flow.publishing import PublishingWork
from hub.flow.queues import QueueDirectory
from hub.flow.retention import EventLogPruner
from hub.models import MailboxState
from hub.outbox.relay import OutboxRelay
from hub.ports import Store
from hub.services.admin import AgentAdmin
from hub.services.auth import Authenticator, HashPool, load_or_create_secret, private_dir
from hub.services.conversations import ConversationService
from hub.services.customers import CustomerService
from hub.services.delivery import DeliveryService
from hub.services.handling import ConversationHandling
from hub.services.labels import LabelService
from hub.services.logins import Logins
from hub.services.offers import OfferService
from hub.services.queue_admin import QueueAdmin
from hub.services.snoozes import SnoozeAlarm
from hub.settings import Settings
from hub.settings.channels import ChannelsSettings
from hub.settings.queues import channel_queues, resolve_channels
from hub.settings.secrets import require_channel_secrets
from hub.wire.clients import ClientAddresses
from hub.wire.ratelimits import RateLimits
from hub.wire.sockets import SocketHub
from routing import Router
from storage import open_store

log = logging.getLogger(__name__)
SNOOZE_CHECK_SECONDS = 1.0  # a snooze ends at most this late


async def build_app(settings: Settings) -> web.Application:
    stack = AsyncExitStack()
    try:
        app = await _compose(settings, stack)
    except BaseException:
        await stack.aclose()
        raise

    async def close(_app: web.Application) -> None:
        await stack.aclose()

    app.on_cleanup.append(close)
    return app


@dataclass(frozen=True)
class _Core:
    """What the edges are built on."""

    store: Store
    feed: EventFeed
    work: PublishingWork
    stream: InboundStream
    relay: OutboxRelay
    conversations: ConversationService
    handling: ConversationHandling
    offers: OfferService
    auth: Authenticator
    health: Health
    logins: Logins
    queues: QueueDirectory  # the stored queues, live
    hashes: HashPool
    secret: str
    holder: str  # this process's name in leases and connection counts
    limits: RateLimits  # the edges' rate limits, on the bus's Redis when it has one


async def _compose(settings: Settings, stack: AsyncExitStack) -> web.Application:
    # Before anything is opened: a channel that cannot run stops start-up, naming the key.
    require_channel_secrets(resolve_channels(settings))
    core = await _core(settings, stack)
    app = web.Application()
    sockets = SocketHub()  # customer and agent sockets, closed with 1001 at shutdown
    app.on_shutdown.append(sockets.close_all)
    # Channels resolve their queue references once, against the stored queues; those they
    # send to cannot be deleted while this process runs.
    sections = resolve_channels(settings, core.queues.all())
    channels = _channels(sections, _context(core, settings, sockets))
    admin = Administration(
        queues=core.queues,
        agents=AgentAdmin(core.work, core.hashes),
        queue_admin=QueueAdmin(core.work, core.queues, channel_queues(sections)),
    )

    def mailboxes() -> list[MailboxState]:
        return [state for channel in channels for state in channel.states()]

    ui = AgentsUI(
        settings,
        core.store,
        core.auth,
        core.logins,
        core.conversations,
        core.offers,
        core.feed,
        core.holder,
        sockets,
        mailboxes,
        ConversationServices(
            core.conversations,
            core.handling,
            LabelService(core.work),
            CustomerService(core.work),
        ),
        admin,
    )
    stack.push_async_callback(ui.aclose)
    ui.install(app)
    HealthApi(core.health).install(app)
    for channel in channels:
        app.router.add_routes(channel.routes())
        for sender in channel.senders():
            core.relay.register(sender)
    for channel in channels:
        await stack.enter_async_context(channel)
    # Started after the channels registered their senders, and stopped before they close,
    # so a send in flight at shutdown finishes on a live client.
    await stack.enter_async_context(core.relay)
    return app


async def _core(settings: Settings, stack: AsyncExitStack) -> _Core:
    private_dir(settings.server.data_dir)  # 0700: the secret, the database, attachments
    secret = load_or_create_secret(settings.auth.secret, settings.server.data_dir)
    store = await stack.enter_async_context(open_store(settings.database_url))
    bus = await stack.enter_async_context(
        Bus(settings.bus.url or None, namespace=store.installation_id)
    )
    feed = await stack.enter_async_context(EventFeed(bus, store.events))
    # Chat message limits, login attempts and ticket nonces, all on the bus's Redis when it has
    # one, so every process counts together.
    limits = await stack.enter_async_context(
        RateLimits(settings.bus.url or None, namespace=store.installation_id)
    )
    await stack.enter_async_context(EventLogPruner(store.events, settings.events))
    work = await stack.enter_async_context(PublishingWork(store.work, bus))
    relay = OutboxRelay(work, settings.outbox)
    # The queues live in the database: config.toml's [[queues]] seed an empty table (the
    # first start), then admins' edits win. Every component reads them through `queues.all`.
    await store.queues.seed(settings.queues)
    queues = await stack.enter_async_context(QueueDirectory(store.queues, feed))
    offers = OfferService(work, settings.routing, queues.all)
    hashes = HashPool(settings.auth.hash_workers, settings.auth.hash_queue)
    stack.callback(hashes.close)
    auth = Authenticator(
        store.agents,
        secret,
        settings.auth.token_ttl_seconds,
        limits,
        settings.auth.ticket_ttl_seconds,
    )
    stream = await stack.enter_async_context(InboundStream(store.inbound, bus, settings.database))
    holder = f"{socket.gethostname()}:{os.getpid()}:{id(stack):x}"
    await stack.enter_async_context(
        Router(
            store.reader,
            store.agents,
            offers,
            store.leases,
            feed,
            settings.routing,
            queues.all,
            holder=holder,
            refresh_queues=queues.reload,
        )
    )
    conversations = ConversationService(work, settings, relay, queues.all)
    handling = ConversationHandling(work, conversations, settings.routing)
    await stack.enter_async_context(
        SnoozeAlarm(store.listing, handling, every_seconds=SNOOZE_CHECK_SECONDS)
    )
    return _Core(
        store=store,
        feed=feed,
        work=work,
        stream=stream,
        relay=relay,
        conversations=conversations,
        handling=handling,
        offers=offers,
        auth=auth,
        health=Health(store.events, bus, feed),
        logins=Logins(store.agents, auth, hashes, limits, settings.auth),
        secret=secret,
        holder=holder,
        limits=limits,
        queues=queues,
        hashes=hashes,
    )


def _context(core: _Core, settings: Settings, sockets: SocketHub) -> ChannelContext:
    return ChannelContext(
        store=core.store,
        stream=core.stream,
        work=core.work,
        feed=core.feed,
        sockets=sockets,
        conversations=core.conversations,
        delivery=DeliveryService(core.work),
        secret=core.secret,
        data_dir=settings.server.data_dir,
        addresses=ClientAddresses(settings.server.trusted_proxies),
        limits=core.limits,
    )


def _channels(sections: ChannelsSettings, context: ChannelContext) -> list[Channel]:
    """The enabled channels, each from its own section with its queues resolved."""
    factories: list[tuple[bool, Callable[[], Channel]]] = [
        (sections.webchat.enabled, lambda: WebchatChannel(sections.webchat, context)),
        (sections.twilio.enabled, lambda: TwilioChannel(sections.twilio, context)),
        (sections.email.enabled, lambda: EmailChannel(sections.email, context)),
    ]
    return [build() for enabled, build in factories if enabled]
