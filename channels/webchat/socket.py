"""The customer socket /ws/chat: the web chat channel's one route. Each socket is a
`CustomerSession` (channels/webchat/session.py); a client address holding too many is
refused with close code 4429."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from channels.webchat.guard import (
    TOO_MANY_SOCKETS,
    TOO_MANY_SOCKETS_REASON,
    MessageLimits,
    SocketCap,
)
from channels.webchat.session import ChatParts, CustomerSession
from channels.webchat.tokens import VisitorTokens
from hub.channel import ChannelContext
from hub.models import MailboxState
from hub.outbox.items import SenderFor
from hub.settings.channels import WebchatSettings, resolved


class WebchatChannel:
    """hub.channel.Channel for the web chat widget: one websocket route, no sender (replies
    reach the widget over its socket)."""

    def __init__(self, settings: WebchatSettings, context: ChannelContext) -> None:
        self._sockets = context.sockets
        self._addresses = context.addresses
        self._cap = SocketCap(settings.max_sockets_per_address)
        self._parts = ChatParts(
            stream=context.stream,
            visitors=context.store.visitors,
            reader=context.store.reader,
            feed=context.feed,
            tokens=VisitorTokens(context.secret),
            limits=MessageLimits(settings, context.limits),
            queue=resolved(settings.queue, "channels.webchat.queue"),
            max_message_bytes=settings.max_message_bytes,
        )

    def routes(self) -> list[web.RouteDef]:
        return [web.get("/ws/chat", self.handle)]

    def senders(self) -> list[SenderFor[Any]]:
        return []

    def states(self) -> list[MailboxState]:
        return []

    async def __aenter__(self) -> WebchatChannel:
        return self

    async def __aexit__(self, *exc: object) -> None:
        return None

    async def handle(self, request: web.Request) -> web.WebSocketResponse:
        address = self._addresses.of(request)
        ws = await self._sockets.open(request)
        with self._cap.hold(address) as admitted:
            if not admitted:
                # Accepted only to say why: a refused upgrade would reach a browser as 1006.
                await ws.close(code=TOO_MANY_SOCKETS, message=TOO_MANY_SOCKETS_REASON)
                return ws
            session = CustomerSession(self._parts, ws, address)
            try:
                await session.run()
            finally:
                await session.close()
        return ws
