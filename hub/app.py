"""The composition root: the only module that sees every package. It builds each component
from its own settings section, and closes them in reverse order when the app stops."""

from __future__ import annotations

import logging
import os
import socket
from contextlib import AsyncExitStack

from aiohttp import web

from agents_ui import AgentsUI
from channels.email import EmailChannel
from channels.twilio import TwilioChannel
from channels.webchat import WebchatChannel
from hub.flow.bus import Bus
from hub.flow.feed import EventFeed
from hub.flow.inbound import InboundStream
from hub.flow.publishing import PublishingWork
from hub.outbox.relay import OutboxRelay
from hub.ports import Store
from hub.services.auth import Authenticator, load_or_create_secret
from hub.services.conversations import ConversationService
from hub.services.delivery import DeliveryService
from hub.services.offers import OfferService
from hub.settings import Settings
from routing import Router
from storage import open_store

log = logging.getLogger(__name__)


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


async def _compose(settings: Settings, stack: AsyncExitStack) -> web.Application:
    store = await stack.enter_async_context(open_store(settings.database_url))
    bus = await stack.enter_async_context(
        Bus(settings.bus.url or None, namespace=store.installation_id)
    )
    feed = await stack.enter_async_context(EventFeed(bus, store.events))
    work = await stack.enter_async_context(PublishingWork(store.work, bus))
    outbox = OutboxRelay(work, settings.outbox)
    conversations = ConversationService(work, settings, outbox)
    offers = OfferService(work)
    secret = load_or_create_secret(settings.auth.secret, settings.server.data_dir)
    auth = Authenticator(store.agents, secret, settings.auth.token_ttl_seconds)
    stream = await stack.enter_async_context(InboundStream(store.inbound, bus, settings.database))
    # This process's name in leases and connection counts.
    holder = f"{socket.gethostname()}:{os.getpid()}:{id(stack):x}"
    await stack.enter_async_context(
        Router(
            store.reader,
            store.agents,
            offers,
            store.leases,
            feed,
            settings.routing,
            settings.queues,
            holder=holder,
        )
    )
    app = web.Application()
    email = _email_channel(settings, store, stream, work, secret, conversations)
    ui = AgentsUI(
        settings,
        store,
        auth,
        conversations,
        offers,
        feed,
        holder,
        mailboxes=email.states if email else None,
    )
    stack.push_async_callback(ui.aclose)
    ui.install(app)
    webchat = settings.channels.webchat
    if webchat.enabled:
        queue = settings.queue_for("webchat", webchat.queue).name
        WebchatChannel(stream, store.visitors, store.reader, feed, webchat, queue).install(app)
    twilio = settings.channels.twilio
    if twilio.enabled:
        token = twilio.auth_token.get_secret_value()
        queues = (settings.queue_for("sms").name, settings.queue_for("voice").name)
        channel = TwilioChannel(twilio, token, store, work, stream, feed, queues)
        await channel.install(app, outbox, stack)
    if email is not None:
        outbox.register("email", email.sender)
        await stack.enter_async_context(email)
    # Started after the channels registered their senders, and stopped before they close,
    # so a send in flight at shutdown finishes on a live client.
    await stack.enter_async_context(outbox)
    return app


def _email_channel(
    settings: Settings,
    store: Store,
    stream: InboundStream,
    work: PublishingWork,
    secret: str,
    conversations: ConversationService,
) -> EmailChannel | None:
    email = settings.channels.email
    if not email.enabled:
        return None
    queues = {m.name: settings.queue_for("email", m.queue).name for m in email.mailboxes}
    return EmailChannel(
        email,
        secret=secret,
        data_dir=settings.server.data_dir,
        stream=stream,
        customers=store.customers,
        store=store.email,
        delivery=DeliveryService(work),
        queues=queues,
        acknowledge=conversations.send_automatic,
    )
