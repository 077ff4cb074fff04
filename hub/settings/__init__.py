"""Configuration: config.toml plus CONTACTHUB_* environment overrides, validated into one frozen
object. Each component is handed only its own section."""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator

from hub.errors import ConfigError
from hub.models import CHANNELS, Channel
from hub.settings.email import EmailSettings, resolve_email_secrets

ENV_PREFIX = "CONTACTHUB_"
RoutingPolicy = Literal["longest_idle", "round_robin", "least_busy"]
DEFAULT_CAPACITY: dict[Channel, int] = {"webchat": 3, "email": 5, "sms": 3, "voice": 1}


class Section(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ServerSettings(Section):
    host: str = "127.0.0.1"
    port: int = Field(default=8080, ge=0, le=65535)
    data_dir: Path = Path("./var")
    max_frame_bytes: int = Field(default=65536, ge=256)


class DatabaseSettings(Section):
    # Empty means the embedded SQLite file <data_dir>/contacthub.db.
    url: str = ""
    group_commit_ms: float = Field(default=5.0, gt=0, le=10.0)
    group_commit_rows: int = Field(default=256, ge=1)


class BusSettings(Section):
    # Empty means in-process; redis://host:port/db shares events between hub processes.
    url: str = ""


class AuthSettings(Section):
    # Empty means a random secret kept in <data_dir>/secret.key. Set it (CONTACTHUB_AUTH__SECRET)
    # when several hub processes must accept each other's tokens.
    secret: str = ""
    token_ttl_seconds: int = Field(default=12 * 3600, ge=60)


class RoutingSettings(Section):
    offer_timeout_seconds: float = Field(default=20.0, gt=0)
    presence_grace_seconds: float = Field(default=30.0, ge=0)
    lease_ttl_seconds: float = Field(default=10.0, gt=0)
    default_capacity: dict[Channel, int] = Field(default_factory=lambda: dict(DEFAULT_CAPACITY))
    # Whether an agent on a call (holding voice work) is still offered chats, SMS and email.
    chats_during_calls: bool = False


class OutboxSettings(Section):
    poll_seconds: float = Field(default=1.0, gt=0)
    max_attempts: int = Field(default=8, ge=1)
    backoff_base_seconds: float = Field(default=2.0, gt=0)
    backoff_max_seconds: float = Field(default=300.0, gt=0)
    # A send still unanswered after this is cut off and retried; a process that died
    # mid-send leaves its item for this long before it is marked "delivery unknown".
    send_timeout_seconds: float = Field(default=30.0, gt=0)
    concurrency: int = Field(default=16, ge=1)


class QueueSettings(Section):
    name: str = Field(min_length=1)
    channels: tuple[Channel, ...] = CHANNELS
    skills: tuple[str, ...] = ()
    priority: int = 0
    service_level_seconds: int = Field(default=60, gt=0)
    policy: RoutingPolicy = "longest_idle"


class WebchatSettings(Section):
    enabled: bool = True
    queue: str | None = None
    max_message_bytes: int = Field(default=8192, ge=64)


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
    messaging_service_sid: str = ""
    # What Twilio calls: signatures are checked against it (so they hold behind a proxy) and
    # callback URLs are built on it.
    public_base_url: str = ""
    api_base_url: str = "https://api.twilio.com"
    default_region: str = "US"  # for numbers written without a country code
    request_timeout_seconds: float = Field(default=15.0, gt=0)
    greeting: str = "Thank you for calling. Please hold while we find someone to help you."
    hold_music_url: str = "http://com.twilio.music.classical.s3.amazonaws.com/BusyStrings.mp3"
    # How long the caller hears the greeting while an offer is out before being queued.
    ring_seconds: float = Field(default=10.0, gt=0, lt=15)
    max_queue_wait_seconds: int = Field(default=300, ge=0)
    voicemail: VoicemailSettings = VoicemailSettings()
    help_reply: str = "Reply STOP to stop messages, START to resume. Reply to this number for help."

    def queue_of(self, number: str) -> str | None:
        return next((n.queue for n in self.numbers if n.number == number), None)


class ChannelsSettings(Section):
    webchat: WebchatSettings = WebchatSettings()
    twilio: TwilioSettings = TwilioSettings()
    email: EmailSettings = EmailSettings()


class Settings(Section):
    server: ServerSettings = ServerSettings()
    database: DatabaseSettings = DatabaseSettings()
    bus: BusSettings = BusSettings()
    auth: AuthSettings = AuthSettings()
    routing: RoutingSettings = RoutingSettings()
    outbox: OutboxSettings = OutboxSettings()
    queues: tuple[QueueSettings, ...] = (QueueSettings(name="general"),)
    channels: ChannelsSettings = ChannelsSettings()

    @field_validator("queues")
    @classmethod
    def _queues_unique_and_present(
        cls, queues: tuple[QueueSettings, ...]
    ) -> tuple[QueueSettings, ...]:
        if not queues:
            raise ValueError("at least one queue is needed")
        names = [q.name for q in queues]
        if len(set(names)) != len(names):
            raise ValueError(f"queue names repeat: {names}")
        return queues

    @property
    def database_url(self) -> str:
        return self.database.url or f"sqlite+aiosqlite:///{self.server.data_dir}/contacthub.db"

    def queue(self, name: str) -> QueueSettings | None:
        return next((q for q in self.queues if q.name == name), None)

    def queue_for(self, channel: Channel, preferred: str | None = None) -> QueueSettings:
        """The queue a new conversation on `channel` enters."""
        if preferred is not None:
            found = self.queue(preferred)
            if found is not None:
                return found
        for queue in self.queues:
            if channel in queue.channels:
                return queue
        return self.queues[0]


def load_settings(path: Path | None = None, env: Mapping[str, str] | None = None) -> Settings:
    """Read `path` (or ./config.toml if present, else built-in defaults) and apply overrides
    such as CONTACTHUB_DATABASE__URL (a double underscore separates nesting levels)."""
    raw: dict[str, Any] = {}
    if path is None and Path("config.toml").is_file():
        path = Path("config.toml")
    if path is not None:
        raw = _read_toml(path)
    env = os.environ if env is None else env
    _apply_env(raw, env)
    _fill_secrets(raw, env)
    try:
        settings = Settings.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        key = ".".join(str(part) for part in first["loc"]) or "(root)"
        raise ConfigError(key, first["msg"]) from None
    _check_references(settings)
    email = resolve_email_secrets(settings.channels.email, env)
    channels = settings.channels.model_copy(update={"email": email})
    return settings.model_copy(update={"channels": channels})


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        raise ConfigError(str(path), "file not found") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(str(path), f"not valid TOML: {exc}") from None


def _apply_env(raw: dict[str, Any], env: Mapping[str, str]) -> None:
    for name, value in env.items():
        # Every setting lives in a section, so an override always has a "__"; other
        # CONTACTHUB_* variables (CONTACTHUB_REQUIRE_SERVICES, ...) are not configuration.
        if not name.startswith(ENV_PREFIX) or "__" not in name:
            continue
        path = [part.lower() for part in name[len(ENV_PREFIX) :].split("__")]
        node = raw
        for part in path[:-1]:
            child = node.setdefault(part, {})
            if not isinstance(child, dict):
                raise ConfigError(name, f"{part} is not a section")
            node = child
        node[path[-1]] = value


def _fill_secrets(raw: dict[str, Any], env: Mapping[str, str]) -> None:
    """Secrets come from the environment variables the config names, never from the file."""
    twilio = raw.get("channels", {}).get("twilio")
    if not isinstance(twilio, dict):
        return
    if "auth_token" in twilio:
        raise ConfigError(
            "channels.twilio.auth_token", "keep secrets out of the file: set auth_token_env"
        )
    variable = twilio.get("auth_token_env", TwilioSettings().auth_token_env)
    if isinstance(variable, str) and env.get(variable):
        twilio["auth_token"] = env[variable]


def _check_references(settings: Settings) -> None:
    webchat_queue = settings.channels.webchat.queue
    if webchat_queue is not None and settings.queue(webchat_queue) is None:
        raise ConfigError("channels.webchat.queue", f"no queue named {webchat_queue!r}")
    for index, mailbox in enumerate(settings.channels.email.mailboxes):
        if mailbox.queue is not None and settings.queue(mailbox.queue) is None:
            key = f"channels.email.mailboxes.{index}.queue"
            raise ConfigError(key, f"no queue named {mailbox.queue!r}")
    _check_twilio(settings)


def _check_twilio(settings: Settings) -> None:
    twilio = settings.channels.twilio
    if not twilio.enabled:
        return
    key = "channels.twilio"
    if not twilio.account_sid.startswith("AC"):
        raise ConfigError(f"{key}.account_sid", "an account SID (AC...) is needed")
    if not twilio.auth_token.get_secret_value():
        raise ConfigError(
            f"{key}.auth_token_env", f"environment variable {twilio.auth_token_env} is not set"
        )
    for url_key in ("public_base_url", "api_base_url"):
        if not getattr(twilio, url_key).startswith(("http://", "https://")):
            raise ConfigError(f"{key}.{url_key}", "an http(s):// URL is needed")
    if not twilio.numbers and not twilio.messaging_service_sid:
        raise ConfigError(f"{key}.numbers", "give the numbers or a messaging_service_sid")
    for index, number in enumerate(twilio.numbers):
        if not number.number.startswith("+"):
            raise ConfigError(f"{key}.numbers.{index}.number", "use E.164, e.g. +15551234567")
        if number.queue is not None and settings.queue(number.queue) is None:
            raise ConfigError(f"{key}.numbers.{index}.queue", f"no queue named {number.queue!r}")
