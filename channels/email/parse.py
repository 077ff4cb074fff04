"""Raw RFC 5322 bytes to a ParsedMail, with the standard library's `email` and
`policy.default`. It never raises: whatever cannot be read is named in `parse_error`, and
the raw bytes are kept by content hash, so nothing a customer sent is lost. CPU-heavy on
large mail: the poller calls it from a worker thread."""

from __future__ import annotations

import hashlib
import mimetypes
from dataclasses import replace
from datetime import datetime
from email.message import EmailMessage, Message
from email.parser import BytesParser
from email.utils import parsedate_to_datetime
from urllib.parse import quote

from channels.email.attachments import AttachmentStore
from channels.email.bodies import decode_part, html_to_text, pick_bodies, sanitize_html
from channels.email.bounces import find_bounce
from channels.email.headers import HeaderReader
from channels.email.loops import loop_reason
from channels.email.parsed import ParsedMail, StoredAttachment
from channels.email.policy import POLICY
from channels.email.quotes import split_quoted
from channels.email.tokens import Tokens


class MailParser:
    """Parses mail for one installation: `tokens` tell our own Message-IDs (signed) from
    anyone else's, for loop and bounce detection; attachments and the raw mail go to
    `store`."""

    def __init__(self, store: AttachmentStore, tokens: Tokens) -> None:
        self.store = store
        self._tokens = tokens

    def ours(self, message_id: str) -> bool:
        return self._tokens.conversation_of_message_id(message_id) is not None

    def parse(self, raw: bytes) -> ParsedMail:
        """The raw bytes are stored (by hash) when the mail could not be read fully, so
        agents can download exactly what came; readable mail stays in the mailbox."""
        raw_sha = hashlib.sha256(raw).hexdigest()
        try:
            parsed = self._parse(raw, raw_sha)
        except Exception as exc:  # any structure the library chokes on: keep the raw
            parsed = ParsedMail(
                raw=raw,
                raw_sha256=raw_sha,
                message_id=None,
                text=raw[:4096].decode("utf-8", "replace"),
                new_text=raw[:4096].decode("utf-8", "replace"),
                parse_error=f"could not parse: {type(exc).__name__}: {exc}",
            )
        if parsed.parse_error:
            self.store.put(raw, limit=False)
        return parsed

    def _parse(self, raw: bytes, raw_sha: str) -> ParsedMail:
        message = BytesParser(policy=POLICY).parsebytes(raw)
        assert isinstance(message, EmailMessage)
        headers = HeaderReader(message)
        fallbacks: list[str] = []
        plain, html_part = pick_bodies(message)
        attachments, cids = self._attachments(message, (plain, html_part), headers.errors)
        html = sanitize_html(decode_part(html_part, fallbacks), cids) if html_part else None
        text = decode_part(plain, fallbacks) if plain else html_to_text(html or "")
        new_text, quoted = split_quoted(text)
        sender = headers.address("From")
        ids = headers.message_ids("Message-ID")
        message_id = ids[0] if ids else None
        parsed = ParsedMail(
            raw=raw,
            raw_sha256=raw_sha,
            message_id=message_id,
            in_reply_to=headers.message_ids("In-Reply-To"),
            references=headers.message_ids("References"),
            sender=sender,
            to=headers.addresses("To"),
            cc=headers.addresses("Cc"),
            delivered_to=tuple(
                a.address for n in ("Delivered-To", "X-Original-To") for a in headers.addresses(n)
            ),
            subject=headers.text("Subject"),
            date=_date(headers),
            text=text,
            new_text=new_text,
            quoted=quoted,
            html=html,
            attachments=tuple(attachments),
            loop_reason=loop_reason(
                headers, sender, message_id, self.ours, message.get_content_type()
            ),
            bounce=find_bounce(message, self.ours, text),
            charset_fallbacks=tuple(fallbacks),
        )
        errors = _problems(message, headers, message_id, sender is not None)
        if errors:
            parsed = replace(parsed, errors=tuple(errors), parse_error="; ".join(errors))
        return parsed

    def _attachments(
        self, message: Message, bodies: tuple[Message | None, ...], errors: list[str]
    ) -> tuple[list[StoredAttachment], dict[str, str]]:
        found: list[StoredAttachment] = []
        cids: dict[str, str] = {}
        for index, part in enumerate(message.walk()):
            if part.is_multipart() or any(part is body for body in bodies):
                continue
            if part.get_content_type() == "message/delivery-status":
                continue
            try:
                item = self._attachment(part, index)
            except Exception as exc:
                errors.append(f"attachment {index}: unreadable ({type(exc).__name__})")
                continue
            found.append(item)
            if item.content_id and item.stored:
                cids[item.content_id] = attachment_url(item.sha256, item.name)
        return found, cids

    def _attachment(self, part: Message, index: int) -> StoredAttachment:
        kind = part.get_content_type()
        payload = part.get_payload(decode=True)
        if isinstance(payload, bytes):
            data = payload
        else:  # message/rfc822 and friends: keep the attached mail as its bytes
            data = part.as_bytes()
        sha, stored = self.store.put(data)
        content_id = str(part.get("Content-ID", "")).strip().strip("<>") or None
        name = part.get_filename() or f"part-{index}{mimetypes.guess_extension(kind) or '.bin'}"
        inline = part.get_content_disposition() == "inline" or content_id is not None
        return StoredAttachment(
            name=_safe_name(name),
            content_type=kind,
            size=len(data),
            sha256=sha,
            inline=inline,
            content_id=content_id,
            stored=stored,
        )


def attachment_url(sha256: str, name: str) -> str:
    """Where the console downloads an attachment (served by agents_ui, agents only)."""
    return f"/api/v1/attachments/{sha256}/{quote(name)}"


def _safe_name(name: str) -> str:
    # The last path component only: a name like ../../etc/x must not name a directory.
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = "".join(c for c in base if c.isprintable()).strip()
    return cleaned[:200] or "attachment"


def _date(headers: HeaderReader) -> datetime | None:
    value = headers.text("Date")
    try:
        return parsedate_to_datetime(value) if value else None
    except (TypeError, ValueError, IndexError):
        headers.errors.append("Date: unreadable")
        return None


def _problems(
    message: Message, headers: HeaderReader, message_id: str | None, has_sender: bool
) -> list[str]:
    errors = list(dict.fromkeys(headers.errors))
    if message_id is None:
        errors.append("no Message-ID")
    if not has_sender:
        errors.append("no readable From address")
    defects = {type(d).__name__ for part in message.walk() for d in part.defects}
    errors += sorted(defects)
    return errors
