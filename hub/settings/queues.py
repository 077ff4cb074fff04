"""Which queue each channel's conversations enter, decided once at start: a channel is built
from a section whose queue references are all names of stored queues (hub/flow/queues.py;
seeded from config.toml's [[queues]]). Without one in the file, a channel's conversations
enter the first queue that lists that channel, else the first queue."""

from __future__ import annotations

from collections.abc import Sequence

from hub.errors import ConfigError
from hub.models import ChannelName
from hub.settings.channels import ChannelsSettings
from hub.settings.model import Settings
from hub.settings.sections import QueueSettings


def queue_for(
    queues: Sequence[QueueSettings], channel: ChannelName, preferred: str | None = None
) -> QueueSettings:
    """The queue a new conversation on `channel` enters: `preferred` when it names one, else
    the first that lists the channel, else the first."""
    if preferred is not None:
        found = next((q for q in queues if q.name == preferred), None)
        if found is not None:
            return found
    return next((q for q in queues if channel in q.channels), queues[0])


def resolve_channels(
    settings: Settings, queues: Sequence[QueueSettings] | None = None
) -> ChannelsSettings:
    """The channel sections with every queue reference resolved against `queues` (the stored
    ones; config.toml's when not given). A reference to a queue that is not there (deleted
    by an admin while no channel sent to it) stops start-up, naming the key."""
    known = tuple(queues) if queues is not None else settings.queues
    _check_known(settings, known)
    channels = settings.channels

    def pick(channel: ChannelName, preferred: str | None) -> str:
        return queue_for(known, channel, preferred).name

    webchat = channels.webchat.model_copy(update={"queue": pick("webchat", channels.webchat.queue)})
    twilio = channels.twilio.model_copy(
        update={
            "sms_queue": pick("sms", channels.twilio.sms_queue),
            "voice_queue": pick("voice", channels.twilio.voice_queue),
        }
    )
    mailboxes = tuple(
        m.model_copy(update={"queue": pick("email", m.queue)}) for m in channels.email.mailboxes
    )
    email = channels.email.model_copy(update={"mailboxes": mailboxes})
    return channels.model_copy(update={"webchat": webchat, "twilio": twilio, "email": email})


def channel_queues(channels: ChannelsSettings) -> set[str]:
    """The queues the enabled channels of resolved sections send conversations to: an admin
    may not delete those."""
    names: set[str] = set()
    if channels.webchat.enabled and channels.webchat.queue:
        names.add(channels.webchat.queue)
    if channels.twilio.enabled:
        twilio = channels.twilio
        names |= {q for q in (twilio.sms_queue, twilio.voice_queue) if q}
        names |= {n.queue for n in twilio.numbers if n.queue}
    if channels.email.enabled:
        names |= {m.queue for m in channels.email.mailboxes if m.queue}
    return names


def _check_known(settings: Settings, queues: Sequence[QueueSettings]) -> None:
    if not queues:
        raise ConfigError("queues", "no queue is stored: create one or restore [[queues]]")
    names = {q.name for q in queues}
    channels = settings.channels
    named: list[tuple[str, str | None]] = [
        ("channels.webchat.queue", channels.webchat.queue),
        ("channels.twilio.sms_queue", channels.twilio.sms_queue),
        ("channels.twilio.voice_queue", channels.twilio.voice_queue),
    ]
    named += [
        (f"channels.email.mailboxes.{i}.queue", m.queue)
        for i, m in enumerate(channels.email.mailboxes)
    ]
    named += [
        (f"channels.twilio.numbers.{i}.queue", n.queue)
        for i, n in enumerate(channels.twilio.numbers)
    ]
    for key, queue in named:
        if queue is not None and queue not in names:
            raise ConfigError(key, f"no queue named {queue!r} is stored (GET /api/v1/queues)")
