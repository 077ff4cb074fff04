"""The core sections of config.toml: server, database, bus, auth, routing, outbox, events and
queues. Every section is frozen and refuses unknown keys, so a typo fails at start."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

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
    name: str = Field(min_length=1)
    channels: tuple[ChannelName, ...] = CHANNELS
    skills: tuple[str, ...] = ()
    priority: int = 0
    service_level_seconds: int = Field(default=60, gt=0)
    policy: RoutingPolicy = "longest_idle"
