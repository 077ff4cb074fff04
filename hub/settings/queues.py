"""Which queue each channel's conversations enter, decided once at start: a channel is built
from a section whose queue references are all names of configured queues. Without one in the
file, a channel's conversations enter the first queue that lists that channel, else the first
queue (`Settings.queue_for`)."""

from __future__ import annotations

from hub.settings.channels import ChannelsSettings
from hub.settings.model import Settings


def resolve_channels(settings: Settings) -> ChannelsSettings:
    channels = settings.channels
    webchat = channels.webchat.model_copy(
        update={"queue": settings.queue_for("webchat", channels.webchat.queue).name}
    )
    twilio = channels.twilio.model_copy(
        update={
            "sms_queue": settings.queue_for("sms", channels.twilio.sms_queue).name,
            "voice_queue": settings.queue_for("voice", channels.twilio.voice_queue).name,
        }
    )
    mailboxes = tuple(
        m.model_copy(update={"queue": settings.queue_for("email", m.queue).name})
        for m in channels.email.mailboxes
    )
    email = channels.email.model_copy(update={"mailboxes": mailboxes})
    return channels.model_copy(update={"webchat": webchat, "twilio": twilio, "email": email})
