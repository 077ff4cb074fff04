"""A caller waiting in Twilio's queue: hold music with their position, voicemail once the
maximum wait passes or when no agent is online, and the redirect to the agent who accepts
the call. The redirect is queued when the assignment is seen on the feed; each hold-music
request checks again, so a missed event delays the caller by one loop, never strands them."""

from __future__ import annotations

import asyncio
import logging

from aiohttp import web

from channels.twilio import twiml
from channels.twilio.forms import QueueResult, QueueWait, parse_form
from channels.twilio.voice import VoiceCalls
from channels.twilio.webhooks import twiml as respond
from hub.events import Assigned, Envelope
from hub.flow.feed import EventFeed
from hub.flow.tasks import stop
from hub.ids import AgentId
from hub.models import Call

log = logging.getLogger(__name__)


class CallQueue:
    def __init__(self, voice: VoiceCalls, feed: EventFeed) -> None:
        self._voice = voice
        self._feed = feed
        self._watcher: asyncio.Task[None] | None = None

    async def __aenter__(self) -> CallQueue:
        ready = asyncio.Event()
        self._watcher = asyncio.create_task(self._watch(ready), name="twilio-call-queue")
        await ready.wait()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await stop(self._watcher)

    async def wait(self, _request: web.Request, form: dict[str, str]) -> web.Response:
        waiting = parse_form(QueueWait, form)
        settings = self._voice.settings
        call, conversation = await self._voice.call_and_conversation(waiting.call_sid)
        if conversation.assignee_id is not None:
            await self._redirect(call, conversation.assignee_id)
            return respond(twiml.hold(settings, 0))
        if waiting.waited >= settings.max_queue_wait_seconds or not await self._anyone_online():
            return respond(twiml.leave_queue())
        return respond(twiml.hold(settings, waiting.position))

    async def dequeued(self, _request: web.Request, form: dict[str, str]) -> web.Response:
        """The caller left the queue: to voicemail (we sent <Leave/>), or they hung up."""
        result = parse_form(QueueResult, form)
        call, _ = await self._voice.call_and_conversation(result.call_sid)
        if result.result == "leave":
            await self._voice.calls.update(call.sid, "voicemail-prompt", detail="waited too long")
            voice = self._voice
            return respond(
                twiml.voicemail(voice.settings, voice.url("recorded"), voice.url("transcription"))
            )
        if result.result == "hangup":
            await self._voice.calls.miss(call.sid, "hung up in queue")
        return respond(twiml.empty())

    async def _anyone_online(self) -> bool:
        return any(agent.status != "offline" for agent in await self._voice.agents.agents())

    async def _redirect(self, call: Call, agent_id: AgentId) -> None:
        url = self._voice.url("connect", f"call={call.sid}&agent={agent_id}")
        await self._voice.calls.redirect_to(call.sid, agent_id, url)

    async def _watch(self, ready: asyncio.Event) -> None:
        async with self._feed.subscribe() as events:
            ready.set()
            while True:
                if events.overflowed:
                    # Assignments dropped meanwhile are caught by the hold-music request, which
                    # checks again; from here on, live again.
                    log.warning("call queue fell behind the event feed; resuming")
                    events.recover()
                envelope = await events.get()
                if not isinstance(envelope, Envelope):
                    continue
                event = envelope.event
                if isinstance(event, Assigned) and event.channel == "voice":
                    try:
                        await self._assigned(event)
                    except Exception:
                        log.exception("could not connect the call of %s", event.conversation_id)

    async def _assigned(self, event: Assigned) -> None:
        calls = await self._voice.records.of_conversation(event.conversation_id)
        for call in calls:
            if call.state == "queued":
                await self._redirect(call, event.agent_id)
