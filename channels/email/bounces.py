"""Bounces: a delivery-status report (RFC 3464, multipart/report) names the failed
recipients and carries the original message or its headers, whose Message-ID is one we
sent. Non-standard bounces from a mailer-daemon are searched for our Message-IDs."""

from __future__ import annotations

import re
from collections.abc import Callable
from email.message import Message

from channels.email.headers import parse_message_ids
from channels.email.parsed import Bounce

_STATUS_FIELDS = {"final-recipient", "original-recipient", "action", "status", "diagnostic-code"}


def find_bounce(message: Message, ours: Callable[[str], bool], text: str) -> Bounce | None:
    """The failure this report describes, or None when it is no failure of ours (a delay
    notice, or a bounce of mail we did not send)."""
    recipients: list[str] = []
    reasons: list[str] = []
    failed = False
    ids: list[str] = []
    for part in message.walk():
        kind = part.get_content_type()
        if kind == "message/delivery-status":
            for block in _status_blocks(part):
                if block.get("action", "").lower() == "failed":
                    failed = True
                    recipients.append(block.get("final-recipient", "").split(";")[-1].strip())
                    reasons.append(_reason(block))
        elif kind in ("message/rfc822", "text/rfc822-headers"):
            ids += _original_ids(part)
    if not ids:
        ids = _ids_in_text(text)
    sent = tuple(dict.fromkeys(m for m in ids if ours(m)))
    if not sent:
        return None
    is_report = message.get_content_type() == "multipart/report"
    if is_report and not failed:
        return None  # "delayed" or "delivered": not a failure
    reason = "; ".join(r for r in reasons if r) or "the receiving server returned the mail"
    return Bounce(sent, tuple(r for r in recipients if r), reason)


def _status_blocks(part: Message) -> list[dict[str, str]]:
    payload = part.get_payload()
    blocks: list[dict[str, str]] = []
    if isinstance(payload, list):
        for block in payload:
            if isinstance(block, Message):
                blocks.append({k.lower(): str(v) for k, v in block.items()})
    elif isinstance(payload, str):
        for chunk in re.split(r"\r?\n\s*\r?\n", payload):
            fields = dict(_fields(chunk))
            if fields:
                blocks.append(fields)
    return blocks


def _fields(chunk: str) -> list[tuple[str, str]]:
    found = []
    for line in chunk.splitlines():
        name, sep, value = line.partition(":")
        if sep and name.strip().lower() in _STATUS_FIELDS:
            found.append((name.strip().lower(), value.strip()))
    return found


def _reason(block: dict[str, str]) -> str:
    status = block.get("status", "")
    diagnostic = block.get("diagnostic-code", "").split(";", 1)[-1].strip()
    return " ".join(p for p in (status, diagnostic) if p)


def _original_ids(part: Message) -> list[str]:
    payload = part.get_payload()
    inner = payload[0] if isinstance(payload, list) and payload else None
    if isinstance(inner, Message):
        return parse_message_ids(str(inner.get("Message-ID", "")))
    if isinstance(payload, str):
        return _ids_in_text(payload)
    return []


def _ids_in_text(text: str) -> list[str]:
    # Only quoted Message-ID lines: any other <...@our-domain> (our own address) is no id.
    return [m.strip("<>") for m in re.findall(r"(?im)^\s*Message-ID:\s*(<[^>\s]+>)", text)]
