"""Configuration: config.toml plus CONTACTHUB_* environment overrides, validated into one
frozen `Settings`. Sections live in `sections` (core), `channels` and `email`; `loading` reads
and checks them; `queues` resolves the channels' queue references."""

from hub.settings.channels import (
    ChannelsSettings,
    TwilioNumber,
    TwilioSettings,
    VoicemailSettings,
    WebchatSettings,
)
from hub.settings.loading import load_settings
from hub.settings.model import Settings
from hub.settings.sections import (
    DEFAULT_CAPACITY,
    AuthSettings,
    BusSettings,
    DatabaseSettings,
    EventsSettings,
    OutboxSettings,
    QueueSettings,
    RoutingPolicy,
    RoutingSettings,
    ServerSettings,
)

__all__ = [
    "DEFAULT_CAPACITY",
    "AuthSettings",
    "BusSettings",
    "ChannelsSettings",
    "DatabaseSettings",
    "EventsSettings",
    "OutboxSettings",
    "QueueSettings",
    "RoutingPolicy",
    "RoutingSettings",
    "ServerSettings",
    "Settings",
    "TwilioNumber",
    "TwilioSettings",
    "VoicemailSettings",
    "WebchatSettings",
    "load_settings",
]
