"""Text and HTML bodies in any charset, and HTML made safe for a browser. A charset Python does
not know, or bytes that are not valid in the declared one, fall back to UTF-8 with
replacement characters (then Latin-1 never fails), and the fallback is recorded."""

from __future__ import annotations

import codecs
import html as htmllib
import re
from email.message import EmailMessage, Message

import nh3

# Inline images are shown from our own attachment URL, rewritten from their cid: reference
# before sanitizing (nh3 drops the cid: scheme).
_CID = re.compile(r"""(src\s*=\s*["']?)cid:([^"'\s>]+)""", re.IGNORECASE)
_REMOTE_IMG = re.compile(r"<img\b[^>]*>", re.IGNORECASE)
_REMOTE_SRC = re.compile(r'\ssrc="((?:https?:)?//[^"]*)"', re.IGNORECASE)
_SRCSET = re.compile(r'\ssrcset="[^"]*"', re.IGNORECASE)
_BLOCK_END = re.compile(r"(?i)<\s*(br\s*/?|/p|/div|/tr|/li|/h[1-6]|/blockquote)\s*>")
_SPACES = re.compile(r"[ \t\r\f\v]+")
_BLANKS = re.compile(r"\n{3,}")


def decode_part(part: Message, fallbacks: list[str]) -> str:
    """The text of a text/* part, whatever its charset claims."""
    payload = part.get_payload(decode=True)
    data = payload if isinstance(payload, bytes) else b""
    declared = part.get_content_charset() or "us-ascii"
    try:
        codecs.lookup(declared)
    except LookupError:
        fallbacks.append(f"{declared}: unknown charset, read as utf-8")
        return data.decode("utf-8", errors="replace")
    try:
        return data.decode(declared)
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("utf-8")
        fallbacks.append(f"{declared}: invalid bytes, read as utf-8")
        return text
    except UnicodeDecodeError:
        fallbacks.append(f"{declared}: invalid bytes, replaced")
        return data.decode(declared, errors="replace")


def pick_bodies(message: EmailMessage) -> tuple[Message | None, Message | None]:
    """The text/plain and text/html parts a reader would see (not ones inside attachments)."""
    try:
        plain = message.get_body(preferencelist=("plain",))
        html = message.get_body(preferencelist=("html",))
    except Exception:  # a structure the policy cannot walk: treat as no body
        return None, None
    return plain, html


def sanitize_html(html: str, cid_urls: dict[str, str]) -> str:
    """Safe for the console: scripts, styles, event handlers and javascript: URLs removed,
    and remote images blocked: opening a conversation must not tell a sender (a tracking
    pixel) that and when it was read, nor leak the hub's address. A remote image's address
    moves to `data-remote-src`, for the agent to load on purpose."""

    def to_url(match: re.Match[str]) -> str:
        url = cid_urls.get(match.group(2).strip("<>"))
        return f"{match.group(1)}{url}" if url else match.group(0)

    # nh3 writes well-formed HTML (every attribute double-quoted, quotes escaped), so the
    # remote sources can be found in its output reliably.
    return _REMOTE_IMG.sub(_block_remote, nh3.clean(_CID.sub(to_url, html)))


def _block_remote(match: re.Match[str]) -> str:
    tag = match.group(0)
    return _SRCSET.sub("", _REMOTE_SRC.sub(r' data-remote-src="\1"', tag))


def html_to_text(html: str) -> str:
    """A readable plain rendering for mail that came as HTML only."""
    marked = _BLOCK_END.sub("\n", html)
    stripped = nh3.clean(marked, tags=set(), clean_content_tags={"script", "style", "head"})
    lines = (_SPACES.sub(" ", line).strip() for line in htmllib.unescape(stripped).split("\n"))
    return _BLANKS.sub("\n\n", "\n".join(lines)).strip()
