"""Outbound mail: an agent's reply (or the auto-acknowledgement) as an RFC 5322 message.

`From: "<Agent> via <Company>" <mailbox>` (the company alone for the hub's own mail), a
`Reply-To` carrying the conversation's signed token, our own `Message-ID`
(`<message id>.<token>@domain`, so a reply maps back even with no lookup),
`In-Reply-To`/`References` from the conversation, text and HTML alternatives, and the
attachments. CR or LF in a subject or an address is refused: it would let a value
write headers of its own."""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import default
from email.utils import format_datetime

from channels.email.attachments import AttachmentStore
from channels.email.tokens import Tokens, reply_subject
from hub.models import Attachment

_CRLF = re.compile(r"[\r\n\x00]")
# policy.default folds a header at 78 characters, and one with no space to fold at (our long
# Message-IDs in References) it turns into encoded words, which mail clients do not thread
# by. RFC 5322 allows 998.
_POLICY = default.clone(max_line_length=998)


class UnsafeHeader(ValueError):
    """A subject or address with CR/LF: never sent, never retried."""


@dataclass(frozen=True)
class Outgoing:
    message_id: str  # our message's id (hub MessageId)
    conversation_id: str
    to: str
    cc: tuple[str, ...]
    via: str  # our mailbox address
    agent_name: str | None  # None: the hub itself writes (the auto-acknowledgement)
    subject: str | None
    text: str
    in_reply_to: str | None = None
    references: tuple[str, ...] = ()
    attachments: tuple[Attachment, ...] = ()
    auto_reply: bool = False  # the auto-acknowledgement: marked per RFC 3834


def render(message: EmailMessage) -> bytes:
    """The bytes to send. Flattened here, not by aiosmtplib, whose SMTP policy would fold
    long headers again."""
    return message.as_bytes(policy=_POLICY.clone(linesep="\r\n"))


def compose(
    out: Outgoing, company: str, tokens: Tokens, store: AttachmentStore
) -> tuple[EmailMessage, str]:
    """The message and its Message-ID (without brackets). Reads attachment files: call it
    from a worker thread."""
    for value in (out.subject or "", out.to, out.via, *out.cc, out.agent_name or ""):
        if _CRLF.search(value):
            raise UnsafeHeader(f"CR/LF in a header value: {value!r}")
    message_id = tokens.message_id(out.message_id, out.conversation_id)
    msg = EmailMessage(policy=_POLICY)
    sender = f"{out.agent_name} via {company}" if out.agent_name else company
    msg["From"] = Address(display_name=sender, addr_spec=out.via)
    msg["To"] = out.to
    if out.cc:
        msg["Cc"] = ", ".join(out.cc)
    msg["Reply-To"] = tokens.reply_address(out.via, out.conversation_id)
    msg["Subject"] = reply_subject(out.subject, out.conversation_id)
    msg["Date"] = format_datetime(datetime.now(UTC))
    msg["Message-ID"] = f"<{message_id}>"
    if out.in_reply_to:
        msg["In-Reply-To"] = f"<{out.in_reply_to}>"
    if out.references:
        msg["References"] = " ".join(f"<{m}>" for m in out.references)
    msg["X-ContactHub-Message"] = out.message_id  # our own mail coming back is no customer's
    if out.auto_reply:
        msg["Auto-Submitted"] = "auto-replied"
        msg["X-Auto-Response-Suppress"] = "All"
    msg.set_content(out.text)
    msg.add_alternative(text_to_html(out.text), subtype="html")
    _attach(msg, out.attachments, store)
    return msg, message_id


def text_to_html(text: str) -> str:
    paragraphs = [p for p in re.split(r"\n\s*\n", text.strip()) if p]
    body = "".join(f"<p>{html.escape(p).replace(chr(10), '<br>')}</p>" for p in paragraphs)
    return f"<!DOCTYPE html><html><body>{body}</body></html>"


def _attach(msg: EmailMessage, attachments: Sequence[Attachment], store: AttachmentStore) -> None:
    for item in attachments:
        path = store.path(item.sha256 or "")
        if path is None:
            raise FileNotFoundError(f"attachment {item.name!r} is not in the store")
        maintype, _, subtype = (item.content_type or "application/octet-stream").partition("/")
        msg.add_attachment(
            path.read_bytes(),
            maintype=maintype,
            subtype=subtype or "octet-stream",
            filename=item.name or "attachment",
        )
