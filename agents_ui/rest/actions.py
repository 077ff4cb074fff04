"""What agents do to a conversation over REST: edit it, take or assign it, resolve, reopen,
snooze, note and reply. Each checks the caller's access to the conversation first (403
outside their queues); the hub services check it again, with the rest of their rules, in
the transaction that makes the change."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from agents_ui.rest.endpoint import Call, Endpoint
from hub.errors import NotFound
from hub.ids import AgentId, ConversationId, NoteId
from hub.models import Agent, Conversation, Message, Presence
from hub.ports import AgentDirectory, ConversationListing, ConversationReader, Scope
from hub.services.access import require_access
from hub.services.conversations import ConversationService
from hub.services.handling import ConversationHandling

Text = Field(min_length=1, max_length=100_000, pattern=r"^[^\x00]*$")


class ConversationPatch(BaseModel):
    """Only the fields given change; `subject` and `snoozed_until` may be null."""

    model_config = ConfigDict(extra="forbid")
    priority: int = Field(0, ge=-1000, le=1000)
    labels: list[str] = Field(default_factory=list, max_length=50)
    subject: str | None = Field(None, max_length=1000)
    snoozed_until: AwareDatetime | None = Field(
        None, description="Snooze until then; null wakes a snoozed conversation"
    )


class LabelledConversation(BaseModel):
    conversation: Conversation
    labels: list[str]


class AssignBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    agent_id: str = Field(min_length=1, max_length=64)


class Assignment(BaseModel):
    conversation_id: ConversationId
    agent_id: AgentId
    agent_name: str
    agent_status: Presence = Field(description="Whether they are there to be offered it")
    waits_until: datetime = Field(description="The pin lapses back to the queue then")


class SnoozeBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    until: AwareDatetime


class NoteBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str = Text


class NoteAnswer(BaseModel):
    note_id: NoteId
    mentions: list[AgentId] = Field(description="The agents the note names")


class ReplyBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str = Text
    client_id: str = Field(min_length=1, max_length=64)


class ActionRoutes:
    def __init__(
        self,
        reader: ConversationReader,
        listing: ConversationListing,
        agents: AgentDirectory,
        conversations: ConversationService,
        handling: ConversationHandling,
        scope: Callable[[Agent], Scope],
    ) -> None:
        self._reader = reader
        self._listing = listing
        self._agents = agents
        self._conversations = conversations
        self._handling = handling
        self._scope = scope

    def endpoints(self) -> list[Endpoint]:
        c = "/api/v1/conversations/{id}"
        t = "conversations"
        return [
            Endpoint("PATCH", c, self.patch, "Edit priority, labels, subject, snooze", t,
                     body=ConversationPatch, response=LabelledConversation),
            Endpoint("POST", f"{c}/assign", self.assign,
                     "Assign (supervisors: anyone; agents: take it themselves)", t,
                     body=AssignBody, response=Assignment,
                     description="The conversation is pinned to the agent and offered to them "
                     "by the router; it is theirs once they accept."),
            Endpoint("POST", f"{c}/resolve", self.resolve, "Resolve", t,
                     response=LabelledConversation),
            Endpoint("POST", f"{c}/reopen", self.reopen, "Reopen (back to its queue)", t,
                     response=LabelledConversation),
            Endpoint("POST", f"{c}/snooze", self.snooze, "Snooze until a time", t,
                     body=SnoozeBody, response=LabelledConversation),
            Endpoint("POST", f"{c}/notes", self.note, "Add an internal note (@mentions)", t,
                     body=NoteBody, response=NoteAnswer, status=201),
            Endpoint("POST", f"{c}/messages", self.reply, "Reply to the customer", t,
                     body=ReplyBody, response=Message, status=201,
                     description="Idempotent on client_id: a retry answers the first reply."),
        ]  # fmt: skip

    async def patch(self, call: Call) -> LabelledConversation:
        body: ConversationPatch = call.body
        changes = {name: getattr(body, name) for name in body.model_fields_set}
        scope, conversation_id = await self._reachable(call)
        await self._handling.update(call.agent, scope, conversation_id, changes)
        return await self._answer(conversation_id)

    async def assign(self, call: Call) -> Assignment:
        body: AssignBody = call.body
        scope, conversation_id = await self._reachable(call)
        done = await self._handling.assign(
            call.agent, scope, conversation_id, AgentId(body.agent_id)
        )
        return Assignment(
            conversation_id=conversation_id,
            agent_id=done.target.id,
            agent_name=done.target.name,
            agent_status=done.target.status,
            waits_until=done.waits_until,
        )

    async def resolve(self, call: Call) -> LabelledConversation:
        _, conversation_id = await self._reachable(call)
        await self._conversations.resolve(call.agent, conversation_id)
        return await self._answer(conversation_id)

    async def reopen(self, call: Call) -> LabelledConversation:
        scope, conversation_id = await self._reachable(call)
        await self._handling.reopen(call.agent, scope, conversation_id)
        return await self._answer(conversation_id)

    async def snooze(self, call: Call) -> LabelledConversation:
        body: SnoozeBody = call.body
        scope, conversation_id = await self._reachable(call)
        await self._handling.snooze(call.agent, scope, conversation_id, body.until)
        return await self._answer(conversation_id)

    async def note(self, call: Call) -> NoteAnswer:
        body: NoteBody = call.body
        scope, conversation_id = await self._reachable(call)
        colleagues = await self._agents.agents()
        note_id, mentions = await self._handling.note(
            call.agent, scope, conversation_id, body.text, colleagues
        )
        return NoteAnswer(note_id=note_id, mentions=list(mentions))

    async def reply(self, call: Call) -> Message:
        body: ReplyBody = call.body
        _, conversation_id = await self._reachable(call)
        return await self._conversations.reply(
            call.agent, conversation_id, body.client_id, body.text
        )

    async def _reachable(self, call: Call) -> tuple[Scope, ConversationId]:
        """The caller's scope, once the conversation is known to be in it (else 404, 403)."""
        conversation_id = ConversationId(call.path("id"))
        conversation = await self._reader.conversation(conversation_id)
        if conversation is None:
            raise NotFound("conversation", conversation_id)
        scope = self._scope(call.agent)
        require_access(scope, conversation)
        return scope, conversation_id

    async def _answer(self, conversation_id: ConversationId) -> LabelledConversation:
        conversation = await self._reader.conversation(conversation_id)
        if conversation is None:
            raise NotFound("conversation", conversation_id)
        labels = await self._listing.labels_of(conversation_id)
        return LabelledConversation(conversation=conversation, labels=list(labels))
