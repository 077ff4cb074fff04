"""What agents and supervisors do to conversations. Each action is a synchronous function over
one Transaction: it writes the change, its timeline entry and its event; PublishingWork runs
it in a group-committed transaction and publishes the event after the commit."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from hub.clock import Clock, system_clock
from hub.errors import BadInput, Conflict, Forbidden, NotFound, OptedOut
from hub.events import (
    NoteAdded,
    PresenceChanged,
    StatusChanged,
    Transferred,
    Unassigned,
)
from hub.flow.publishing import PublishingWork
from hub.flow.queues import Queues
from hub.ids import AgentId, ConversationId, NoteId, new_id
from hub.models import (
    Agent,
    Attachment,
    Conversation,
    Message,
    Presence,
)
from hub.outbox.relay import OutboxRelay
from hub.ports import Transaction
from hub.services.offers import cancel_pending
from hub.services.outbound import check_consent, outbound_message, store_outbound
from hub.settings import Settings


class ConversationService:
    def __init__(
        self,
        work: PublishingWork,
        settings: Settings,
        outbox: OutboxRelay | None = None,
        queues: Queues | None = None,
        clock: Clock = system_clock,
    ) -> None:
        self._work = work
        self._settings = settings
        self._queues = queues or (lambda: settings.queues)
        self._outbox = outbox
        self._clock = clock  # when each action happens: its rows and its events

    async def reply(
        self,
        agent: Agent,
        conversation_id: ConversationId,
        client_id: str,
        text: str,
        attachments: Sequence[Attachment] = (),
    ) -> Message:
        """Store an agent's reply. The same client_id again returns the first reply. On a
        channel with a sender (SMS, email) the send is queued in the outbox in the same
        transaction; a customer who opted out of the address gets nothing (OptedOut)."""
        key = f"agent:{agent.id}:{client_id}"
        outbox, clock = self._outbox, self._clock

        def act(tx: Transaction) -> tuple[Message, bool]:
            existing = tx.messages.by_key(key)
            if existing is not None:
                return existing, False
            conversation = _owned(tx, agent, conversation_id)
            sends = outbox is not None and outbox.handles(conversation.channel)
            if sends:
                check_consent(tx, conversation)
            now = clock()
            message = outbound_message(
                conversation,
                "agent",
                agent.name,
                text,
                now,
                sends,
                agent_id=agent.id,
                client_id=client_id,
                attachments=tuple(attachments),
            )
            queued = store_outbound(tx, conversation, message, key, sends)
            if conversation.first_response_at is None:
                tx.conversations.save(conversation.model_copy(update={"first_response_at": now}))
            return message, queued

        message, queued = await self._work.run(act)
        if queued and outbox is not None:
            outbox.wake()
        return message

    async def send_automatic(
        self, conversation_id: ConversationId, key: str, text: str, sender_name: str
    ) -> Message | None:
        """A message the hub sends by itself (the email auto-acknowledgement): a system
        message on the conversation, queued in the outbox like a reply, once per `key`.
        None when it was sent before, or the channel has no sender, or the customer opted
        out."""
        outbox, clock = self._outbox, self._clock

        def act(tx: Transaction) -> Message | None:
            conversation = tx.conversations.get(conversation_id)
            if tx.messages.by_key(key) is not None or conversation is None:
                return None
            if outbox is None or not outbox.handles(conversation.channel):
                return None
            try:
                check_consent(tx, conversation)
            except OptedOut:
                return None
            now = clock()
            message = outbound_message(conversation, "system", sender_name, text, now, True)
            store_outbound(tx, conversation, message, key, True, auto_reply=True)
            return message

        message = await self._work.run(act)
        if message is not None and outbox is not None:
            outbox.wake()
        return message

    async def note(self, agent: Agent, conversation_id: ConversationId, text: str) -> NoteId:
        note_id = NoteId(new_id())
        clock = self._clock

        def act(tx: Transaction) -> NoteId:
            conversation = _owned(tx, agent, conversation_id, allow_resolved=True)
            tx.emit(
                NoteAdded(
                    conversation_id=conversation.id,
                    customer_id=conversation.customer_id,
                    note_id=note_id,
                    agent_id=agent.id,
                    agent_name=agent.name,
                    text=text,
                ),
                audience=conversation.assignee_id,
                at=clock(),
            )
            return note_id

        return await self._work.run(act)

    async def transfer(
        self,
        agent: Agent,
        conversation_id: ConversationId,
        *,
        to_agent_id: AgentId | None = None,
        to_queue: str | None = None,
    ) -> None:
        """Hand the conversation back to routing, pinned to an agent or moved to a queue. The
        router then offers it, so the target's capacity is respected like any assignment. A
        colleague it is pinned to is waited for until they accept it: the sender chose them,
        seeing their presence. The customer keeps their place in the queue (`queued_at`)."""
        if (to_agent_id is None) == (to_queue is None):
            raise BadInput("transfer needs exactly one of to_agent_id and to_queue")
        if to_queue is not None and all(q.name != to_queue for q in self._queues()):
            raise NotFound("queue", to_queue)
        clock = self._clock
        await self._work.run(
            lambda tx: _transfer(tx, agent, conversation_id, to_agent_id, to_queue, clock())
        )

    async def reassign(
        self, supervisor: Agent, conversation_id: ConversationId, to_agent_id: AgentId
    ) -> Reassignment:
        """A supervisor's transfer to an agent. It waits for that agent only until they let
        one offer of it go, or for `routing.offer_timeout_seconds` if they cannot be offered
        it (away, full): then it goes back to its queue. Says whom it waits for, as they are
        now (an agent who is not available will not be offered it)."""
        if not supervisor.is_supervisor:
            raise Forbidden("only supervisors and admins can reassign")
        now = self._clock()
        until = now + timedelta(seconds=self._settings.routing.offer_timeout_seconds)

        def act(tx: Transaction) -> Reassignment:
            target = _transfer(tx, supervisor, conversation_id, to_agent_id, None, now, until)
            assert target is not None
            return Reassignment(target, until)

        return await self._work.run(act)

    async def resolve(self, agent: Agent, conversation_id: ConversationId) -> None:
        clock = self._clock

        def act(tx: Transaction) -> None:
            conversation = _owned(tx, agent, conversation_id)
            now = clock()
            tx.conversations.save(
                conversation.model_copy(
                    update={"status": "resolved", "resolved_at": now, "snoozed_until": None}
                )
            )
            tx.emit(
                StatusChanged(
                    conversation_id=conversation.id,
                    customer_id=conversation.customer_id,
                    status="resolved",
                    agent_id=agent.id,
                ),
                audience=conversation.assignee_id,
                at=now,
            )

        await self._work.run(act)

    async def set_presence(self, agent_id: AgentId, status: Presence) -> None:
        def act(tx: Transaction) -> None:
            current = tx.agents.get(agent_id)
            if current is None:
                raise NotFound("agent", agent_id)
            if current.status != status:
                tx.agents.set_presence(agent_id, status)
                tx.emit(PresenceChanged(agent_id=agent_id, status=status), audience=agent_id)

        await self._work.run(act)


@dataclass(frozen=True)
class Reassignment:
    target: Agent  # as they stand now: their presence says whether they will be offered it
    waits_until: datetime  # then the conversation goes back to its queue


def _transfer(
    tx: Transaction,
    by: Agent,
    conversation_id: ConversationId,
    to_agent_id: AgentId | None,
    to_queue: str | None,
    now: datetime,
    pinned_until: datetime | None = None,
) -> Agent | None:
    conversation = _owned(tx, by, conversation_id)
    target = tx.agents.get(to_agent_id) if to_agent_id is not None else None
    if to_agent_id is not None:
        if target is None:
            raise NotFound("agent", to_agent_id)
        if target.disabled:
            raise Conflict(f"{target.name} is disabled and can take no conversation")
        if to_agent_id == conversation.assignee_id:
            raise Conflict("the conversation is already assigned to that agent")
    # An offer out now proposed the conversation as it was (its queue, its pin): it must not
    # be accepted after the move, so it closes in the same transaction.
    cancel_pending(tx, conversation, "conversation transferred", now)
    _requeue(tx, conversation, by, to_agent_id, to_queue, pinned_until, now)
    moved = {
        "status": "pending",
        "assignee_id": None,
        "assignee_name": None,
        "target_agent_id": to_agent_id,
        "pinned_until": pinned_until,
        "queue": to_queue or conversation.queue,
        "snoozed_until": None,  # a snoozed conversation moved is awake: routing it now
    }
    tx.conversations.save(conversation.model_copy(update=moved))
    return target


def requeue(tx: Transaction, by: Agent, conversation: Conversation, now: datetime) -> None:
    """Send an open conversation back to its own queue, unassigned, keeping the customer's
    place (an admin disabling its agent)."""
    _transfer(tx, by, conversation.id, None, conversation.queue, now)


def _requeue(
    tx: Transaction,
    conversation: Conversation,
    by: Agent,
    to_agent_id: AgentId | None,
    to_queue: str | None,
    pinned_until: datetime | None,
    now: datetime,
) -> None:
    if conversation.assignee_id is not None:
        tx.emit(
            Unassigned(
                conversation_id=conversation.id,
                customer_id=conversation.customer_id,
                agent_id=conversation.assignee_id,
                reason="transfer" if by.id == conversation.assignee_id else "reassign",
            ),
            audience=conversation.assignee_id,
            at=now,
        )
    tx.emit(
        Transferred(
            conversation_id=conversation.id,
            customer_id=conversation.customer_id,
            from_agent_id=conversation.assignee_id,
            to_agent_id=to_agent_id,
            to_queue=to_queue,
            by_agent_id=by.id,
            pinned_until=pinned_until,
        ),
        at=now,
    )


def _owned(
    tx: Transaction,
    agent: Agent,
    conversation_id: ConversationId,
    *,
    allow_resolved: bool = False,
) -> Conversation:
    """The conversation, if this agent may act on it: its assignee, or a supervisor."""
    conversation = tx.conversations.get(conversation_id)
    if conversation is None:
        raise NotFound("conversation", conversation_id)
    if conversation.assignee_id != agent.id and not agent.is_supervisor:
        raise Forbidden(f"conversation {conversation_id} is not assigned to you")
    if conversation.status == "resolved" and not allow_resolved:
        raise Conflict(f"conversation {conversation_id} is resolved")
    return conversation
