"""Frames the agent console and the supervisor page send (docs/protocol.md)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, TypeAdapter

from hub.ids import AgentId, ConversationId, OfferId
from hub.wire.parsing import Frame

Text = Annotated[str, Field(min_length=1)]
ClientId = Annotated[str, Field(min_length=1, max_length=64)]


class SetPresence(Frame):
    type: Literal["presence"]
    status: Literal["available", "away", "offline"]


class Accept(Frame):
    type: Literal["accept"]
    offer_id: OfferId


class Reject(Frame):
    type: Literal["reject"]
    offer_id: OfferId
    reason: Annotated[str, Field(max_length=200)] = ""


class ReplyAttachment(Frame):
    """A file uploaded before through POST /api/v1/attachments, named by its hash."""

    sha256: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]
    # No control characters: the name goes into mail headers (CR/LF would be refused only
    # at send, long after the agent moved on).
    name: Annotated[str, Field(min_length=1, max_length=200, pattern=r"^[^\x00-\x1f\x7f]+$")]
    content_type: Annotated[str, Field(pattern=r"^[\w.+-]+/[\w.+-]+$")] = "application/octet-stream"


class Reply(Frame):
    type: Literal["reply"]
    conversation_id: ConversationId
    client_id: ClientId
    text: Text
    attachments: Annotated[list[ReplyAttachment], Field(max_length=20)] = []


class Note(Frame):
    type: Literal["note"]
    conversation_id: ConversationId
    text: Text
    client_id: ClientId | None = None


class Transfer(Frame):
    type: Literal["transfer"]
    conversation_id: ConversationId
    to_agent_id: AgentId | None = None
    to_queue: str | None = None


class Resolve(Frame):
    type: Literal["resolve"]
    conversation_id: ConversationId


class AgentTyping(Frame):
    type: Literal["typing"]
    conversation_id: ConversationId
    typing: bool


class Resume(Frame):
    type: Literal["resume"]
    last_event_id: Annotated[int, Field(ge=0)]


class Ping(Frame):
    type: Literal["ping"]


class Reassign(Frame):
    type: Literal["reassign"]
    conversation_id: ConversationId
    to_agent_id: AgentId


AgentFrame = Annotated[
    SetPresence | Accept | Reject | Reply | Note | Transfer | Resolve | AgentTyping | Resume | Ping,
    Field(discriminator="type"),
]
AGENT_FRAMES: TypeAdapter[AgentFrame] = TypeAdapter(AgentFrame)
SupervisorFrame = Annotated[Reassign | Ping, Field(discriminator="type")]
SUPERVISOR_FRAMES: TypeAdapter[SupervisorFrame] = TypeAdapter(SupervisorFrame)
