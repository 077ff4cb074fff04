"""The `[channels.*]` sections: web chat, Twilio (SMS and voice) and email (its own module).
Queue references may be left out in the file; `hub.settings.queues` resolves them before a
channel is built, so a channel never decides which queue its conversations enter."""

from __future__ import annotations

from typing import Annotated, Literal

from limits import parse_many
from pydantic import AfterValidator, Field, SecretStr

from hub.errors import ConfigError
from hub.settings.email import EmailSettings
from hub.settings.sections import Section


def _rates(text: str) -> str:
    try:
        parse_many(text)
    except ValueError as exc:
        raise ValueError(f"not a rate like '10/second;60/minute': {exc}") from None
    return text


# Rate limits as the `limits` library writes them, checked at start.
RateText = Annotated[str, AfterValidator(_rates)]


def resolved(queue: str | None, key: str) -> str:
    """A queue reference of a section built by hub.settings.queues.resolve_channels; None
    there is a wiring mistake, named at start rather than routed somewhere arbitrary."""
    if queue is None:
        raise ConfigError(key, "not resolved: build channels from resolve_channels()")
    return queue


class WebchatSettings(Section):
    enabled: bool = True
    queue: str | None = None  # None: the first queue taking webchat (resolved at start)
    max_message_bytes: int = Field(default=8192, ge=64)
    # Open customer sockets one client address may hold on this process; more are closed
    # with 4429. An office behind one NAT address is many visitors: keep it generous.
    max_sockets_per_address: int = Field(default=20, ge=1)
    # Messages a visitor, and all visitors of one client address, may send (`limits`
    # notation, several separated by ";"). With max_message_bytes they bound what one
    # visitor can store: 1000 a day of 8 KiB is 8 MiB.
    visitor_message_rate: RateText = "10/10 seconds;60/minute;1000/day"
    address_message_rate: RateText = "30/10 seconds;300/minute"


class TwilioNumber(Section):
    number: str = Field(min_length=2)  # E.164, e.g. +15551234567
    queue: str | None = None


class VoicemailSettings(Section):
    prompt: str = "Nobody can take your call right now. Please leave a message after the tone."
    max_length_seconds: int = Field(default=120, ge=5, le=3600)
    transcribe: bool = True


class TwilioSettings(Section):
    enabled: bool = False
    account_sid: str = ""
    # The auth token is a secret: it is read from this environment variable, never the file.
    auth_token_env: str = "TWILIO_AUTH_TOKEN"
    # Filled from that variable by load_settings; refused in the file.
    auth_token: SecretStr = SecretStr("")
    numbers: tuple[TwilioNumber, ...] = ()
    # Where texts and calls to a number without a queue of its own go. None: the first
    # queue taking that channel (resolved at start).
    sms_queue: str | None = None
    voice_queue: str | None = None
    messaging_service_sid: str = ""
    # What Twilio calls: signatures are checked against it (so they hold behind a proxy) and
    # callback URLs are built on it.
    public_base_url: str = ""
    api_base_url: str = "https://api.twilio.com"
    default_region: str = "US"  # for numbers written without a country code
    request_timeout_seconds: float = Field(default=15.0, gt=0)
    # How long the link Twilio fetches an agent's attached file from stays valid.
    media_link_seconds: float = Field(default=3600.0, ge=60, le=7 * 24 * 3600)
    greeting: str = "Thank you for calling. Please hold while we find someone to help you."
    hold_music_url: str = "http://com.twilio.music.classical.s3.amazonaws.com/BusyStrings.mp3"
    # How long the caller hears the greeting while an offer is out before being queued.
    ring_seconds: float = Field(default=10.0, gt=0, lt=15)
    max_queue_wait_seconds: int = Field(default=300, ge=0)
    voicemail: VoicemailSettings = VoicemailSettings()
    help_reply: str = "Reply STOP to stop messages, START to resume. Reply to this number for help."

    def queue_of(self, number: str, channel: Literal["sms", "voice"]) -> str:
        """The queue a text or call to our `number` enters."""
        own = next((n.queue for n in self.numbers if n.number == number), None)
        if own is not None:
            return own
        if channel == "sms":
            return resolved(self.sms_queue, "channels.twilio.sms_queue")
        return resolved(self.voice_queue, "channels.twilio.voice_queue")


class ChannelsSettings(Section):
    webchat: WebchatSettings = WebchatSettings()
    twilio: TwilioSettings = TwilioSettings()
    email: EmailSettings = EmailSettings()
