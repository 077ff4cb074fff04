"""A running hub with the email channel on: its mailbox is the Dovecot fixture, its SMTP
server the aiosmtpd fixture. Helpers wait for what the hub does in the background."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

from hub.models import Conversation, Message
from hub.settings import Settings, load_settings
from storage import open_store
from tests.channels.email.dovecot import Dovecot
from tests.channels.email.smtp_server import SmtpServer

T = TypeVar("T")
SUPPORT = "support@example.com"
DOMAIN = "hub.example.com"


def email_settings(
    tmp_path: Path,
    database_url: str,
    dovecot: Dovecot,
    smtp: SmtpServer,
    mailbox: str = "",
    email: str = "",
) -> Settings:
    config = tmp_path / "config.toml"
    config.write_text(
        f"""
[server]
data_dir = "{tmp_path / "data"}"
port = 0
[database]
url = "{database_url}"
[outbox]
poll_seconds = 0.2
backoff_base_seconds = 0.05
backoff_max_seconds = 0.2
[channels.email]
enabled = true
company = "Example Support"
domain = "{DOMAIN}"
{email}
[channels.email.smtp]
host = "127.0.0.1"
port = {smtp.port}
tls = "none"
[[channels.email.mailboxes]]
name = "support"
address = "{SUPPORT}"
host = "{dovecot.host}"
port = {dovecot.port}
tls = "none"
user = "{dovecot.user}"
password_env = "TEST_IMAP_PASSWORD"
{mailbox}
"""
    )
    return load_settings(config, env={"TEST_IMAP_PASSWORD": dovecot.password})


async def eventually(check: Callable[[], Awaitable[T | None]], timeout: float = 20.0) -> T:
    """Wait for `check` to return something truthy (the hub works in the background)."""
    async with asyncio.timeout(timeout):
        while True:
            found = await check()
            if found:
                return found
            await asyncio.sleep(0.05)


class HubView:
    """Reads the hub's database the way an operator would, through the store."""

    def __init__(self, settings: Settings) -> None:
        self.url = settings.database_url

    async def conversations(self) -> list[Conversation]:
        async with open_store(self.url) as store:
            found = await store.reader.unresolved()
        return sorted(found, key=lambda c: c.created_at)

    async def conversation(self, conversation_id: str) -> Conversation | None:
        async with open_store(self.url) as store:
            return await store.reader.conversation(conversation_id)  # type: ignore[arg-type]

    async def messages(self, conversation_id: str) -> list[Message]:
        async with open_store(self.url) as store:
            return await store.reader.messages(conversation_id)  # type: ignore[arg-type]

    async def all_messages(self) -> list[Message]:
        found: list[Message] = []
        async with open_store(self.url) as store:
            for conversation in await store.reader.unresolved():
                found += await store.reader.messages(conversation.id)
        return found

    async def wait_conversations(self, count: int) -> list[Conversation]:
        async def check() -> list[Conversation] | None:
            found = await self.conversations()
            return found if len(found) >= count else None

        return await eventually(check)

    async def wait_messages(self, conversation_id: str, count: int) -> list[Message]:
        async def check() -> list[Message] | None:
            found = await self.messages(conversation_id)
            return found if len(found) >= count else None

        return await eventually(check)

    async def wait_message(self, conversation_id: str, **fields: Any) -> Message:
        async def check() -> Message | None:
            for message in await self.messages(conversation_id):
                if all(getattr(message, k) == v for k, v in fields.items()):
                    return message
            return None

        return await eventually(check)


async def accepted_conversation(agent: Any) -> dict[str, Any]:
    """The next offer, accepted; returns its conversation."""
    offer = await agent.expect("offer")
    await agent.send(type="accept", offer_id=offer["offer_id"])
    await agent.expect("assigned", lambda f: f["conversation"]["id"] == offer["conversation"]["id"])
    conversation: dict[str, Any] = offer["conversation"]
    return conversation


async def cursor(settings: Settings, mailbox: str = "support") -> tuple[int, int] | None:
    async with open_store(settings.database_url) as store:
        return await store.email.cursor(mailbox)
