"""Text the databases can store. PostgreSQL refuses NUL (U+0000) in text and JSON, and no
database can encode a lone surrogate (U+D800 to U+DFFF, which JSON's \\ud800 escapes and
lax decoders produce) as UTF-8: one such character used to fail a whole batch of other
customers' messages. Frames from sockets are refused with the field named
(`unstorable_field`); messages from providers (SMS, email, voicemail) are kept, with the
characters dropped or replaced and the count recorded (`storable_message`)."""

from __future__ import annotations

import re
from typing import Any

from hub.models import InboundMessage

_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
REPLACEMENT = "\ufffd"


def describe(text: str) -> str | None:
    """What in `text` cannot be stored, if anything."""
    found = _UNSTORABLE.search(text)
    if found is None:
        return None
    if found.group() == "\x00":
        return "a NUL character (U+0000)"
    return f"an unpaired surrogate (U+{ord(found.group()):04X})"


def unstorable_field(value: Any, path: str = "") -> tuple[str, str] | None:
    """The first string in a decoded JSON value (keys too) that cannot be stored: its path
    (`attachments.0.name`) and what is wrong with it."""
    if isinstance(value, str):
        problem = describe(value)
        return (path or "value", problem) if problem else None
    items: list[tuple[str, Any]] = []
    if isinstance(value, dict):
        for key, item in value.items():
            where = f"{path}.{key}" if path else str(key)
            problem = describe(key)
            if problem:
                return where, f"its name contains {problem}"
            items.append((where, item))
    elif isinstance(value, list):
        items = [(f"{path}.{index}" if path else str(index), v) for index, v in enumerate(value)]
    for where, item in items:
        found = unstorable_field(item, where)
        if found:
            return found
    return None


def storable(text: str) -> tuple[str, int]:
    """`text` with NULs dropped and unpaired surrogates replaced by U+FFFD, and how many."""
    count = 0

    def replace(match: re.Match[str]) -> str:
        nonlocal count
        count += 1
        return "" if match.group() == "\x00" else REPLACEMENT

    return _UNSTORABLE.sub(replace, text), count


def storable_message(message: InboundMessage) -> InboundMessage:
    """The message as it can be stored; unchanged (the same object) in the usual case.
    `meta.replaced_characters` counts what was dropped or replaced, so agents can tell."""
    if not _has_unstorable(message):
        return message
    cleaned, count = _clean(message.model_dump())
    meta = dict(cleaned.get("meta") or {})
    meta["replaced_characters"] = meta.get("replaced_characters", 0) + count
    return InboundMessage.model_validate(cleaned | {"meta": meta})


def _has_unstorable(message: InboundMessage) -> bool:
    # The hot path: a few regex scans, no copy of the message, for the usual clean one.
    fields = (
        message.text,
        message.html,
        message.subject,
        message.dedupe_key,
        message.client_id,
        message.external_id,
        message.contact,
        message.via,
    )
    if any(field is not None and _UNSTORABLE.search(field) for field in fields):
        return True
    extras = [a.model_dump() for a in message.attachments] if message.attachments else []
    return bool(message.meta or extras) and unstorable_field([message.meta, extras]) is not None


def _clean(value: Any) -> tuple[Any, int]:
    if isinstance(value, str):
        return storable(value)
    if isinstance(value, dict):
        total, out = 0, {}
        for key, item in value.items():
            clean_key, n = storable(key) if isinstance(key, str) else (key, 0)
            clean_item, m = _clean(item)
            out[clean_key] = clean_item
            total += n + m
        return out, total
    if isinstance(value, list | tuple):
        cleaned = [_clean(item) for item in value]
        return type(value)(item for item, _ in cleaned), sum(n for _, n in cleaned)
    return value, 0
