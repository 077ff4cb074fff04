"""Web chat visitors made straight in storage, for tests that need a customer to write for."""

from __future__ import annotations

import secrets
import uuid

from hub.ids import CustomerId
from hub.models import ChannelName, InboundMessage, Visitor
from hub.ports import Store


async def new_visitor(store: Store, name: str, email: str | None = None) -> Visitor:
    """A visitor who has sent their first message: a customer with a web chat identity."""
    token = secrets.token_urlsafe(24)
    await store.visitors.register(token, name, email)
    visitor = await store.visitors.find(token)
    assert visitor is not None
    return visitor


def first_message(
    customer_id: CustomerId,
    name: str,
    *,
    queue: str = "general",
    channel: ChannelName = "webchat",
    priority: int = 0,
) -> InboundMessage:
    """A new customer's first message, as a channel hands it to the inbound stream."""
    return InboundMessage(
        channel=channel,
        customer_id=customer_id,
        dedupe_key=f"test:{uuid.uuid4().hex}",
        text=f"hello from {name}",
        queue=queue,
        priority=priority,
    )
