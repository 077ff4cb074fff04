"""The whole configuration as one frozen object; each component is handed its own section."""

from __future__ import annotations

from pydantic import field_validator

from hub.models import ChannelName
from hub.settings.channels import ChannelsSettings
from hub.settings.sections import (
    AuthSettings,
    BusSettings,
    DatabaseSettings,
    EventsSettings,
    OutboxSettings,
    QueueSettings,
    RoutingSettings,
    Section,
    ServerSettings,
)


class Settings(Section):
    server: ServerSettings = ServerSettings()
    database: DatabaseSettings = DatabaseSettings()
    bus: BusSettings = BusSettings()
    auth: AuthSettings = AuthSettings()
    routing: RoutingSettings = RoutingSettings()
    outbox: OutboxSettings = OutboxSettings()
    events: EventsSettings = EventsSettings()
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

    def queue_for(self, channel: ChannelName, preferred: str | None = None) -> QueueSettings:
        """The queue a new conversation on `channel` enters."""
        if preferred is not None:
            found = self.queue(preferred)
            if found is not None:
                return found
        for queue in self.queues:
            if channel in queue.channels:
                return queue
        return self.queues[0]
