"""What a reply on each channel with a sender queues: the typed payload, fixed when the
reply commits, so every retry sends the same thing."""

from __future__ import annotations

from hub.errors import BadInput
from hub.models import Conversation, Message
from hub.outbox.items import EmailPayload, OutboxPayload, SmsPayload


def outbound_payload(
    conversation: Conversation, message: Message, *, auto_reply: bool = False
) -> OutboxPayload:
    match conversation.channel:
        case "sms":
            return SmsPayload(
                to=conversation.contact,
                sender=conversation.via,
                text=message.text,
                media_urls=tuple(a.url for a in message.attachments if a.sha256 is None),
                attachments=tuple(a for a in message.attachments if a.sha256 is not None),
            )
        case "email":
            return EmailPayload(
                to=conversation.contact,
                sender=conversation.via,
                subject=conversation.subject,
                text=message.text,
                # The hub's own mail (author system) is signed by the company alone.
                agent_name=message.agent_name if message.author == "agent" else None,
                attachments=message.attachments,
                auto_reply=auto_reply,
            )
        case _:
            raise BadInput(f"replies on {conversation.channel} are not sent through the outbox")
