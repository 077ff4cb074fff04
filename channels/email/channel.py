"""The email channel as the composition root sees it: one poller per configured mailbox, the
ingest they feed, and the outbox sender for replies."""

from __future__ import annotations

import contextlib
import hashlib
import hmac
from contextlib import AsyncExitStack
from pathlib import Path

from channels.email.ack import Acknowledge, AutoAck
from channels.email.attachments import AttachmentStore
from channels.email.ingest import EmailIngest
from channels.email.parse import MailParser
from channels.email.poller import MailboxPoller
from channels.email.smtp import EmailSender
from channels.email.tokens import Tokens
from hub.flow.inbound import InboundStream
from hub.models import MailboxState
from hub.ports import Customers, EmailStore
from hub.services.delivery import DeliveryService
from hub.settings.email import EmailSettings


def attachment_store(data_dir: Path, settings: EmailSettings) -> AttachmentStore:
    return AttachmentStore(data_dir / "attachments", settings.max_attachment_bytes)


class EmailChannel:
    def __init__(
        self,
        settings: EmailSettings,
        *,
        secret: str,
        data_dir: Path,
        stream: InboundStream,
        customers: Customers,
        store: EmailStore,
        delivery: DeliveryService,
        queues: dict[str, str],
        acknowledge: Acknowledge,
    ) -> None:
        # Reply tokens are signed with a key of their own, derived from the hub's secret.
        key = hmac.new(secret.encode(), b"contacthub email reply tokens", hashlib.sha256)
        self.tokens = Tokens(key.digest(), settings.message_id_domain)
        self.files = attachment_store(data_dir, settings)
        parser = MailParser(self.files, frozenset({settings.message_id_domain}))
        self.ingest = EmailIngest(
            settings, parser, self.tokens, stream, customers, store, delivery, queues
        )
        self.sender = EmailSender(settings, self.tokens, store, self.files)
        self.auto_ack = AutoAck(settings, acknowledge)
        self.ingest.on_import = self.auto_ack.after_import
        self.pollers = [MailboxPoller(m, store, self.ingest) for m in settings.mailboxes]
        self._stack = AsyncExitStack()

    async def __aenter__(self) -> EmailChannel:
        for poller in self.pollers:
            await self._stack.enter_async_context(poller)
        return self

    async def __aexit__(self, *exc: object) -> None:
        with contextlib.suppress(Exception):
            await self._stack.aclose()
        await self.auto_ack.aclose()

    def states(self) -> list[MailboxState]:
        return [poller.state for poller in self.pollers]
