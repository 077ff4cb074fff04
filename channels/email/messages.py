"""A parsed, threaded mail as the hub's InboundMessage. The text agents see is the new part;
the quoted history, the headers threading used and any parse problem go in `meta`, and the
raw mail stays downloadable by its hash."""

from __future__ import annotations

from typing import Any

from channels.email.parse import attachment_url
from channels.email.parsed import ParsedMail
from channels.email.threads import Thread
from hub.ids import ConversationId, CustomerId
from hub.models import Attachment, InboundMessage
from hub.settings.email import MailboxSettings

NO_TEXT = "(no text)"


def dedupe_key(mail: ParsedMail) -> str:
    """One message per Message-ID on the email channel, whichever mailbox or UID it came by;
    mail without one is keyed by its content."""
    return f"email:{mail.key}"


def inbound_message(
    mail: ParsedMail, thread: Thread, owner: CustomerId, mailbox: MailboxSettings, queue: str
) -> InboundMessage:
    conversation_id = thread.conversation_id
    threaded = conversation_id is not None
    return InboundMessage(
        channel="email",
        customer_id=owner,
        dedupe_key=dedupe_key(mail),
        text=mail.new_text or mail.text or NO_TEXT,
        subject=mail.subject or None,
        queue=queue,
        html=mail.html,
        attachments=tuple(
            Attachment(
                name=a.name,
                content_type=a.content_type,
                size=a.size,
                url=attachment_url(a.sha256, a.name),
                sha256=a.sha256,
            )
            for a in mail.attachments
            if a.stored
        ),
        external_id=mail.message_id,
        contact=None if threaded else (mail.sender.address if mail.sender else None),
        via=mailbox.address.lower(),
        conversation_id=ConversationId(conversation_id) if conversation_id else None,
        new_conversation=not threaded,
        linked_to=ConversationId(thread.linked_to) if thread.linked_to else None,
        meta=_meta(mail, thread, mailbox),
    )


def _meta(mail: ParsedMail, thread: Thread, mailbox: MailboxSettings) -> dict[str, Any]:
    meta: dict[str, Any] = {
        "from": mail.sender.address if mail.sender else None,
        "from_name": mail.sender.name if mail.sender else None,
        "to": [a.address for a in mail.to],
        "cc": [a.address for a in mail.cc],
        "subject": mail.subject,
        "thread_rule": thread.rule,
        "mailbox": mailbox.name,
    }
    if mail.quoted:
        meta["quoted"] = mail.quoted
    if mail.parse_error:
        meta["parse_error"] = mail.parse_error
        meta["raw"] = attachment_url(mail.raw_sha256, "original.eml")
    if mail.charset_fallbacks:
        meta["charset_fallbacks"] = list(mail.charset_fallbacks)
    omitted = [a for a in mail.attachments if not a.stored]
    if omitted:
        meta["attachments_omitted"] = [
            {"name": a.name, "size": a.size, "reason": "over the size limit"} for a in omitted
        ]
    return meta
