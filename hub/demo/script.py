"""One demo conversation played through the services real traffic uses: the customer's
messages through the inbound stream, offers made and accepted, replies, notes, transfers and
resolutions through ConversationService, calls through CallService. Each script has its own
clock, set to each step's time before the step, so everything it writes is dated then."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from hub.demo.plans import Plan, Step
from hub.demo.slots import Slots
from hub.errors import Conflict
from hub.flow.inbound import InboundStream
from hub.flow.publishing import PublishingWork
from hub.ids import ConversationId, CustomerId
from hub.models import Agent, Attachment, ChannelName, Conversation, InboundMessage, LeaseTerm
from hub.services.calls import CallService
from hub.services.conversations import ConversationService
from hub.services.offers import OfferService
from hub.settings import Settings

ACCEPT_AFTER = timedelta(seconds=6)  # an agent takes an offer a few seconds after it comes


@dataclass(frozen=True)
class Desk:
    """What every script shares: the hub's writers, the routing lease's term the offers are
    fenced with, the agents' free slots, and who the customers are."""

    stream: InboundStream
    work: PublishingWork
    settings: Settings
    term: LeaseTerm
    slots: Slots
    customers: dict[int, CustomerId]
    run: str  # in every dedupe key, so two histories never collide
    via: dict[str, str]  # our address per channel: the mailbox, the hub's number

    def queues(self, channel: ChannelName) -> list[str]:
        return [q.name for q in self.settings.queues if channel in q.channels]


class PlanClock:
    """The injected clock: the time of the step being played."""

    def __init__(self, at: datetime) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at


