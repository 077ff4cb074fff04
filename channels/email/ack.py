"""The optional auto-acknowledgement: one mail to the sender of each new conversation, from
the template in config. Mail from machines never gets one (it never opens a conversation),
and ours is marked `Auto-Submitted: auto-replied` (RFC 3834) so well-behaved responders do
not answer it. It goes through the outbox like any reply (retries, a delivery status, a
system message on the timeline), keyed by conversation so it is queued at most once; a
crash between the conversation's commit and its queuing skips it rather than risk two."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence

from channels.email.ingest import Imported
from hub.errors import HubError
from hub.flow.tasks import stop
from hub.ids import ConversationId
from hub.settings.email import EmailSettings, MailboxSettings

log = logging.getLogger(__name__)
# ConversationService.send_automatic: (conversation, dedupe key, text, sender name).
Acknowledge = Callable[[ConversationId, str, str, str], Awaitable[object]]


class AutoAck:
    def __init__(self, settings: EmailSettings, acknowledge: Acknowledge) -> None:
        self._template = settings.auto_ack_template
        self._company = settings.company
        self._acknowledge = acknowledge
        self._tasks: set[asyncio.Task[None]] = set()

    def after_import(self, mailbox: MailboxSettings, imported: Sequence[Imported]) -> None:
        """Acknowledge the new conversations among `imported`, in the background."""
        if not self._template:
            return
        for item in imported:
            if item.thread.conversation_id is None and not item.result.duplicate:
                task = asyncio.create_task(self._queue(item))
                self._tasks.add(task)
                task.add_done_callback(self._tasks.discard)

    async def aclose(self) -> None:
        for task in list(self._tasks):
            await stop(task)

    async def _queue(self, item: Imported) -> None:
        mail, conversation = item.mail, item.result.conversation
        if mail.sender is None:
            return
        text = (
            self._template.replace("{name}", mail.sender.name or mail.sender.address)
            .replace("{subject}", mail.subject)
            .replace("{id}", conversation.id)
        )
        try:
            await self._acknowledge(
                conversation.id, f"auto-ack:{conversation.id}", text, self._company
            )
        except HubError as exc:
            log.warning("auto-acknowledgement of %s not queued: %s", conversation.id, exc.message)
