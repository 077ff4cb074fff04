"""A running hub with two queues (general, and billing which needs the `billing` skill), on
SQLite and PostgreSQL, and a second store on its database for seeding conversations."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import pytest

from hub.flow.placement import place
from hub.ids import ConversationId
from hub.models import ChannelName, Conversation, InboundMessage
from hub.ports import Store
from hub.settings import QueueSettings
from storage import open_store
from tests.api_client import Api
from tests.harness import RunningHub, login, make_settings
from tests.visitors import first_message, new_visitor

QUEUES = (QueueSettings(name="general"), QueueSettings(name="billing", skills=("billing",)))


@dataclass
class Desk:
    """The hub, its database seen from the side, and an HTTP session."""

    hub: RunningHub
    store: Store
    http: aiohttp.ClientSession

    async def api_for(self, name: str, role: str = "agent", **kw: object) -> tuple[Api, str]:
        """An API client signed in as a new agent, and the agent's id."""
        agent = await self.hub.add_agent(name, role, **kw)  # type: ignore[arg-type]
        api = await Api.open(self.http, self.hub, await login(self.http, self.hub, agent))
        return api, agent["id"]

    async def api(self, token: str) -> Api:
        return await Api.open(self.http, self.hub, token)

    async def conversation(
        self,
        name: str,
        *,
        queue: str = "general",
        channel: ChannelName = "webchat",
        priority: int = 0,
    ) -> Conversation:
        """A new customer's first message, stored as the inbound stream stores it."""
        visitor = await new_visitor(self.store, name)
        message = first_message(
            visitor.customer.id, name, queue=queue, channel=channel, priority=priority
        )
        results, _ = await self.store.inbound.ingest([message], place)
        return results[0].conversation

    async def customer_writes(self, conversation: Conversation, text: str) -> None:
        message = InboundMessage(
            channel=conversation.channel,
            customer_id=conversation.customer_id,
            dedupe_key=f"test:{uuid.uuid4().hex}",
            text=text,
            queue=conversation.queue,
            conversation_id=ConversationId(conversation.id),
        )
        await self.store.inbound.ingest([message], place)


@pytest.fixture
async def desk(tmp_path: Path, database_url: str) -> AsyncIterator[Desk]:
    settings = make_settings(tmp_path, database_url).model_copy(update={"queues": QUEUES})
    hub = await RunningHub(settings).start()
    try:
        async with open_store(database_url) as store, aiohttp.ClientSession() as http:
            yield Desk(hub, store, http)
    finally:
        await hub.stop()
