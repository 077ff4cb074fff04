"""The email channel's outbox sender: composes the reply and hands it to the SMTP server with
aiosmtplib. 4xx answers and lost connections are transient (the outbox relay retries with
backoff); 5xx answers are permanent (the message is marked failed for the agent to see)."""

from __future__ import annotations

import asyncio

import aiosmtplib

from channels.email.attachments import AttachmentStore
from channels.email.compose import Outgoing, UnsafeHeader, compose, render
from channels.email.tokens import Tokens
from hub.errors import PermanentSendError, TransientSendError
from hub.outbox.items import EmailPayload, OutboxItem, Sent
from hub.ports import EmailStore
from hub.settings.email import EmailSettings


class EmailSender:
    def __init__(
        self, settings: EmailSettings, tokens: Tokens, store: EmailStore, files: AttachmentStore
    ) -> None:
        self._settings = settings
        self._tokens = tokens
        self._store = store
        self._files = files

    async def send(self, item: OutboxItem, payload: EmailPayload) -> Sent:
        out = await self.outgoing(item, payload)
        return Sent(provider_id=await self.deliver(out))

    async def outgoing(self, item: OutboxItem, payload: EmailPayload) -> Outgoing:
        """The mail for an outbox item: recipients and threading headers from the
        conversation as it stands (the same on every retry, so is the Message-ID)."""
        if item.message_id is None or item.conversation_id is None:
            raise PermanentSendError("an email send needs its message and conversation")
        if not payload.to:
            raise PermanentSendError("the conversation has no customer address to reply to")
        context = await self._store.reply_context(item.conversation_id)
        return Outgoing(
            message_id=item.message_id,
            conversation_id=item.conversation_id,
            to=payload.to,
            cc=tuple(a for a in context.participants if a != payload.to),
            via=payload.sender or self._default_address(),
            agent_name=payload.agent_name,
            subject=context.subject or payload.subject,
            text=payload.text,
            in_reply_to=context.in_reply_to,
            references=context.message_ids,
            attachments=payload.attachments,
            auto_reply=payload.auto_reply,
        )

    async def deliver(self, out: Outgoing) -> str:
        """Send; returns our Message-ID (without brackets)."""
        try:
            data, message_id = await asyncio.to_thread(self._compose, out)
        except (UnsafeHeader, ValueError, FileNotFoundError) as exc:
            raise PermanentSendError(f"could not compose the mail: {exc}") from None
        await self._smtp(data, out.via, [out.to, *out.cc], out.to)
        return message_id

    def _compose(self, out: Outgoing) -> tuple[bytes, str]:
        message, message_id = compose(out, self._settings.company, self._tokens, self._files)
        return render(message), message_id

    async def _smtp(self, data: bytes, sender: str, recipients: list[str], customer: str) -> None:
        smtp = self._settings.smtp
        try:
            errors, _ = await aiosmtplib.send(
                data,
                sender=sender,
                recipients=recipients,
                hostname=smtp.host,
                port=smtp.port,
                username=smtp.user or None,
                password=smtp.password.get_secret_value() or None,
                use_tls=smtp.tls == "implicit",
                start_tls=True if smtp.tls == "starttls" else False,
                timeout=smtp.timeout_seconds,
            )
        except aiosmtplib.SMTPAuthenticationError as exc:
            # The operator's to fix (channels.email.smtp); keep the reply until then.
            raise TransientSendError(f"SMTP login refused: {exc.code} {exc.message}") from None
        except aiosmtplib.SMTPRecipientsRefused as exc:
            raise _refused(exc.recipients) from None
        except aiosmtplib.SMTPResponseException as exc:
            raise _by_code(exc.code, exc.message) from None
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
            raise TransientSendError(f"SMTP connection: {type(exc).__name__}: {exc}") from None
        if customer in errors:
            # Others got it already: retrying would send them a second copy.
            response = errors[customer]
            reason = f"SMTP refused {customer}: {response.code} {response.message}"
            raise PermanentSendError(reason, code=str(response.code))

    def _default_address(self) -> str:
        mailboxes = self._settings.mailboxes
        if not mailboxes:
            raise PermanentSendError("no mailbox configured to send from (channels.email)")
        return mailboxes[0].address


def _by_code(code: int, message: str) -> TransientSendError | PermanentSendError:
    reason = f"SMTP {code} {message}"
    if 400 <= code < 500:
        return TransientSendError(reason)
    return PermanentSendError(reason, code=str(code))


def _refused(
    recipients: list[aiosmtplib.SMTPRecipientRefused],
) -> TransientSendError | PermanentSendError:
    codes = [r.code for r in recipients]
    reason = "; ".join(f"{r.recipient}: {r.code} {r.message}" for r in recipients)
    if all(400 <= c < 500 for c in codes):
        return TransientSendError(f"SMTP refused recipients: {reason}")
    return PermanentSendError(f"SMTP refused recipients: {reason}", code=str(max(codes)))
