"""The email channel as the composition root sees it (hub.channel.Channel): one poller per
configured mailbox, the ingest they feed, and the outbox sender for replies."""

from __future__ import annotations

import contextlib
import hashlib
import hmac
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any

from aiohttp import web

from channels.email.ack import AutoAck
from channels.email.attachments import AttachmentStore
from channels.email.ingest import EmailIngest
from channels.email.parse import MailParser
from channels.email.poller import MailboxPoller
from channels.email.smtp import EmailSender
from channels.email.tokens import Tokens
from hub.channel import ChannelContext
from hub.models import MailboxState
from hub.outbox.items import EmailPayload, SenderFor
from hub.settings.email import EmailSettings


def attachment_store(data_dir: Path, settings: EmailSettings) -> AttachmentStore:
    return AttachmentStore(data_dir / "attachments", settings.max_attachment_bytes)


def reply_tokens(secret: str, domain: str) -> Tokens:
    """Reply tokens are signed with a key of their own, derived from the hub's secret."""
    key = hmac.new(secret.encode(), b"contacthub email reply tokens", hashlib.sha256)
    return Tokens(key.digest(), domain)


class EmailChannel:
    def __init__(self, settings: EmailSettings, context: ChannelContext) -> None:
        store = context.store
        self.tokens = reply_tokens(context.secret, settings.message_id_domain)
        self.files = attachment_store(context.data_dir, settings)
        parser = MailParser(self.files, self.tokens)
        self.auto_ack = AutoAck(settings, context.conversations.send_automatic)
        self.ingest = EmailIngest(
            settings,
            parser,
            self.tokens,
            context.stream,
            store.customers,
            store.email,
            context.delivery,
            on_import=self.auto_ack.after_import,
        )
        self.sender = EmailSender(settings, self.tokens, store.email, self.files)
        self.pollers = [MailboxPoller(m, store.email, self.ingest) for m in settings.mailboxes]
        self._stack = AsyncExitStack()

    def routes(self) -> list[web.RouteDef]:
        return []  # mail arrives by IMAP; attachments are served by the console's files API

    def senders(self) -> list[SenderFor[Any]]:
        return [SenderFor(EmailPayload, self.sender)]

    def states(self) -> list[MailboxState]:
        return [poller.state for poller in self.pollers]

    async def __aenter__(self) -> EmailChannel:
        try:
            for poller in self.pollers:
                await self._stack.enter_async_context(poller)
        except BaseException:
            await self._stack.aclose()
            raise
        return self

    async def __aexit__(self, *exc: object) -> None:
        with contextlib.suppress(Exception):
            await self._stack.aclose()
        await self.auto_ack.aclose()
