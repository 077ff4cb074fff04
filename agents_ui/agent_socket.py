"""The agent console socket /ws/agent. Every stream frame carries its event id; a console that
reconnects sends `resume` with the last id it processed and gets exactly what it missed."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from aiohttp import WSMsgType, web

from agents_ui.console_frames import (
    AGENT_FRAMES,
    Accept,
    AgentFrame,
    AgentTyping,
    Note,
    Ping,
    Reject,
    Reply,
    Resolve,
    Resume,
    SetPresence,
    Transfer,
)
from agents_ui.console_stream import ConsoleFrames
from agents_ui.files import FilesApi
from agents_ui.presence import ConnectionTracker
from agents_ui.session import Sessions
from hub.errors import BadInput, Forbidden, HubError, NotFound
from hub.events import Envelope, Ephemeral
from hub.flow.feed import EventFeed
from hub.flow.tasks import stop
from hub.models import Agent, Attachment
from hub.ports import ConversationReader, EventLog
from hub.services.conversations import ConversationService
from hub.services.offers import OfferService
from hub.wire.parsing import parse_frame, request_echo
from hub.wire.sockets import SocketHub, error_frame, send_quietly

log = logging.getLogger(__name__)
REPLAY_PAGE = 1000


class AgentSocket:
    def __init__(
        self,
        sessions: Sessions,
        conversations: ConversationService,
        offers: OfferService,
        reader: ConversationReader,
        events: EventLog,
        feed: EventFeed,
        tracker: ConnectionTracker,
        sockets: SocketHub,
        max_frame_bytes: int,
        files: FilesApi | None = None,
    ) -> None:
        self.files = files  # resolves a reply's uploaded attachments
        self.sessions = sessions
        self.conversations = conversations
        self.offers = offers
        self.reader = reader
        self.events = events
        self.feed = feed
        self.tracker = tracker
        self.sockets = sockets
        self.max_frame_bytes = max_frame_bytes

    async def handle(self, request: web.Request) -> web.WebSocketResponse:
        ws = await self.sockets.open(request)
        try:
            session = await self.sessions.session(request)
        except HubError as exc:
            await send_quietly(ws, error_frame(exc))
            await ws.close(code=4401, message=b"unauthorized")
            return ws
        agent = session.agent
        self.tracker.connected(agent.id)
        try:
            async with self.sessions.watching(ws, session):  # 4401 once it is revoked
                await _AgentSession(self, ws, agent).run()
        finally:
            self.tracker.disconnected(agent.id)
        return ws


class _AgentSession:
    def __init__(self, owner: AgentSocket, ws: web.WebSocketResponse, agent: Agent) -> None:
        self._o = owner
        self._ws = ws
        self._agent = agent
        self._lock = asyncio.Lock()  # one writer of stream frames at a time, in id order
        self._sent_upto = 0
        self._inflight: set[asyncio.Task[None]] = set()
        self._frames = ConsoleFrames(owner.reader)

    async def run(self) -> None:
        async with self._o.feed.subscribe(audience=self._agent.id) as subscription:
            self._sent_upto = self._o.feed.cursor
            await self._welcome()
            pump = asyncio.create_task(self._pump(subscription))
            try:
                async for msg in self._ws:
                    if msg.type == WSMsgType.TEXT:
                        await self._on_text(msg.data)
                    elif msg.type == WSMsgType.BINARY:
                        await self._send(error_frame(BadInput("send JSON text frames")))
            finally:
                await stop(pump)

    async def _welcome(self) -> None:
        await self._send(await self._frames.welcome(self._agent, self._sent_upto))

    async def _pump(self, subscription: Any) -> None:
        while not subscription.overflowed:
            message = await subscription.get()
            if isinstance(message, Ephemeral):
                if message.type == "typing" and message.author == "customer":
                    await self._send(message.model_dump(mode="json", exclude_none=True))
                continue
            async with self._lock:
                await self._stream(message)
        # Too far behind to catch up in memory: the console reconnects and resumes by id.
        await self._ws.close(code=1013, message=b"resync")

    async def _stream(self, envelope: Envelope) -> None:
        if envelope.id > self._sent_upto:
            self._sent_upto = envelope.id
            await self._send(await self._frames.stream(envelope))

    async def _resume(self, last_event_id: int) -> None:
        async with self._lock:
            pruned = await self._o.events.pruned_through()
            if last_event_id < pruned:
                await self._reload(last_event_id, pruned)
                return
            cursor = last_event_id
            while True:
                page = await self._o.events.after(cursor, self._agent.id, REPLAY_PAGE)
                for envelope in page:
                    await self._send(await self._frames.stream(envelope))
                if page:
                    cursor = page[-1].id
                if len(page) < REPLAY_PAGE:
                    break
            # Everything up to `cursor` is committed and now sent; the live pump skips it.
            self._sent_upto = max(self._sent_upto, cursor)
            await self._send({"type": "resumed", "last_event_id": self._sent_upto})

    async def _reload(self, last_event_id: int, pruned: int) -> None:
        """Events after the console's id were pruned: it cannot catch up by replay. It gets
        `reload` instead, and rebuilds from this connection's welcome snapshot (the live
        stream goes on after its id), rather than reconnecting in a loop."""
        await self._send(
            {
                "type": "reload",
                "reason": f"events after {last_event_id} were pruned (through {pruned})",
                "last_event_id": self._sent_upto,
            }
        )

    async def _on_text(self, data: str) -> None:
        try:
            frame = parse_frame(AGENT_FRAMES, data, self._o.max_frame_bytes)
        except HubError as exc:
            await self._send(error_frame(exc) | request_echo(data))
            return
        if isinstance(frame, Reply | Note):
            # Replies and notes do not depend on each other: handled side by side they share
            # group commits. Each enqueues its write before its first await, so they still
            # commit in the order the agent sent them.
            task = asyncio.create_task(self._answer(frame, data))
            self._inflight.add(task)
            task.add_done_callback(self._inflight.discard)
        else:
            # Anything else (resolve, transfer, ...) lands after the replies sent before it.
            if self._inflight:
                await asyncio.wait(self._inflight)
            await self._answer(frame, data)

    async def _answer(self, frame: AgentFrame, data: str) -> None:
        try:
            await self._act(frame)
        except HubError as exc:
            await self._send(error_frame(exc) | request_echo(data))
        except Exception:
            log.exception("agent frame failed")
            internal = {"type": "error", "code": "internal", "message": "internal error"}
            await self._send(internal | request_echo(data))

    def _attachments(self, frame: Reply) -> list[Attachment]:
        """Uploaded files named by the reply; an unknown hash is refused (NotFound)."""
        files = self._o.files
        if not frame.attachments:
            return []
        if files is None:
            raise BadInput("attachments are not accepted here")
        return [files.attachment(a.sha256, a.name, a.content_type) for a in frame.attachments]

    async def _act(self, frame: AgentFrame) -> None:
        agent, conversations, offers = self._agent, self._o.conversations, self._o.offers
        if isinstance(frame, SetPresence):
            await conversations.set_presence(agent.id, frame.status)
        elif isinstance(frame, Accept):
            await offers.accept(agent.id, frame.offer_id)
        elif isinstance(frame, Reject):
            await offers.reject(agent.id, frame.offer_id, frame.reason)
        elif isinstance(frame, Reply):
            message = await conversations.reply(
                agent, frame.conversation_id, frame.client_id, frame.text, self._attachments(frame)
            )
            await self._send(
                {
                    "type": "ack",
                    "client_id": frame.client_id,
                    "message_id": message.id,
                    "conversation_id": message.conversation_id,
                }
            )
        elif isinstance(frame, Note):
            note_id = await conversations.note(agent, frame.conversation_id, frame.text)
            await self._send(
                {
                    "type": "ack",
                    "client_id": frame.client_id,
                    "note_id": note_id,
                    "conversation_id": frame.conversation_id,
                }
            )
        elif isinstance(frame, Transfer):
            await conversations.transfer(
                agent, frame.conversation_id, to_agent_id=frame.to_agent_id, to_queue=frame.to_queue
            )
        elif isinstance(frame, Resolve):
            await conversations.resolve(agent, frame.conversation_id)
        elif isinstance(frame, AgentTyping):
            await self._typing(frame)
        elif isinstance(frame, Resume):
            await self._resume(frame.last_event_id)
        elif isinstance(frame, Ping):
            await self._send({"type": "pong"})

    async def _typing(self, frame: AgentTyping) -> None:
        conversation = await self._o.reader.conversation(frame.conversation_id)
        if conversation is None:
            raise NotFound("conversation", frame.conversation_id)
        if conversation.assignee_id != self._agent.id:
            raise Forbidden(f"conversation {frame.conversation_id} is not assigned to you")
        await self._o.feed.publish(
            [
                Ephemeral(
                    type="typing",
                    conversation_id=conversation.id,
                    customer_id=conversation.customer_id,
                    author="agent",
                    agent_name=self._agent.name,
                    typing=frame.typing,
                )
            ]
        )

    async def _send(self, frame: dict[str, Any]) -> None:
        await send_quietly(self._ws, frame)