class Script:
    def __init__(self, desk: Desk, plan: Plan) -> None:
        self._desk, self._plan = desk, plan
        self._clock = PlanClock(plan.start)
        settings = desk.settings
        self._conversations = ConversationService(desk.work, settings, None, clock=self._clock)
        self._offers = OfferService(
            desk.work, settings.routing, lambda: settings.queues, self._clock
        )
        self._calls = CallService(desk.work, self._clock)
        self._customer_id = desk.customers[plan.customer.index]
        self._queue = desk.queues(plan.channel)[0]
        self._conversation: Conversation | None = None
        self._agent: Agent | None = None
        self._next: Agent | None = None  # the colleague a transfer picked
        self._count = 0
        self.messages = 0

    async def play(self) -> None:
        for step in self._plan.steps:
            self._clock.at = step.at
            await getattr(self, f"_{step.kind}")(step)
        if self._agent is not None and not self._desk.slots.may_keep(self._plan.channel):
            # Left open, but its agent's slot is needed for the rest of the history.
            self._clock.at += timedelta(seconds=30)
            await self._resolve(self._plan.steps[-1])

    def _key(self, prefix: str) -> str:
        self._count += 1
        digest = hashlib.sha256(f"{self._desk.run}:{self._plan.index}:{self._count}".encode())
        return prefix + digest.hexdigest()[:32]

    async def _receive(self, message: InboundMessage) -> None:
        ingested = await self._desk.stream.receive(message)
        self._conversation = ingested.conversation
        self.messages += 1

    async def _customer(self, step: Step) -> None:
        channel, first = self._plan.channel, self._conversation is None
        spec, via = self._plan.customer, self._desk.via.get(channel)
        fields: dict[str, object] = {"contact": spec.phone, "via": via}
        if channel == "webchat":
            client_id = self._key("c")
            key = f"webchat:{self._customer_id}:{client_id}"
            fields = {"client_id": client_id}
        elif channel == "sms":
            sid = self._key("SM")
            key, fields["external_id"] = f"sms:{sid}", sid
        else:
            fields, key = self._email(first), ""
            key = f"email:{fields['external_id']}"
        await self._receive(
            InboundMessage.model_validate(
                fields
                | {
                    "channel": channel,
                    "customer_id": self._customer_id,
                    "dedupe_key": key,
                    "text": step.text,
                    "queue": self._queue,
                    "new_conversation": first,
                    "conversation_id": None if first else self._id(),
                    "received_at": step.at,
                }
            )
        )

    def _email(self, first: bool) -> dict[str, object]:
        spec, subject = self._plan.customer, self._plan.subject or ""
        subject = subject if first else f"Re: {subject}"
        meta = {
            "from": spec.email,
            "from_name": spec.name,
            "to": [self._desk.via["email"]],
            "cc": [],
            "subject": subject,
            "thread_rule": "new" if first else "in-reply-to",
            "mailbox": "demo",
        }
        return {
            "subject": subject,
            "external_id": f"<{self._key('')}@mail.example>",
            "contact": spec.email if first else None,
            "via": self._desk.via["email"],
            "meta": meta,
        }

    def _id(self) -> ConversationId:
        assert self._conversation is not None
        return self._conversation.id

    async def _assign(self, _step: Step) -> None:
        channel = self._plan.channel
        agent = self._next or await self._desk.slots.take(channel)
        self._next = None
        timeout = self._desk.settings.routing.offer_timeout_seconds
        offer = await self._offers.make(self._id(), agent.id, timeout, term=self._desk.term)
        if offer is None:
            raise Conflict(f"demo: conversation {self._id()} could not be offered")
        self._clock.at += ACCEPT_AFTER
        self._conversation = await self._offers.accept(agent.id, offer.id)
        self._agent = agent

    def _holder(self) -> Agent:
        assert self._agent is not None
        return self._agent

    async def _reply(self, step: Step) -> None:
        await self._conversations.reply(self._holder(), self._id(), self._key("r"), step.text)
        self.messages += 1

    async def _note(self, step: Step) -> None:
        await self._conversations.note(self._holder(), self._id(), step.text)

    async def _transfer(self, _step: Step) -> None:
        """To another queue that takes the channel, else to a colleague free now, else back
        to its queue. The slot is given back once the transfer committed: until then the
        agent still holds it."""
        agent, channel = self._holder(), self._plan.channel
        queue = self._conversation_queue()
        others = [q for q in self._desk.queues(channel) if q != queue]
        self._next = None if others else self._desk.slots.try_take(channel, agent)
        if self._next is not None:
            await self._conversations.transfer(agent, self._id(), to_agent_id=self._next.id)
        else:
            await self._conversations.transfer(agent, self._id(), to_queue=(others or [queue])[0])
        await self._desk.slots.give_back(channel, agent)
        self._agent = None

    def _conversation_queue(self) -> str:
        assert self._conversation is not None
        return self._conversation.queue

    async def _resolve(self, _step: Step) -> None:
        agent = self._holder()
        await self._conversations.resolve(agent, self._id())
        await self._desk.slots.give_back(self._plan.channel, agent)
        self._agent = None

    def _sid(self) -> str:
        return (
            "CA" + hashlib.sha256(f"{self._desk.run}:{self._plan.index}".encode()).hexdigest()[:32]
        )

    async def _ring(self, _step: Step) -> None:
        phone, via = self._plan.customer.phone, self._desk.via["voice"]
        ingested = await self._calls.ring(self._sid(), self._customer_id, phone, via, self._queue)
        self._conversation = ingested.conversation
        self.messages += 1

    async def _answer(self, _step: Step) -> None:
        await self._calls.update(self._sid(), "in-progress", agent_id=self._holder().id)

    async def _hangup(self, step: Step) -> None:
        talked = int((step.at - self._plan.steps[0].at).total_seconds())
        await self._calls.update(
            self._sid(), "completed", agent_id=self._holder().id, duration=talked
        )

    async def _voicemail(self, step: Step) -> None:
        """As the Twilio channel stores one: the recording, the call's step, the transcript."""
        recording = self._key("RE")
        url = f"https://api.twilio.com/2010-04-01/Recordings/{recording}"
        audio = Attachment(name=f"voicemail-{recording}.mp3", content_type="audio/mpeg", url=url)
        await self._voice_message(f"recording:{recording}", f"Voicemail (42 s): {url}", audio)
        await self._calls.update(self._sid(), "voicemail", duration=42, recording_url=url)
        await self._voice_message(
            f"transcription:{recording}", f"Voicemail transcription: {step.text}", None
        )

    async def _voice_message(self, key: str, text: str, audio: Attachment | None) -> None:
        await self._receive(
            InboundMessage(
                channel="voice",
                customer_id=self._customer_id,
                dedupe_key=key,
                text=text,
                queue="",
                attachments=(audio,) if audio else (),
                conversation_id=self._conversation.id if self._conversation else None,
                contact=self._plan.customer.phone,
                received_at=self._clock(),
            )
        )

    async def _missed(self, _step: Step) -> None:
        await self._calls.miss(self._sid(), "no answer, no voicemail")
        self.messages += 1
