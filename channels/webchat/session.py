"""One customer socket: hello -> welcome with history; each message is acknowledged only after
its batch committed; agent replies, queue position, typing and resolution flow back.

A new visitor is no customer yet: `hello` only issues a token. The customer is made right
before their first message is submitted (so the message's batch finds it), once that message
passed the rate limits; an `ack` still follows only the commit."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any

from aiohttp import WSMsgType, web

from channels.webchat.customer_frames import CUSTOMER_FRAMES, Hello, Ping, SendMessage, Typing
from channels.webchat.guard import MessageLimits
from channels.webchat.tokens import VisitorTokens
from channels.webchat.visible import frame_for, history_item
from hub.errors import BadInput, HubError
from hub.events import Assigned, Envelope, Ephemeral, Unassigned
from hub.flow.feed import EventFeed
from hub.flow.inbound import InboundStream
from hub.flow.tasks import stop
from hub.ids import AgentId, ConversationId, CustomerId
from hub.models import Conversation, InboundMessage, Visitor
from hub.ports import ConversationReader, Visitors
from hub.wire.parsing import parse_frame, request_echo
from hub.wire.sockets import error_frame, send_quietly

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ChatParts:
    """What every customer socket of the channel shares."""

    stream: InboundStream
    visitors: Visitors
    reader: ConversationReader
    feed: EventFeed
    tokens: VisitorTokens
    limits: MessageLimits
    queue: str
    max_message_bytes: int


class CustomerSession:
    def __init__(self, parts: ChatParts, ws: web.WebSocketResponse, address: str) -> None:
        self._p = parts
        self._ws = ws
        self._address = address
        self._token: str | None = None  # set by hello
        self._claim: tuple[str | None, str | None] = (None, None)  # hello's name and email
        self._customer_id: CustomerId | None = None  # from the first message, or a resume
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
            frame = parse_frame(CUSTOMER_FRAMES, data, self._p.max_message_bytes)
            if isinstance(frame, Hello):
                await self._hello(frame)
            elif isinstance(frame, Ping):
                await self._send({"type": "pong"})
            elif self._token is None:
                raise BadInput("send hello first")
            elif isinstance(frame, SendMessage):
                await self._message(frame, self._token)
            elif isinstance(frame, Typing):
                await self._typing(frame)
        except HubError as exc:
            await self._error(exc, request_echo(data))
        except Exception:
            log.exception("customer frame failed")
            await self._send({"type": "error", "code": "internal", "message": "internal error"})

    async def _hello(self, hello: Hello) -> None:
        if self._token is not None:
            raise BadInput("hello was already received on this connection")
        given = hello.visitor_token
        visitor = await self._p.visitors.find(given) if given else None
        if visitor is None:
            # Ours but unused so far (no message yet), or a new visitor: nothing is stored.
            self._token = (
                given if given and self._p.tokens.issued(given) else self._p.tokens.issue()
            )
            self._claim = (hello.name, hello.email)
        else:
            self._token = given
            await self._refresh(visitor, hello)
            await self._follow(visitor.customer.id)
            self._set_conversation(visitor.conversation)
        await self._welcome(visitor)

    async def _refresh(self, visitor: Visitor, hello: Hello) -> None:
        """Store what this hello says anew, and only that: a reconnect writes nothing."""
        customer = visitor.customer
        name = hello.name if hello.name and hello.name != customer.display_name else None
        claimed = {i.address for i in customer.identities if i.kind == "email"}
        email = hello.email if hello.email and hello.email.lower() not in claimed else None
        if name or email:
            await self._p.visitors.update(customer.id, name, email)

    async def _welcome(self, visitor: Visitor | None) -> None:
        conversation = visitor.conversation if visitor else None
        history = await self._p.reader.messages(conversation.id) if conversation else []
        await self._send(
            {
                "type": "welcome",
                "visitor_token": self._token,
                "customer_id": visitor.customer.id if visitor else None,
                "conversation_id": conversation.id if conversation else None,
                "status": conversation.status if conversation else None,
                "agent_name": conversation.assignee_name if conversation else None,
                "history": [history_item(m) for m in history],
            }
        )

    async def _message(self, frame: SendMessage, token: str) -> None:
        await self._p.limits.admit(token, self._address)
        customer_id = self._customer_id or await self._register(token)
        result = await self._p.stream.receive(
            InboundMessage(
                channel="webchat",
                customer_id=customer_id,
                dedupe_key=f"webchat:{customer_id}:{frame.client_id}",
                text=frame.text,
                client_id=frame.client_id,
                queue=self._p.queue,
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

    async def _register(self, token: str) -> CustomerId:
        """The visitor's first message: now they are a customer (or another socket of
        theirs made them one), and what happens to them starts flowing here."""
        name, email = self._claim
        customer_id = await self._p.visitors.register(token, name, email)
        await self._follow(customer_id)
        return customer_id

    async def _follow(self, customer_id: CustomerId) -> None:
        self._customer_id = customer_id
        self._pump = asyncio.create_task(self._forward(customer_id))
        await self._subscribed.wait()

    async def _typing(self, frame: Typing) -> None:
        if self._customer_id is None or self._conversation_id is None or self._assignee is None:
            return
        await self._p.feed.publish(
            [
                Ephemeral(
                    type="typing",
                    conversation_id=self._conversation_id,
                    customer_id=self._customer_id,
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
        async with self._p.feed.subscribe(customer=customer_id) as subscription:
            self._subscribed.set()
            while not subscription.overflowed:
                message = await subscription.get()
                self._track(message)
                frame = frame_for(message)
                if frame is not None:
                    await self._send(frame)
        # Fell too far behind: closing makes the widget reconnect and reload its history.
        await self._ws.close(code=1013, message=b"resync")

    def _track(self, message: Envelope | Ephemeral) -> None:
        if not isinstance(message, Envelope):
            return
        if isinstance(message.event, Assigned):
            self._conversation_id = message.event.conversation_id
            self._assignee = message.event.agent_id
        elif isinstance(message.event, Unassigned):
            self._assignee = None

    async def _send(self, frame: dict[str, Any]) -> None:
        # The widget reloads its history on reconnect: a frame lost here is no lost message.
        await send_quietly(self._ws, frame)

    async def _error(self, exc: HubError, echo: dict[str, str] | None = None) -> None:
        await self._send(error_frame(exc) | (echo or {}))
