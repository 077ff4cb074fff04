"""Typed records the email edge parses mail into. Nothing here touches the network or storage:
the poller, the threading rules and the hub adapter all speak these."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class Address:
    name: str
    address: str  # lowercased: mailbox names are case-insensitive in practice


@dataclass(frozen=True)
class StoredAttachment:
    """An attachment or inline image kept under <data_dir>/attachments/<sha256>; `stored` is
    False when it exceeded the size limit (it stays listed, with its size, and in the raw)."""

    name: str
    content_type: str
    size: int
    sha256: str
    inline: bool = False
    content_id: str | None = None
    stored: bool = True


@dataclass(frozen=True)
class Bounce:
    """A delivery-status report: which of our Message-IDs failed, and why."""

    message_ids: tuple[str, ...]
    recipients: tuple[str, ...]
    reason: str


@dataclass(frozen=True)
class ParsedMail:
    """One inbound mail. `parse_error` is set when any part could not be read fully; the
    record is still complete enough to store (`raw` is always the bytes as received)."""

    raw: bytes
    raw_sha256: str
    message_id: str | None
    in_reply_to: tuple[str, ...] = ()
    references: tuple[str, ...] = ()
    sender: Address | None = None
    to: tuple[Address, ...] = ()
    cc: tuple[Address, ...] = ()
    delivered_to: tuple[str, ...] = ()
    subject: str = ""
    date: datetime | None = None
    text: str = ""
    new_text: str = ""
    quoted: str = ""
    html: str | None = None
    attachments: tuple[StoredAttachment, ...] = ()
    loop_reason: str | None = None
    bounce: Bounce | None = None
    charset_fallbacks: tuple[str, ...] = ()
    parse_error: str | None = None
    errors: tuple[str, ...] = field(default=())

    @property
    def recipients(self) -> tuple[str, ...]:
        """Every address the mail was sent to that we can see (BCC is not visible)."""
        seen = [a.address for a in (*self.to, *self.cc)] + list(self.delivered_to)
        return tuple(dict.fromkeys(seen))

    @property
    def key(self) -> str:
        """The dedupe identity: the Message-ID, or the content hash when it has none."""
        return f"<{self.message_id}>" if self.message_id else f"sha256:{self.raw_sha256}"
