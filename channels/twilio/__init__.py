"""Twilio SMS and voice: signed webhooks in, the REST API out through the outbox."""

from __future__ import annotations

from contextlib import AsyncExitStack

from aiohttp import web

from channels.twilio.call_status import CallStatus
from channels.twilio.client import CallRedirectSender, SmsSender, TwilioApi
from channels.twilio.queueing import CallQueue
from channels.twilio.sms import SmsWebhooks
from channels.twilio.voice import PATHS, VoiceCalls
from channels.twilio.voicemail import Voicemail
from channels.twilio.webhooks import SignedWebhooks
from hub.flow.feed import EventFeed
from hub.flow.inbound import InboundStream
from hub.flow.publishing import PublishingWork
from hub.outbox.relay import OutboxRelay
from hub.ports import Store
from hub.services.calls import CALL_REDIRECT, CallService
from hub.services.consent import ConsentService
from hub.services.delivery import DeliveryService
from hub.settings import TwilioSettings

SMS_PATHS = {"inbound": "/twilio/sms", "status": "/twilio/sms/status"}
VOICE_INCOMING = "/twilio/voice"
VOICE_STATUS = "/twilio/voice/status"


class TwilioChannel:
    def __init__(
        self,
        settings: TwilioSettings,
        auth_token: str,
        store: Store,
        work: PublishingWork,
        stream: InboundStream,
        feed: EventFeed,
        queues: tuple[str, str],
    ) -> None:
        """`queues`: where texts and calls to a number with no queue of its own go."""
        self._settings = settings
        self._auth_token = auth_token
        self._store = store
        self._work = work
        self._stream = stream
        self._feed = feed
        self._sms_queue, self._voice_queue = queues

    async def install(
        self, app: web.Application, outbox: OutboxRelay, stack: AsyncExitStack
    ) -> None:
        settings, store = self._settings, self._store
        hooks = SignedWebhooks(self._auth_token, settings.public_base_url)
        api = await stack.enter_async_context(TwilioApi(settings, self._auth_token))
        outbox.register("sms", SmsSender(api, settings, hooks.url_for(SMS_PATHS["status"])))
        outbox.register(CALL_REDIRECT, CallRedirectSender(api))
        sms = SmsWebhooks(
            settings,
            self._stream,
            store.customers,
            ConsentService(self._work),
            DeliveryService(self._work),
            self._voice_queue,
        )
        calls = CallService(self._work, self._stream)
        voice = VoiceCalls(
            settings,
            hooks,
            calls,
            store.calls,
            store.customers,
            store.reader,
            store.agents,
            self._feed,
            self._voice_queue,
        )
        queue = await stack.enter_async_context(CallQueue(voice, self._feed))
        voicemail = Voicemail(voice, self._stream)
        status = CallStatus(voice)
        routes = {
            SMS_PATHS["inbound"]: sms.inbound,
            SMS_PATHS["status"]: sms.status,
            VOICE_INCOMING: voice.incoming,
            VOICE_STATUS: status.caller_leg,
            PATHS["route"]: voice.route,
            PATHS["connect"]: voice.connect,
            PATHS["dial"]: status.dial_result,
            PATHS["leg"]: status.agent_leg,
            PATHS["wait"]: queue.wait,
            PATHS["dequeued"]: queue.dequeued,
            PATHS["recorded"]: voicemail.recorded,
            PATHS["transcription"]: voicemail.transcription,
        }
        for path, handler in routes.items():
            app.router.add_post(path, hooks.route(handler))
