"""SMS webhooks: a customer's text in (acknowledged to Twilio only after it is committed) and
the status callbacks of our own texts. STOP and START change the customer's consent instead
of reaching an agent; HELP reaches an agent and gets the configured help text back."""

from __future__ import annotations

import logging

from aiohttp import web
from twilio.twiml.messaging_response import MessagingResponse

from channels.twilio.forms import InboundSms, MessageStatus, media_of, parse_form
from channels.twilio.phones import display, to_e164
from channels.twilio.webhooks import twiml
from hub.flow.inbound import InboundStream
from hub.models import Attachment, DeliveryStatus, InboundMessage
from hub.ports import Customers
from hub.services.consent import ConsentService, keyword_of
from hub.services.delivery import DeliveryService
from hub.settings import TwilioSettings

log = logging.getLogger(__name__)
# Twilio's MessageStatus values and where each leaves our message; inbound-only values
# ("receiving", "received") never come for our own sends.
STATUSES: dict[str, DeliveryStatus] = {
    "accepted": "queued",
    "scheduled": "queued",
    "queued": "queued",
    "sending": "sending",
    "sent": "sent",
    "delivered": "delivered",
    "undelivered": "undelivered",
    "failed": "failed",
    "canceled": "failed",
    "read": "read",
}


class SmsWebhooks:
    def __init__(
        self,
        settings: TwilioSettings,
        stream: InboundStream,
        customers: Customers,
        consent: ConsentService,
        delivery: DeliveryService,
    ) -> None:
        self._settings = settings
        self._stream = stream
        self._customers = customers
        self._consent = consent
        self._delivery = delivery

    async def inbound(self, _request: web.Request, form: dict[str, str]) -> web.Response:
        sms = parse_form(InboundSms, form)
        media = media_of(form, sms.num_media)
        sender = to_e164(sms.sender, self._settings.default_region)
        to = to_e164(sms.to, self._settings.default_region)
        customer_id = await self._customers.identify("phone", sender, display(sender))
        keyword = keyword_of(sms.body)
        if keyword in ("stop", "start"):
            await self._consent.record(customer_id, "sms", "phone", sender, keyword, sms.body)
            return twiml(MessagingResponse())
        await self._stream.receive(
            InboundMessage(
                channel="sms",
                customer_id=customer_id,
                dedupe_key=f"sms:{sms.message_sid}",
                text=sms.body,
                queue=self._settings.queue_of(to, "sms"),
                attachments=tuple(
                    Attachment(name=url.rsplit("/", 1)[-1], content_type=kind, url=url)
                    for url, kind in media
                ),
                external_id=sms.message_sid,
                contact=sender,
                via=to,
            )
        )
        response = MessagingResponse()
        if keyword == "help":
            response.message(self._settings.help_reply)
        return twiml(response)

    async def status(self, _request: web.Request, form: dict[str, str]) -> web.Response:
        receipt = parse_form(MessageStatus, form)
        status = STATUSES.get(receipt.status)
        if status is None:
            log.warning(
                "twilio: unknown MessageStatus %r for %s ignored",
                receipt.status,
                receipt.message_sid,
            )
            return twiml(MessagingResponse())
        error = None
        if receipt.error_code:
            error = f"Twilio error {receipt.error_code}"
            if receipt.error_message:
                error += f": {receipt.error_message}"
        await self._delivery.update(
            "sms", receipt.message_sid, status, error=error, error_code=receipt.error_code
        )
        return twiml(MessagingResponse())
