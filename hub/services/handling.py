"""What the REST API does to conversations beyond ConversationService: edit (priority, labels,
subject, snooze time), take or assign, reopen, snooze and wake, and notes that mention
agents. Each is one action over a Transaction, so the change, its timeline entry and its
event commit together, and each checks the caller's access (hub/services/access.py) on the
conversation as the transaction reads it.

Assignment never bypasses the router: a take or an assignment pins the conversation to the
agent (`target_agent_id`, `pinned_until`), and the router offers it to them as to anyone, so
capacity is checked where offers are made and accepted, and no conversation is assigned
twice. The pin lapses back to the queue as a supervisor's reassignment does (hub/services/
pins.py)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from hub.errors import Conflict, Forbidden, Invalid, NotFound
from hub.events import ConversationUpdated, Mentioned, NoteAdded, StatusChanged, Transferred
from hub.flow.placement import reopened_now, woken_up
from hub.flow.publishing import PublishingWork
from hub.ids import AgentId, ConversationId, NoteId, new_id
from hub.models import Agent, Conversation
from hub.ports import Scope, Transaction
from hub.services.access import require_access
from hub.services.conversations import ConversationService, Reassignment
from hub.services.mentions import mentioned
from hub.services.offers import cancel_pending
from hub.settings import RoutingSettings

EDITABLE = ("priority", "labels", "subject", "snoozed_until")


class ConversationHandling:
    def __init__(
        self, work: PublishingWork, conversations: ConversationService, routing: RoutingSettings
    ) -> None:
        self._work = work
        self._conversations = conversations
        self._pin_seconds = routing.offer_timeout_seconds

    async def update(
        self, agent: Agent, scope: Scope, conversation_id: ConversationId, changes: dict[str, Any]
    ) -> Conversation:
        """Apply `changes` (a subset of EDITABLE). Labels must all exist; a `snoozed_until`
        snoozes the conversation until then, null wakes a snoozed one. One
        `conversation_updated` event carries what changed (nothing changed: no event)."""
        now = datetime.now(UTC)
        if (until := changes.get("snoozed_until")) is not None:
            _future(until, now, "snoozed_until")

        def act(tx: Transaction) -> Conversation:
            conversation = _reachable(tx, scope, conversation_id)
            changed = _edit(tx, conversation, changes)
            updated = _snooze_change(tx, conversation, changes, now) or conversation
            updated = updated.model_copy(update={k: v for k, v in changed.items() if k != "labels"})
            if changed:
                tx.conversations.save(updated)
                tx.emit(_updated(updated, agent, changed), audience=updated.assignee_id)
            return updated

        return await self._work.run(act)

    async def assign(
        self, agent: Agent, scope: Scope, conversation_id: ConversationId, to_agent_id: AgentId
    ) -> Reassignment:
        """A supervisor pins the conversation to anyone (ConversationService.reassign); an
        agent may only take, for themselves, a waiting conversation of their queues."""
        if agent.is_supervisor:
            return await self._conversations.reassign(agent, conversation_id, to_agent_id)
        if to_agent_id != agent.id:
            raise Forbidden("agents can only take conversations for themselves")
        until = datetime.now(UTC) + timedelta(seconds=self._pin_seconds)

        def act(tx: Transaction) -> Reassignment:
            conversation = _reachable(tx, scope, conversation_id)
            if conversation.assignee_id == agent.id:
                raise Conflict("the conversation is already assigned to you")
            if conversation.status != "pending":
                raise Conflict(f"conversation {conversation_id} is {conversation.status}")
            if conversation.target_agent_id not in (None, agent.id):
                raise Conflict(f"conversation {conversation_id} waits for another agent")
            _pin(tx, conversation, agent, until)
            return Reassignment(agent, until)

        return await self._work.run(act)

    async def reopen(
        self, agent: Agent, scope: Scope, conversation_id: ConversationId
    ) -> Conversation:
        """A resolved conversation back in its queue, waiting from now (as a customer's
        message into it reopens it, hub/flow/placement.py)."""

        def act(tx: Transaction) -> Conversation:
            conversation = _reachable(tx, scope, conversation_id)
            if conversation.status != "resolved":
                raise Conflict(f"conversation {conversation_id} is not resolved")
            reopened, status = reopened_now(conversation, datetime.now(UTC), agent.id)
            tx.conversations.save(reopened)
            tx.emit(status)
            return reopened

        return await self._work.run(act)

    async def snooze(
        self, agent: Agent, scope: Scope, conversation_id: ConversationId, until: datetime
    ) -> Conversation:
        """Hold the conversation until `until`: not offered meanwhile (a pending offer of it
        is cancelled); an assignee keeps it. It wakes then, or at the customer's next
        message."""
        _future(until, datetime.now(UTC), "until")

        def act(tx: Transaction) -> Conversation:
            conversation = _reachable(tx, scope, conversation_id)
            return _snoozed(tx, conversation, until, agent.id)

        return await self._work.run(act)

    async def wake(self, conversation_id: ConversationId) -> bool:
        """Wake a conversation whose snooze ran out; False when it is not (or no longer) due.
        Conditional, so processes racing to wake it wake it once."""

        def act(tx: Transaction) -> bool:
            conversation = tx.conversations.get(conversation_id)
            now = datetime.now(UTC)
            if conversation is None or conversation.status != "snoozed":
                return False
            if conversation.snoozed_until is not None and conversation.snoozed_until > now:
                return False
            _wake(tx, conversation, now)
            return True

        return await self._work.run(act)

    async def note(
        self,
        agent: Agent,
        scope: Scope,
        conversation_id: ConversationId,
        text: str,
        colleagues: Sequence[Agent],
    ) -> tuple[NoteId, tuple[AgentId, ...]]:
        """An internal note. Agents it names (hub/services/mentions.py) are listed in it and
        each sent a `mention` on their own stream; the assignee gets the note itself."""
        note_id = NoteId(new_id())
        mentions = mentioned(text, colleagues)

        def act(tx: Transaction) -> tuple[NoteId, tuple[AgentId, ...]]:
            conversation = _reachable(tx, scope, conversation_id)
            note = NoteAdded(
                conversation_id=conversation.id,
                customer_id=conversation.customer_id,
                note_id=note_id,
                agent_id=agent.id,
                agent_name=agent.name,
                text=text,
                mentions=mentions,
            )
            tx.emit(note, audience=conversation.assignee_id)
            for mentioned_id in mentions:
                if mentioned_id != conversation.assignee_id:
                    tx.emit(_mention(note, mentioned_id), audience=mentioned_id)
            return note_id, mentions

        return await self._work.run(act)


def _reachable(tx: Transaction, scope: Scope, conversation_id: ConversationId) -> Conversation:
    conversation = tx.conversations.get(conversation_id)
    if conversation is None:
        raise NotFound("conversation", conversation_id)
    require_access(scope, conversation)
    return conversation


def _future(until: datetime, now: datetime, field: str) -> None:
    if until.tzinfo is None:
        raise Invalid(f"{field} needs a time zone (e.g. Z)", field=field)
    if until <= now:
        raise Invalid(f"{field} must be in the future", field=field)


def _edit(tx: Transaction, conversation: Conversation, changes: dict[str, Any]) -> dict[str, Any]:
    """Write the labels and say what changes; fields equal to what is stored are left out."""
    changed: dict[str, Any] = {
        key: value
        for key in ("priority", "subject")
        if key in changes and (value := changes[key]) != getattr(conversation, key)
    }
    if "labels" in changes:
        names = sorted(set(changes["labels"]))
        if missing := sorted(set(names) - tx.labels.existing(names)):
            raise Invalid(f"unknown labels: {', '.join(missing)}", field="labels")
        if tuple(names) != tx.labels.of(conversation.id):
            tx.labels.set_for(conversation.id, names)
            changed["labels"] = names
    if "snoozed_until" in changes and changes["snoozed_until"] != conversation.snoozed_until:
        changed["snoozed_until"] = changes["snoozed_until"]
    return changed


def _snooze_change(
    tx: Transaction, conversation: Conversation, changes: dict[str, Any], now: datetime
) -> Conversation | None:
    """A PATCHed `snoozed_until`: snooze until then, or (null) wake a snoozed conversation."""
    if "snoozed_until" not in changes or changes["snoozed_until"] == conversation.snoozed_until:
        return None
    until = changes["snoozed_until"]
    if until is not None:
        return _snoozed(tx, conversation, until, None)
    if conversation.status == "snoozed":
        return _wake(tx, conversation, now)
    return None


def _snoozed(
    tx: Transaction, conversation: Conversation, until: datetime, by: AgentId | None
) -> Conversation:
    if conversation.status == "resolved":
        raise Conflict(f"conversation {conversation.id} is resolved")
    cancel_pending(tx, conversation, "conversation snoozed", datetime.now(UTC))
    # A pin to someone ends: it was a routing request, and the conversation leaves routing.
    snoozed = conversation.model_copy(
        update={
            "status": "snoozed",
            "snoozed_until": until,
            "target_agent_id": None,
            "pinned_until": None,
        }
    )
    tx.conversations.save(snoozed)
    event = _status(snoozed, "snoozed", by or conversation.assignee_id)
    tx.emit(event.model_copy(update={"snoozed_until": until}), audience=snoozed.assignee_id)
    return snoozed


def _wake(tx: Transaction, conversation: Conversation, now: datetime) -> Conversation:
    woken, event = woken_up(conversation, now)
    tx.conversations.save(woken)
    tx.emit(event, audience=woken.assignee_id)
    return woken


def _pin(tx: Transaction, conversation: Conversation, agent: Agent, until: datetime) -> None:
    """The Take: back to routing pinned to the agent until `until` (their offer follows)."""
    cancel_pending(tx, conversation, "conversation taken", datetime.now(UTC))
    tx.emit(
        Transferred(
            conversation_id=conversation.id,
            customer_id=conversation.customer_id,
            from_agent_id=None,
            to_agent_id=agent.id,
            to_queue=None,
            by_agent_id=agent.id,
            pinned_until=until,
        )
    )
    pinned = conversation.model_copy(update={"target_agent_id": agent.id, "pinned_until": until})
    tx.conversations.save(pinned)


def _status(conversation: Conversation, status: Any, by: AgentId | None) -> StatusChanged:
    return StatusChanged(
        conversation_id=conversation.id,
        customer_id=conversation.customer_id,
        status=status,
        agent_id=by,
    )


def _updated(
    conversation: Conversation, agent: Agent, changed: dict[str, Any]
) -> ConversationUpdated:
    values = {k: v.isoformat() if isinstance(v, datetime) else v for k, v in changed.items()}
    return ConversationUpdated(
        conversation_id=conversation.id,
        customer_id=conversation.customer_id,
        agent_id=agent.id,
        changes=values,
    )


def _mention(note: NoteAdded, agent_id: AgentId) -> Mentioned:
    return Mentioned(
        conversation_id=note.conversation_id,
        customer_id=note.customer_id,
        note_id=note.note_id,
        agent_id=agent_id,
        by_agent_id=note.agent_id,
        by_agent_name=note.agent_name,
        text=note.text,
    )
