"""The optional auto-acknowledgement: one mail to the sender of each new conversation, from
the template in config. Mail from machines never gets one (it never opens a conversation),
and ours is marked `Auto-Submitted: auto-replied` (RFC 3834) so well-behaved responders do
not answer it. It is sent after the conversation committed, at most once: a crash between
the commit and the send skips it rather than risking a second copy."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence

from channels.email.compose import Outgoing
from channels.email.ingest import Imported
from channels.email.smtp import EmailSender
from hub.email_settings import EmailSettings, MailboxSettings
from hub.errors import SendError
from hub.ids import new_id

log = logging.getLogger(__name__)


class AutoAck:
    def __init__(self, settings: EmailSettings, sender: EmailSender) -> None:
        self._template = settings.auto_ack_template
        self._company = settings.company
        self._sender = sender
        self._tasks: set[asyncio.Task[None]] = set()

    def after_import(self, mailbox: MailboxSettings, imported: Sequence[Imported]) -> None:
        """Acknowledge the new conversations among `imported`, in the background."""
        if not self._template:
            return
        for item in imported:
            if item.thread.conversation_id is None and not item.result.duplicate:
                task = asyncio.create_task(self._send(mailbox, item))
                self._tasks.add(task)
                task.add_done_callback(self._tasks.discard)

    async def aclose(self) -> None:
        for task in list(self._tasks):
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _send(self, mailbox: MailboxSettings, item: Imported) -> None:
        mail, conversation = item.mail, item.result.conversation
        if mail.sender is None:
            return
        text = (
            self._template.replace("{name}", mail.sender.name or mail.sender.address)
            .replace("{subject}", mail.subject)
            .replace("{id}", conversation.id)
        )
        out = Outgoing(
            message_id=f"ack{new_id()}",
            conversation_id=conversation.id,
            to=mail.sender.address,
            cc=(),
            via=mailbox.address,
            agent_name=self._company,
            subject=mail.subject,
            text=text,
            in_reply_to=mail.message_id,
            references=(mail.message_id,) if mail.message_id else (),
            auto_reply=True,
        )
        try:
            await self._sender.deliver(out)
        except SendError as exc:
            log.warning("auto-acknowledgement to %s not sent: %s", out.to, exc.message)
