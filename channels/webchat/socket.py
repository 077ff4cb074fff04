"""The customer socket /ws/chat: hello -> welcome with history; each message is acknowledged
only after its batch committed; agent replies, queue position, typing and resolution flow back."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from aiohttp import WSMsgType, web

from channels.webchat.customer_frames import CUSTOMER_FRAMES, Hello, Ping, SendMessage, Typing
from hub.channel import ChannelContext
from hub.errors import BadInput, HubError
from hub.events import Assigned, Envelope, Ephemeral, MessageCreated, StatusChanged, Unassigned
from hub.flow.tasks import stop
from hub.ids import AgentId, ConversationId, CustomerId
from hub.models import Conversation, InboundMessage, MailboxState, Message
from hub.outbox.items import SenderFor
from hub.settings.channels import WebchatSettings, resolved
from hub.wire.parsing import parse_frame, request_echo
from hub.wire.sockets import error_frame, send_quietly

log = logging.getLogger(__name__)


class WebchatChannel:
    """hub.channel.Channel for the web chat widget: one websocket route, no sender (replies
    reach the widget over its socket)."""

    def __init__(self, settings: WebchatSettings, context: ChannelContext) -> None:
        self._stream = context.stream
        self._visitors = context.store.visitors
        self._reader = context.store.reader
        self._feed = context.feed
        self._sockets = context.sockets
        self._settings = settings
        self._queue = resolved(settings.queue, "channels.webchat.queue")

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
        ws = await self._sockets.open(request)
        session = _CustomerSession(self, ws)
        try:
            await session.run()
        finally:
            await session.close()
        return ws


class _CustomerSession:
    def __init__(self, channel: WebchatChannel, ws: web.WebSocketResponse) -> None:
        self._c = channel
        self._ws = ws
        self._customer_id: CustomerId | None = None
        # The customer's conversation and who holds it: whom the customer's typing reaches.
        self._conversation_id: ConversationId | None = None
        self._assignee: AgentId | None = None
        self._pump: asyncio.Task[None] | None = None
        self._subscribed = asyncio.Event()

    async def run(self) -> None:
        async for msg in self._ws:
            if msg.type == WSMsgType.TEXT:
                await self._on_text(msg.data)
            elif msg.type == WSMsgType.BINARY:
                await self._error(BadInput("binary frames are not accepted; send JSON text"))

    async def close(self) -> None:
        await stop(self._pump)

    async def _on_text(self, data: str) -> None:
        try:
            frame = parse_frame(CUSTOMER_FRAMES, data, self._c._settings.max_message_bytes)
            if isinstance(frame, Hello):
                await self._hello(frame)
            elif isinstance(frame, Ping):
                await self._send({"type": "pong"})
            elif self._customer_id is None:
                raise BadInput("send hello first")
            elif isinstance(frame, SendMessage):
                await self._message(frame, self._customer_id)
            elif isinstance(frame, Typing):
                await self._typing(frame, self._customer_id)
        except HubError as exc:
            await self._error(exc, request_echo(data))
        except Exception:
            log.exception("customer frame failed")
            await self._send({"type": "error", "code": "internal", "message": "internal error"})

    async def _hello(self, hello: Hello) -> None:
        if self._customer_id is not None:
            raise BadInput("hello was already received on this connection")
        visitor = await self._c._visitors.visitor(hello.visitor_token, hello.name, hello.email)
        self._customer_id = visitor.customer.id
        self._set_conversation(visitor.conversation)
        self._pump = asyncio.create_task(self._forward(visitor.customer.id))
        await self._subscribed.wait()
        conversation = visitor.conversation
        history = await self._c._reader.messages(conversation.id) if conversation else []
        await self._send(
            {
                "type": "welcome",
                "visitor_token": visitor.token,
                "customer_id": visitor.customer.id,
                "conversation_id": conversation.id if conversation else None,
                "status": conversation.status if conversation else None,
                "agent_name": conversation.assignee_name if conversation else None,
                "history": [_message_json(m) for m in history],
            }
        )

    async def _message(self, frame: SendMessage, customer_id: CustomerId) -> None:
        result = await self._c._stream.receive(
            InboundMessage(
                channel="webchat",
                customer_id=customer_id,
                dedupe_key=f"webchat:{customer_id}:{frame.client_id}",
                text=frame.text,
                client_id=frame.client_id,
                queue=self._c._queue,
            )
        )
        if not result.duplicate:
            self._set_conversation(result.conversation)
        await self._send(
            {
                "type": "ack",
                "client_id": frame.client_id,
                "message_id": result.message.id,
                "conversation_id": result.message.conversation_id,
            }
        )

    async def _typing(self, frame: Typing, customer_id: CustomerId) -> None:
        if self._conversation_id is None or self._assignee is None:
            return
        await self._c._feed.publish(
            [
                Ephemeral(
                    type="typing",
                    conversation_id=self._conversation_id,
                    customer_id=customer_id,
                    author="customer",
                    typing=frame.typing,
                    audience=self._assignee,
                )
            ]
        )

    def _set_conversation(self, conversation: Conversation | None) -> None:
        self._conversation_id = conversation.id if conversation else None
        self._assignee = conversation.assignee_id if conversation else None

    async def _forward(self, customer_id: CustomerId) -> None:
        async with self._c._feed.subscribe(customer=customer_id) as subscription:
            self._subscribed.set()
            while not subscription.overflowed:
                frame = self._frame_for(await subscription.get())
                if frame is not None:
                    await self._send(frame)
        # Fell too far behind: closing makes the widget reconnect and reload its history.
        await self._ws.close(code=1013, message=b"resync")

    def _frame_for(self, message: Envelope | Ephemeral) -> dict[str, Any] | None:
        if isinstance(message, Ephemeral):
            if message.type == "queue":
                return {
                    "type": "queue",
                    "conversation_id": message.conversation_id,
                    "position": message.position,
                }
            if message.author == "agent":
                return {
                    "type": "typing",
                    "conversation_id": message.conversation_id,
                    "typing": message.typing,
                    "agent_name": message.agent_name,
                }
            return None
        event = message.event
        if isinstance(event, MessageCreated) and event.author == "agent":
            return {
                "type": "message",
                "message_id": event.message_id,
                "conversation_id": event.conversation_id,
                "author": "agent",
                "agent_name": event.agent_name,
                "text": event.text,
                "created_at": event.created_at.isoformat(),
            }
        if isinstance(event, Assigned):
            self._conversation_id, self._assignee = event.conversation_id, event.agent_id
            return {
                "type": "assigned",
                "conversation_id": event.conversation_id,
                "agent_name": event.agent_name,
            }
        if isinstance(event, Unassigned):
            self._assignee = None
        if isinstance(event, StatusChanged) and event.status == "resolved":
            return {
                "type": "status",
                "conversation_id": event.conversation_id,
                "status": "resolved",
            }
        return None

    async def _send(self, frame: dict[str, Any]) -> None:
        # The widget reloads its history on reconnect: a frame lost here is no lost message.
        await send_quietly(self._ws, frame)

    async def _error(self, exc: HubError, echo: dict[str, str] | None = None) -> None:
        await self._send(error_frame(exc) | (echo or {}))


def _message_json(message: Message) -> dict[str, Any]:
    """A message of `welcome.history` as the visitor may see it: an agent by display name
    only (no id, no meta, no attachment URLs, which are agents' own), and the visitor's own
    `client_id` so the widget can match what it still holds unacknowledged."""
    item: dict[str, Any] = {
        "message_id": message.id,
        "conversation_id": message.conversation_id,
        "author": message.author,
        "agent_name": message.agent_name if message.author == "agent" else None,
        "text": message.text,
        "created_at": message.created_at.isoformat(),
    }
    if message.author == "customer" and message.client_id:
        item["client_id"] = message.client_id
    return item
