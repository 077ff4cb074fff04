"""Phone calls as the hub sees them: each call opens its own voice conversation, routed like
any other, and every step (ringing, queued, answered by an agent, completed, missed,
voicemail) is a CallUpdated event on the customer's timeline. A call nobody answered stays
in its queue as a callback task, so the router offers it to the next free agent."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from hub.clock import Clock, system_clock
from hub.events import CallUpdated
from hub.flow.placement import place
from hub.flow.publishing import PublishingWork
from hub.ids import AgentId, CustomerId, new_id
from hub.models import Call, Conversation, InboundMessage, Ingested
from hub.outbox.items import CallRedirectPayload, OutboxItem
from hub.ports import Transaction

# Where a call stands once it is over; an update after one of these changes nothing more.
ENDED = frozenset({"completed", "missed", "busy", "no-answer", "failed", "canceled"})


class CallService:
    def __init__(self, work: PublishingWork, clock: Clock = system_clock) -> None:
        self._work = work
        self._clock = clock  # when each step happens: the call's times and its events

    async def ring(
        self, sid: str, customer_id: CustomerId, from_number: str, to_number: str, queue: str
    ) -> Ingested:
        """In one transaction: open the call's conversation with its first message (placed as
        any inbound message is) and record the call as ringing, with its timeline entry. A
        Twilio retry of the same CallSid finds them again (`duplicate`). Returns once it all
        committed, so the webhook answers only then."""
        now = self._clock()
        opening = InboundMessage(
            channel="voice",
            customer_id=customer_id,
            dedupe_key=f"call:{sid}",
            text=f"Incoming call from {from_number}",
            subject=f"Call from {from_number}",
            queue=queue,
            contact=from_number,
            via=to_number,
            new_conversation=True,
            external_id=sid,
            received_at=now,
        )

        def act(tx: Transaction) -> Ingested:
            ingested = tx.inbound.receive(opening, place)
            if ingested.duplicate or tx.calls.get(sid) is not None:
                return ingested  # the retry of a ring that committed whole
            conversation = ingested.conversation
            call = Call(
                sid=sid,
                conversation_id=conversation.id,
                customer_id=conversation.customer_id,
                from_number=from_number,
                to_number=to_number,
                state="ringing",
                created_at=now,
            )
            tx.calls.save(call)
            _emit(tx, call, conversation, "ringing", now)
            return ingested

        return await self._work.run(act)

    async def update(
        self,
        sid: str,
        state: str,
        *,
        agent_id: AgentId | None = None,
        duration: int | None = None,
        recording_url: str | None = None,
        detail: str | None = None,
    ) -> Call | None:
        """Move the call on and put the step on the timeline. None for an unknown CallSid."""
        clock = self._clock

        def act(tx: Transaction) -> Call | None:
            step = Step(state, agent_id, duration, recording_url, detail, clock())
            stepped = _step(tx, sid, step)
            return stepped[0] if stepped else None

        return await self._work.run(act)

    async def miss(self, sid: str, detail: str) -> Call | None:
        """Nobody answered and no voicemail was left: in one transaction the call is missed,
        its conversation, still in its queue, is titled with the number to call back, and a
        message says so (placed as any inbound message: a resolved conversation reopens), so
        the router offers it as a callback task."""
        clock = self._clock

        def act(tx: Transaction) -> Call | None:
            now = clock()
            stepped = _step(tx, sid, Step("missed", None, None, None, detail, now))
            if stepped is None:
                return None
            call, conversation = stepped
            if conversation.status != "resolved":
                title = f"Call back {call.from_number}"
                tx.conversations.save(conversation.model_copy(update={"subject": title}))
            note = InboundMessage(
                channel="voice",
                customer_id=call.customer_id,
                dedupe_key=f"missed:{call.sid}",
                text=f"Missed call: please call back {call.from_number}",
                queue="",
                conversation_id=call.conversation_id,
                contact=call.from_number,
                received_at=now,
            )
            tx.inbound.receive(note, place)
            return call

        return await self._work.run(act)

    async def redirect_to(self, sid: str, agent_id: AgentId, url: str) -> bool:
        """An agent accepted a call that waits in the provider's queue: queue the Calls API
        redirect that connects it (once, however many processes saw the assignment)."""
        clock = self._clock

        def act(tx: Transaction) -> bool:
            call = tx.calls.get(sid)
            if call is None or call.state != "queued":
                return False
            conversation = tx.conversations.get(call.conversation_id)
            if conversation is None:
                return False
            queued = tx.outbox.add(
                OutboxItem(
                    id=new_id(),
                    idempotency_key=f"redirect:{sid}:{agent_id}",
                    conversation_id=call.conversation_id,
                    customer_id=call.customer_id,
                    payload=CallRedirectPayload(call_sid=sid, url=url),
                    next_attempt_at=clock(),
                )
            )
            if queued:
                connecting = call.model_copy(update={"state": "connecting", "agent_id": agent_id})
                tx.calls.save(connecting)
                agent = tx.agents.get(agent_id)
                _emit(
                    tx,
                    connecting,
                    conversation,
                    "connecting",
                    clock(),
                    agent_id=agent_id,
                    agent_name=agent.name if agent else None,
                )
            return queued

        return await self._work.run(act)


@dataclass(frozen=True)
class Step:
    """One step of a call as a provider reported it, and when it happened."""

    state: str
    agent_id: AgentId | None
    duration: int | None
    recording_url: str | None
    detail: str | None
    at: datetime


def _step(tx: Transaction, sid: str, step: Step) -> tuple[Call, Conversation] | None:
    call = tx.calls.get(sid)
    conversation = tx.conversations.get(call.conversation_id) if call else None
    if call is None or conversation is None:
        return None
    state, agent_id, duration, now = step.state, step.agent_id, step.duration, step.at
    # An ended call stays ended; later steps are still recorded on the timeline.
    changes: dict[str, Any] = {"state": state if call.state not in ENDED else call.state}
    answered = state in ("in-progress", "completed") and agent_id is not None
    if answered and call.answered_at is None:
        changes |= {"agent_id": agent_id, "answered_at": now}
    if state in ENDED and call.ended_at is None:
        changes["ended_at"] = now
    if duration is not None:
        changes["duration_seconds"] = duration
    updated = call.model_copy(update=changes)
    tx.calls.save(updated)
    agent = tx.agents.get(agent_id) if agent_id else None
    _emit(
        tx,
        updated,
        conversation,
        state,
        now,
        agent_id=agent_id,
        agent_name=agent.name if agent else None,
        duration=duration,
        recording_url=step.recording_url,
        detail=step.detail,
    )
    return updated, conversation


def _emit(
    tx: Transaction,
    call: Call,
    conversation: Conversation,
    status: str,
    at: datetime,
    *,
    agent_id: AgentId | None = None,
    agent_name: str | None = None,
    duration: int | None = None,
    recording_url: str | None = None,
    detail: str | None = None,
) -> None:
    tx.emit(
        CallUpdated(
            conversation_id=conversation.id,
            customer_id=conversation.customer_id,
            call_sid=call.sid,
            status=status,
            agent_id=agent_id,
            agent_name=agent_name,
            duration_seconds=duration,
            recording_url=recording_url,
            detail=detail,
        ),
        audience=conversation.assignee_id,
        at=at,
    )
