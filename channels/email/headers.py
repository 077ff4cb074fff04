"""Header reading that never raises. With `policy.default` a malformed header can raise when
it is accessed, and a decoded value can carry CR/LF (an injection attempt through encoded
words); both become recorded errors and a clean value."""

from __future__ import annotations

import re
from email.errors import HeaderParseError
from email.header import decode_header, make_header
from email.message import EmailMessage
from email.utils import getaddresses

from channels.email.parsed import Address

_MSGID = re.compile(r"<([^<>\s]+)>")
_FOLD = re.compile(r"\r?\n(?=[ \t])")
_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")


class HeaderReader:
    """Reads headers of one message, collecting what went wrong instead of raising."""

    def __init__(self, message: EmailMessage) -> None:
        self._message = message
        self.errors: list[str] = []

    def text(self, name: str) -> str:
        """An unstructured header's text, encoded words decoded (read from the raw value:
        the policy's header classes cost a quarter of a millisecond each, and these values
        are seen once). CR, LF or NUL in the decoded text is an injection attempt."""
        values = self._raw_all(name, keep_control=True)
        if not values:
            return ""
        text = _decode_words(_FOLD.sub(" ", values[0]).strip())
        if _CONTROL.search(text):
            self.errors.append(f"{name}: control characters (header injection attempt)")
        text = self._unsurrogate(name, text)
        return " ".join(_CONTROL.sub(" ", text).split())

    def message_ids(self, name: str) -> tuple[str, ...]:
        # Some senders (Python's own email package among them) fold a long Message-ID
        # header into encoded words.
        values = [_decode_words(v) for v in self._raw_all(name)]
        return tuple(dict.fromkeys(m for value in values for m in parse_message_ids(value)))

    def addresses(self, name: str) -> tuple[Address, ...]:
        """Addresses read from the raw value with `email.utils` (the policy's address parser
        costs about a millisecond a header); encoded display names are decoded after the
        split, so a decoded comma cannot split an address."""
        found: list[Address] = []
        for display, addr in getaddresses(self._raw_all(name)):
            addr = addr.strip().lower()
            if "@" in addr and not _CONTROL.search(addr):
                decoded = self._unsurrogate(name, _decode_words(display))
                found.append(Address(_CONTROL.sub(" ", decoded).strip(), addr))
        return tuple(found)

    def address(self, name: str) -> Address | None:
        found = self.addresses(name)
        return found[0] if found else None

    def _raw_all(self, name: str, keep_control: bool = False) -> list[str]:
        wanted = name.lower()
        values = [str(v) for k, v in self._message.raw_items() if k.lower() == wanted]
        if keep_control:
            return values
        return [_CONTROL.sub(" ", self._unsurrogate(name, v)).strip() for v in values]

    def _unsurrogate(self, name: str, text: str) -> str:
        """Raw 8-bit bytes in a header come back as surrogate escapes, which no database or
        JSON encoder accepts: read them as UTF-8, else replace them."""
        try:
            text.encode("utf-8")
            return text
        except UnicodeEncodeError:
            self.errors.append(f"{name}: undeclared 8-bit bytes")
            return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")

    def _raw(self, name: str) -> str | None:
        for key, value in self._message.raw_items():
            if key.lower() == name.lower():
                return str(value)
        return None


def _decode_words(text: str) -> str:
    """RFC 2047 encoded words to text; anything undecodable stays as it was."""
    if "=?" not in text:
        return text
    try:
        return str(make_header(decode_header(text)))
    except (LookupError, UnicodeError, ValueError, HeaderParseError):
        return text


def parse_message_ids(value: str) -> list[str]:
    """Message-IDs from a header value, without the angle brackets. Some clients omit the
    brackets; then whitespace-separated tokens with an @ count."""
    found = _MSGID.findall(value)
    if not found:
        found = [token.strip("<>") for token in value.split() if "@" in token]
    return [m for m in found if not _CONTROL.search(m)]
