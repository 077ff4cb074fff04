"""Where each inbound message lands, as a pure function over what the database holds
(`InboundLookup`, read for the whole batch at once). Storage runs it inside the batch's write
transaction and writes the plan it returns.

The rules:
- a dedupe key already stored, or repeated inside the batch, is a duplicate: the original
  message and its conversation are the answer, nothing is written;
- a message naming a conversation (`conversation_id`: voicemail into its call's conversation,
  an email reply into its thread) goes there; a resolved one is reopened: pending again, in
  its queue, with nobody assigned, and a `status` event that puts it back before the router;
- a message into a snoozed conversation wakes it at once: pending again in its queue (open,
  if it has an assignee), with a `status` event, as when its snooze runs out;
- a message asking for a fresh conversation (`new_conversation`: each phone call) gets one
  of its own;
- any other message joins its customer's unresolved conversation on that channel (the newest
  if several), or opens one, shared by the rest of that customer's messages in the batch.

Everything a message does happens at its `received_at` when it carries one (a backdated
history), else at the batch's `now`."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from hub.events import ConversationOpened, MessageCreated, StatusChanged
from hub.ids import AgentId, ConversationId, CustomerId, MessageId, new_id
from hub.models import (
    ChannelName,
    Conversation,
    ConversationStatus,
    InboundMessage,
    Ingested,
    Message,
)
from hub.ports import Emitted, InboundLookup, InboundPlan

Slot = tuple[CustomerId, ChannelName] | str


def place(batch: Sequence[InboundMessage], lookup: InboundLookup, now: datetime) -> InboundPlan:
    fresh = _first_of_each_key(batch, lookup)
    plan = InboundPlan(results=[])
    placed = _named(fresh, lookup, now, plan)
    _shared(fresh, placed, lookup, now, plan)
    created: dict[str, Ingested] = {}
    for item in fresh:
        conversation = placed[item.dedupe_key]
        message = _message(item, conversation.id, _at(item, now))
        plan.messages.append((message, item.customer_id, item.dedupe_key))
        created[item.dedupe_key] = Ingested(
            message=message, conversation=conversation, duplicate=False
        )
        event = MessageCreated.of(message, item.customer_id)
        plan.emitted.append((event, conversation.assignee_id, message.created_at))
    plan.results = _answers(batch, created, lookup)
    return plan


def _at(item: InboundMessage, now: datetime) -> datetime:
    return item.received_at or now


def _first_of_each_key(
    batch: Sequence[InboundMessage], lookup: InboundLookup
) -> list[InboundMessage]:
    seen = set(lookup.known)
    fresh = []
    for item in batch:
        if item.dedupe_key not in seen:
            seen.add(item.dedupe_key)
            fresh.append(item)
    return fresh


def _named(
    items: Sequence[InboundMessage], lookup: InboundLookup, now: datetime, plan: InboundPlan
) -> dict[str, Conversation]:
    """Messages into the conversation they name, reopening a resolved one once."""
    current: dict[ConversationId, Conversation] = {}
    placed: dict[str, Conversation] = {}
    for item in items:
        target = item.conversation_id
        if item.new_conversation or target is None or target not in lookup.named:
            continue
        if target not in current:
            current[target] = _reopened(lookup.named[target], _at(item, now), plan)
        placed[item.dedupe_key] = current[target]
    return placed


def _reopened(conversation: Conversation, now: datetime, plan: InboundPlan) -> Conversation:
    if conversation.status == "snoozed":
        woken, status = woken_up(conversation, now)
        plan.reopened.append(woken)
        plan.emitted.append((status, woken.assignee_id, now))
        return woken
    if conversation.status != "resolved":
        return conversation
    reopened, status = reopened_now(conversation, now)
    plan.reopened.append(reopened)
    plan.emitted.append((status, None, now))
    return reopened


def reopened_now(
    conversation: Conversation, now: datetime, by: AgentId | None = None
) -> tuple[Conversation, StatusChanged]:
    """A resolved conversation back in its queue: pending, nobody assigned or pinned, waiting
    from now. The rule for a customer's message into it and for an agent's reopen alike."""
    reopened = conversation.model_copy(
        update={
            "status": "pending",
            "assignee_id": None,
            "assignee_name": None,
            "target_agent_id": None,
            "pinned_until": None,
            "resolved_at": None,
            "snoozed_until": None,
            "queued_at": now,
        }
    )
    status = StatusChanged(
        conversation_id=conversation.id,
        customer_id=conversation.customer_id,
        status="pending",
        agent_id=by,
    )
    return reopened, status


def woken_up(conversation: Conversation, now: datetime) -> tuple[Conversation, StatusChanged]:
    """A snoozed conversation awake: open again if someone holds it, else pending in its queue,
    waiting from now. The rule for a customer's message and for a snooze running out alike."""
    status: ConversationStatus = "open" if conversation.assignee_id is not None else "pending"
    update: dict[str, object] = {"status": status, "snoozed_until": None}
    if status == "pending":
        update["queued_at"] = now
    woken = conversation.model_copy(update=update)
    event = StatusChanged(
        conversation_id=conversation.id,
        customer_id=conversation.customer_id,
        status=status,
        agent_id=conversation.assignee_id,
    )
    return woken, event


