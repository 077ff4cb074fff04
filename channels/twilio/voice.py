"""An incoming call: the caller hears the greeting while the router offers the call. If an
agent accepts within `ring_seconds` the call is dialled straight to them; if nobody can take
it, or nobody accepts in time, it waits in Twilio's queue (see queueing.py) and is redirected
to the agent who accepts it later."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import UTC, datetime

from aiohttp import web

from channels.twilio import twiml
from channels.twilio.forms import CallEvent, IncomingCall, parse_form
from channels.twilio.phones import display, to_e164
from channels.twilio.webhooks import SignedWebhooks
from channels.twilio.webhooks import twiml as respond
from hub.errors import BadInput
from hub.events import Assigned, Ephemeral, OfferMade
from hub.flow.bus import BusMessage, Subscription
from hub.flow.feed import EventFeed
from hub.ids import AgentId
from hub.models import Call, Conversation
from hub.ports import AgentDirectory, Calls, ConversationReader, Customers
from hub.services.calls import CallService
from hub.settings import TwilioSettings

log = logging.getLogger(__name__)
# Longer than the router ever takes to offer a new conversation; the greeting is longer.
ROUTER_GRACE_SECONDS = 1.0
PATHS = {
    "route": "/twilio/voice/route",
    "connect": "/twilio/voice/connect",
    "dial": "/twilio/voice/dial-status",
    "leg": "/twilio/voice/agent-leg",
    "wait": "/twilio/voice/wait",
    "dequeued": "/twilio/voice/queue-result",
    "recorded": "/twilio/voice/recorded",
    "transcription": "/twilio/voice/transcription",
}


class VoiceCalls:
    def __init__(
        self,
        settings: TwilioSettings,
        hooks: SignedWebhooks,
        calls: CallService,
        records: Calls,
        customers: Customers,
        reader: ConversationReader,
        agents: AgentDirectory,
        feed: EventFeed,
    ) -> None:
        self.settings = settings
        self.hooks = hooks
        self.calls = calls
        self.records = records
        self.customers = customers
        self.reader = reader
        self.agents = agents
        self._feed = feed

    def url(self, name: str, query: str = "") -> str:
        return self.hooks.url_for(PATHS[name] + (f"?{query}" if query else ""))

    async def incoming(self, _request: web.Request, form: dict[str, str]) -> web.Response:
        event = parse_form(IncomingCall, form)
        to = to_e164(event.to, self.settings.default_region)
        try:
            caller = to_e164(event.sender, self.settings.default_region)
        except BadInput:
            # A withheld number ("anonymous", "+266696687") still gets through to an agent,
            # as its own customer: it must not merge every anonymous caller into one.
            caller = f"withheld:{event.call_sid}"
        customer_id = await self.customers.identify("phone", caller, display(caller))
        queue = self.settings.queue_of(to, "voice")
        await self.calls.ring(event.call_sid, customer_id, caller, to, queue)
        return respond(twiml.greet_then(self.settings, self.url("route")))

    async def route(self, _request: web.Request, form: dict[str, str]) -> web.Response:
        """After the greeting: dial the agent who accepted, wait for the offer that is out,
        or queue the caller."""
        call, conversation = await self.call_and_conversation(parse_form(CallEvent, form).call_sid)
        async with self._feed.subscribe(customer=conversation.customer_id) as events:
            # Read after subscribing, so an acceptance landing in between is not missed.
            current = await self.reader.conversation(conversation.id) or conversation
            agent_id = current.assignee_id or await self._accepted(events, current)
        if agent_id is not None:
            return await self.dial(call, agent_id)
        await self.calls.update(call.sid, "queued")
        wait, dequeued = self.url("wait"), self.url("dequeued")
        return respond(twiml.enqueue(conversation.queue, wait, dequeued))

    async def connect(self, request: web.Request, _form: dict[str, str]) -> web.Response:
        """Where the Calls API redirect sends a queued call once an agent has accepted it."""
        call = await self.records.call(request.query.get("call", ""))
        agent = request.query.get("agent", "")
        if call is None or not agent:
            raise BadInput("connect needs a known call and an agent")
        return await self.dial(call, AgentId(agent))

    async def dial(self, call: Call, agent_id: AgentId) -> web.Response:
        agent = await self.agents.agent(agent_id)
        if agent is None:
            raise BadInput(f"unknown agent {agent_id}")
        await self.calls.update(call.sid, "connecting", agent_id=agent_id)
        query = f"agent={agent_id}"
        return respond(twiml.dial_agent(agent, self.url("dial", query), self.url("leg", query)))

    async def call_and_conversation(self, sid: str) -> tuple[Call, Conversation]:
        call = await self.records.call(sid)
        conversation = await self.reader.conversation(call.conversation_id) if call else None
        if call is None or conversation is None:
            raise BadInput(f"unknown CallSid {sid}")
        return call, conversation

    async def _accepted(self, events: Subscription, conversation: Conversation) -> AgentId | None:
        """The agent who accepts within ring_seconds, or None: nobody could be offered the
        call (the router queued it), or nobody took it in time."""
        offers = await self.reader.pending_offers()
        offered = any(o.conversation_id == conversation.id for o in offers)
        waited = (datetime.now(UTC) - conversation.queued_at).total_seconds()
        if not offered and waited > ROUTER_GRACE_SECONDS:
            return None  # the router places a call within milliseconds: nobody is free
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(self.settings.ring_seconds):
                while True:
                    signal = _signal(await events.get(), conversation)
                    if isinstance(signal, str):
                        return AgentId(signal)
                    if signal is _QUEUED and not offered:
                        return None
                    offered = offered or signal is _OFFERED
        return None


_OFFERED, _QUEUED = object(), object()


def _signal(message: BusMessage, conversation: Conversation) -> str | object | None:
    """What a feed message says about this call: the agent it was assigned to, that it was
    offered, or that the router found nobody and gave it a queue position."""
    if isinstance(message, Ephemeral):
        if message.type == "queue" and message.conversation_id == conversation.id:
            return _QUEUED
        return None
    event = message.event
    if isinstance(event, Assigned) and event.conversation_id == conversation.id:
        return event.agent_id
    if isinstance(event, OfferMade) and event.conversation_id == conversation.id:
        return _OFFERED
    return None
