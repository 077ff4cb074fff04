"""The inbound conversation stream: every channel hands its normalized messages here. They are
committed in groups, then each caller is answered (so it can acknowledge), then published."""

from __future__ import annotations

from collections.abc import Sequence

from hub.flow.bus import Bus
from hub.flow.group_commit import Flushed, GroupCommitter
from hub.flow.placement import place
from hub.models import InboundMessage, Ingested
from hub.ports import InboundWriter
from hub.settings import DatabaseSettings
from hub.wire.text import storable_message


class InboundStream:
    def __init__(self, writer: InboundWriter, bus: Bus, settings: DatabaseSettings) -> None:
        self._writer = writer
        self._bus = bus
        self._committer: GroupCommitter[InboundMessage, Ingested] = GroupCommitter(
            self._flush,
            max_rows=settings.group_commit_rows,
            max_delay=settings.group_commit_ms / 1000,
        )

    async def __aenter__(self) -> InboundStream:
        await self._committer.__aenter__()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._committer.__aexit__(*exc)

    async def receive(self, message: InboundMessage) -> Ingested:
        """Returns once the message is committed: only then may the channel acknowledge it.
        A duplicate (same dedupe key) returns the original with `duplicate=True`. Text the
        database cannot store is dropped or replaced first (hub/wire/text.py)."""
        return await self._committer.submit(storable_message(message))

    async def _flush(self, batch: Sequence[InboundMessage]) -> Flushed[Ingested]:
        results, envelopes = await self._writer.ingest(batch, place)

        # A crash before this runs loses nothing: consumers catch up from the event log.
        async def publish() -> None:
            await self._bus.publish(envelopes)

        return results, publish
