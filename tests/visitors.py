"""Web chat visitors made straight in storage, for tests that need a customer to write for."""

from __future__ import annotations

import secrets

from hub.models import Visitor
from hub.ports import Store


async def new_visitor(store: Store, name: str, email: str | None = None) -> Visitor:
    """A visitor who has sent their first message: a customer with a web chat identity."""
    token = secrets.token_urlsafe(24)
    await store.visitors.register(token, name, email)
    visitor = await store.visitors.find(token)
    assert visitor is not None
    return visitor
