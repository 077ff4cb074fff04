"""Call status callbacks onto the timeline: the caller's leg (ringing, completed, no-answer,
busy, failed), the agent's leg (ringing, answered by agent X), and the outcome of <Dial>.
A call that ends without an agent or a voicemail leaves a callback task. Unknown CallSids
are logged and acknowledged without changing anything."""

from __future__ import annotations

import logging

from aiohttp import web

from channels.twilio import twiml
from channels.twilio.forms import AgentLeg, CallEvent, DialResult, parse_form
from channels.twilio.voice import VoiceCalls
from channels.twilio.webhooks import twiml as respond
from hub.ids import AgentId

log = logging.getLogger(__name__)
# What a finished call without an agent means for the caller: they were not helped.
UNANSWERED = frozenset({"no-answer", "busy", "failed", "canceled"})


class CallStatus:
    def __init__(self, voice: VoiceCalls) -> None:
        self._voice = voice

    async def caller_leg(self, _request: web.Request, form: dict[str, str]) -> web.Response:
        event = parse_form(CallEvent, form)
        before = await self._voice.records.call(event.call_sid)
        if before is None:
            log.warning(
                "twilio: status %r for unknown call %s ignored", event.status, event.call_sid
            )
            return respond(twiml.empty())
        if event.status == "in-progress":
            return respond(twiml.empty())  # answered by us (the greeting), not by an agent
        updated = await self._voice.calls.update(
            event.call_sid, event.status, duration=event.duration
        )
        # Answered, left a voicemail, or already counted as missed (hung up in the queue).
        helped = before.answered_at is not None or before.state in ("voicemail", "missed")
        ended = event.status == "completed" or event.status in UNANSWERED
        if updated is not None and ended and not helped:
            await self._voice.calls.miss(event.call_sid, "nobody answered")
        return respond(twiml.empty())

    async def agent_leg(self, request: web.Request, form: dict[str, str]) -> web.Response:
        leg = parse_form(AgentLeg, form)
        agent_id = AgentId(request.query.get("agent", "")) or None
        status = {"answered": "in-progress"}.get(leg.status, leg.status)
        if status == "in-progress":
            await self._voice.calls.update(
                leg.call_sid, "in-progress", agent_id=agent_id, detail="answered by agent"
            )
        elif status == "ringing":
            await self._voice.calls.update(leg.call_sid, "ringing-agent", agent_id=agent_id)
        return respond(twiml.empty())

    async def dial_result(self, request: web.Request, form: dict[str, str]) -> web.Response:
        """How <Dial> to the agent ended. An agent who did not pick up sends the caller to
        voicemail; the conversation stays with that agent as a callback."""
        result = parse_form(DialResult, form)
        agent_id = AgentId(request.query.get("agent", "")) or None
        if result.status == "completed":
            await self._voice.calls.update(
                result.call_sid, "completed", agent_id=agent_id, duration=result.duration
            )
            return respond(twiml.goodbye("Thank you for calling. Goodbye."))
        await self._voice.calls.update(
            result.call_sid,
            "voicemail-prompt",
            agent_id=agent_id,
            detail=f"agent leg {result.status}",
        )
        voice = self._voice
        return respond(
            twiml.voicemail(voice.settings, voice.url("recorded"), voice.url("transcription"))
        )