def _shared(
    items: Sequence[InboundMessage],
    placed: dict[str, Conversation],
    lookup: InboundLookup,
    now: datetime,
    plan: InboundPlan,
) -> None:
    """The rest: the customer's unresolved conversation on the channel, or a new one per slot.
    Openings come first among the batch's events, so a consumer meets the conversation before
    anything that happens in it."""
    slots: dict[Slot, Conversation] = {slot: c for slot, c in lookup.unresolved.items()}
    opened: list[Emitted] = []
    for item in items:
        if item.dedupe_key in placed:
            continue
        slot = _slot(item)
        if slot in slots and slots[slot].status == "snoozed":
            # Woken once, whether by a message naming it or by this one.
            woken = {c.id: c for c in plan.reopened}
            slots[slot] = woken.get(slots[slot].id) or _reopened(slots[slot], _at(item, now), plan)
        if slot not in slots:
            name = lookup.customer_names.get(item.customer_id, "")
            slots[slot] = _new_conversation(item, name, _at(item, now))
            plan.opened.append(slots[slot])
            opened.append((ConversationOpened(conversation=slots[slot]), None, _at(item, now)))
        placed[item.dedupe_key] = slots[slot]
    plan.emitted[:0] = opened


def _slot(item: InboundMessage) -> Slot:
    """Messages share their customer's conversation on a channel unless they ask for a new
    one, which is theirs alone."""
    return item.dedupe_key if item.new_conversation else (item.customer_id, item.channel)


def _answers(
    batch: Sequence[InboundMessage], created: dict[str, Ingested], lookup: InboundLookup
) -> list[Ingested]:
    """Each input's result; a key repeated inside one batch is stored once, and its later
    copies are answered as duplicates of it."""
    seen: set[str] = set()
    answers = []
    for item in batch:
        key = item.dedupe_key
        result = created.get(key) or lookup.known[key]
        if key in seen and not result.duplicate:
            result = result.model_copy(update={"duplicate": True})
        seen.add(key)
        answers.append(result)
    return answers


def _message(item: InboundMessage, conversation_id: ConversationId, now: datetime) -> Message:
    return Message(
        id=MessageId(new_id()),
        conversation_id=conversation_id,
        direction="in",
        author="customer",
        channel=item.channel,
        text=item.text,
        client_id=item.client_id,
        created_at=now,
        html=item.html,
        attachments=item.attachments,
        external_id=item.external_id,
        meta=item.meta,
    )


def _new_conversation(item: InboundMessage, customer_name: str, now: datetime) -> Conversation:
    return Conversation(
        id=ConversationId(new_id()),
        customer_id=item.customer_id,
        customer_name=customer_name,
        channel=item.channel,
        queue=item.queue,
        status="pending",
        priority=item.priority,
        subject=item.subject,
        contact=item.contact,
        via=item.via,
        linked_to=item.linked_to,
        created_at=now,
        queued_at=now,
    )
