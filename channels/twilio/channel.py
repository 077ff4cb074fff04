"""The Twilio channel as the composition root sees it (hub.channel.Channel): signed webhooks
for SMS and voice, the REST API for texts and call redirects through the outbox, and the
watcher that connects queued calls to the agent who accepts them."""

from __future__ import annotations

from contextlib import AsyncExitStack
from typing import Any

from aiohttp import web

from channels.twilio.call_status import CallStatus
from channels.twilio.client import CallRedirectSender, SmsSender, TwilioApi
from channels.twilio.media import PATH as MEDIA_PATH
from channels.twilio.media import MediaLinks
from channels.twilio.queueing import CallQueue
from channels.twilio.sms import SmsWebhooks
from channels.twilio.voice import PATHS, VoiceCalls
from channels.twilio.voicemail import Voicemail
from channels.twilio.webhooks import SignedWebhooks
from hub.channel import ChannelContext
from hub.models import MailboxState
from hub.outbox.items import CallRedirectPayload, SenderFor, SmsPayload
from hub.services.calls import CallService
from hub.services.consent import ConsentService
from hub.settings.channels import TwilioSettings

SMS_PATHS = {"inbound": "/twilio/sms", "status": "/twilio/sms/status"}
VOICE_INCOMING = "/twilio/voice"
VOICE_STATUS = "/twilio/voice/status"


class TwilioChannel:
    def __init__(self, settings: TwilioSettings, context: ChannelContext) -> None:
        token = settings.auth_token.get_secret_value()
        store = context.store
        self._hooks = SignedWebhooks(token, settings.public_base_url)
        self._api = TwilioApi(settings, token)
        status_callback = self._hooks.url_for(SMS_PATHS["status"])
        self._media = MediaLinks(
            context.secret,
            settings.public_base_url,
            context.data_dir / "attachments",
            settings.media_link_seconds,
        )
        sms = SmsSender(self._api, settings, status_callback, self._media)
        self._senders: list[SenderFor[Any]] = [
            SenderFor(SmsPayload, sms),
            SenderFor(CallRedirectPayload, CallRedirectSender(self._api)),
        ]
        consent = ConsentService(context.work)
        self._sms = SmsWebhooks(
            settings, context.stream, store.customers, consent, context.delivery
        )
        calls = CallService(context.work)
        self._voice = VoiceCalls(
            settings,
            self._hooks,
            calls,
            store.calls,
            store.customers,
            store.reader,
            store.agents,
            context.feed,
        )
        self._queue = CallQueue(self._voice, context.feed)
        self._voicemail = Voicemail(self._voice, context.stream)
        self._status = CallStatus(self._voice)
        self._stack = AsyncExitStack()

    def routes(self) -> list[web.RouteDef]:
        handlers = {
            SMS_PATHS["inbound"]: self._sms.inbound,
            SMS_PATHS["status"]: self._sms.status,
            VOICE_INCOMING: self._voice.incoming,
            VOICE_STATUS: self._status.caller_leg,
            PATHS["route"]: self._voice.route,
            PATHS["connect"]: self._voice.connect,
            PATHS["dial"]: self._status.dial_result,
            PATHS["leg"]: self._status.agent_leg,
            PATHS["wait"]: self._queue.wait,
            PATHS["dequeued"]: self._queue.dequeued,
            PATHS["recorded"]: self._voicemail.recorded,
            PATHS["transcription"]: self._voicemail.transcription,
        }
        # Every webhook's signature is checked before anything of it is read; media links
        # carry a signature of our own.
        webhooks = [web.post(path, self._hooks.route(h)) for path, h in handlers.items()]
        return [*webhooks, web.get(MEDIA_PATH, self._media.serve)]

    def senders(self) -> list[SenderFor[Any]]:
        return self._senders

    def states(self) -> list[MailboxState]:
        return []

    async def __aenter__(self) -> TwilioChannel:
        try:
            await self._stack.enter_async_context(self._api)
            await self._stack.enter_async_context(self._queue)
        except BaseException:
            await self._stack.aclose()
            raise
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._stack.aclose()
