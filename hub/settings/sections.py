"""The core sections of config.toml: server, database, bus, auth, routing, outbox, events and
queues. Every section is frozen and refuses unknown keys, so a typo fails at start."""

from __future__ import annotations

from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

import limits
from pydantic import BaseModel, ConfigDict, Field, IPvAnyNetwork, field_validator

from hub.models import CHANNELS, ChannelName

RoutingPolicy = Literal["longest_idle", "round_robin", "least_busy"]
DEFAULT_CAPACITY: dict[ChannelName, int] = {"webchat": 3, "email": 5, "sms": 3, "voice": 1}


class Section(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ServerSettings(Section):
    host: str = "127.0.0.1"
    port: int = Field(default=8080, ge=0, le=65535)
    data_dir: Path = Path("./var")
    max_frame_bytes: int = Field(default=65536, ge=256)
    # The address browsers use, e.g. https://hub.example.com (behind a TLS proxy). It is an
    # origin the session cookie is accepted from, and with https the cookie is `Secure`.
    # Empty: the origin each request was addressed to, as the hub sees it.
    public_url: str = ""

    @field_validator("public_url")
    @classmethod
    def _an_origin(cls, value: str) -> str:
        if not value:
            return value
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("an http(s):// URL is needed, e.g. https://hub.example.com")
        if parts.path.strip("/") or parts.query or parts.fragment:
            raise ValueError("give the origin only (scheme, host and port), no path")
        return value.rstrip("/")

    # Reverse proxies (addresses or networks) whose X-Forwarded-For is believed when they
    # are the peer. Empty: a client's address is the socket peer, whatever headers say.
    trusted_proxies: tuple[IPvAnyNetwork, ...] = ()  # "10.0.0.0/8", "127.0.0.1"

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def _split(cls, value: object) -> object:
        # An environment override is one string: "10.0.0.0/8,127.0.0.1".
        if isinstance(value, str):
            return tuple(part.strip() for part in value.split(",") if part.strip())
        return value


class DatabaseSettings(Section):
    # Empty means the embedded SQLite file <data_dir>/contacthub.db.
    url: str = ""
    group_commit_ms: float = Field(default=5.0, gt=0, le=10.0)
    group_commit_rows: int = Field(default=256, ge=1)


class BusSettings(Section):
    # Empty means in-process; redis://host:port/db shares events between hub processes.
    url: str = ""


MIN_SECRET_BYTES = 32
MAX_TOKEN_TTL_SECONDS = 7 * 24 * 3600
SECRET_HINT = 'python3 -c "import secrets; print(secrets.token_urlsafe(32))"'


def _rate(value: str) -> str:
    try:
        limits.parse(value)
    except ValueError:
        raise ValueError(f"{value!r} is not a rate such as '10/minute'") from None
    return value


class AuthSettings(Section):
    # Empty means a random secret kept in <data_dir>/secret.key. Set it (CONTACTHUB_AUTH__SECRET)
    # when several hub processes must accept each other's tokens: at least 32 bytes.
    secret: str = ""
    token_ttl_seconds: int = Field(default=12 * 3600, ge=60, le=MAX_TOKEN_TTL_SECONDS)
    # Login attempts, right or wrong, counted in a moving window (`limits` notation). In
    # memory, or on Redis when bus.url is redis://, so every process counts together.
    login_limit_per_account: str = "10/minute"
    login_limit_per_address: str = "60/minute"
    # This many wrong passwords for one email in a row lock it for lockout_seconds, doubled
    # at each further lockout up to lockout_max_seconds (reset by a successful login).
    lockout_after_failures: int = Field(default=5, ge=1)
    lockout_seconds: float = Field(default=60.0, gt=0)
    lockout_max_seconds: float = Field(default=3600.0, gt=0)
    # Argon2 runs on its own threads: at most hash_workers at once and hash_queue waiting;
    # a login beyond that is refused at once (503, Retry-After) instead of queueing.
    hash_workers: int = Field(default=2, ge=1, le=64)
    hash_queue: int = Field(default=8, ge=0, le=1024)
    # A websocket ticket (POST /api/v1/auth/ticket) is good once, within this many seconds.
    ticket_ttl_seconds: int = Field(default=30, ge=5, le=300)

    @field_validator("secret")
    @classmethod
    def _long_enough(cls, value: str) -> str:
        size = len(value.encode())
        if value and size < MIN_SECRET_BYTES:
            raise ValueError(
                f"a secret needs at least {MIN_SECRET_BYTES} bytes, this one has {size}: "
                f"generate one with {SECRET_HINT}"
            )
        return value

    @field_validator("login_limit_per_account", "login_limit_per_address")
    @classmethod
    def _a_rate(cls, value: str) -> str:
        return _rate(value)


class RoutingSettings(Section):
    offer_timeout_seconds: float = Field(default=20.0, gt=0)
    presence_grace_seconds: float = Field(default=30.0, ge=0)
    lease_ttl_seconds: float = Field(default=10.0, gt=0)
    default_capacity: dict[ChannelName, int] = Field(default_factory=lambda: dict(DEFAULT_CAPACITY))
    # Whether an agent on a call (holding voice work) is still offered chats, SMS and email.
    chats_during_calls: bool = False
    # An agent who lets this many offers in a row time out is set away (0: never), so work
    # is not offered to an empty chair every timeout, and they are told why.
    max_missed_offers: int = Field(default=2, ge=0)


class OutboxSettings(Section):
    poll_seconds: float = Field(default=1.0, gt=0)
    max_attempts: int = Field(default=8, ge=1)
    backoff_base_seconds: float = Field(default=2.0, gt=0)
    backoff_max_seconds: float = Field(default=300.0, gt=0)
    # A send still unanswered after this is cut off and retried; a process that died
    # mid-send leaves its item for this long before it is marked "delivery unknown".
    send_timeout_seconds: float = Field(default=30.0, gt=0)
    concurrency: int = Field(default=16, ge=1)


class EventsSettings(Section):
    # Event-log rows older than this are pruned (timeline entries, the customer's history,
    # are kept); a console resuming from before the pruned point is told to reload.
    retention_days: float = Field(default=30.0, gt=0)
    prune_every_seconds: float = Field(default=3600.0, gt=0)
    # Rows deleted per write transaction, so pruning never holds the writer for long.
    prune_batch_rows: int = Field(default=500, ge=1, le=100_000)


class QueueSettings(Section):
    """A queue: in config.toml's [[queues]] (the seed of the `queue` table at the first
    start), and the record the admin API creates and edits (hub/flow/queues.py)."""

    name: str = Field(min_length=1, max_length=64)
    channels: tuple[ChannelName, ...] = CHANNELS
    skills: tuple[str, ...] = ()
    priority: int = 0
    service_level_seconds: int = Field(default=60, gt=0)
    policy: RoutingPolicy = "longest_idle"
