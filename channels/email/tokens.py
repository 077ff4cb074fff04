"""What our outbound mail carries so replies find their conversation without trusting the
sender: a signed conversation token in the Reply-To (`support+<token>@domain`) and in our
Message-IDs (`<message id>.<token>@domain`), and a `[#<conversation id>]` subject tag.

The token is the conversation id plus an HMAC of it, so it cannot be guessed or forged from
a subject tag, and a reply maps back even when no lookup knows the Message-ID."""

from __future__ import annotations

import hashlib
import hmac
import re

_TAG = re.compile(r"\[#([0-9a-f]{8,64})\]")
_REPLY_PREFIX = re.compile(r"^\s*(re|aw|sv|antw|vs|ref|odp|r)\s*(\[\d+\]|\(\d+\))?\s*:\s*", re.I)
_TOKEN = re.compile(r"^([0-9a-f]{8,64})-([0-9a-f]{12})$")
SIG_CHARS = 12


class Tokens:
    def __init__(self, secret: bytes, domain: str) -> None:
        self._secret = secret
        self.domain = domain.lower()

    def token(self, conversation_id: str) -> str:
        return f"{conversation_id}-{self._sign(conversation_id)}"

    def conversation_of_token(self, token: str) -> str | None:
        match = _TOKEN.match(token.lower())
        if match is None:
            return None
        conversation_id, signature = match.groups()
        return (
            conversation_id if hmac.compare_digest(self._sign(conversation_id), signature) else None
        )

    def reply_address(self, mailbox_address: str, conversation_id: str) -> str:
        """`support@example.com` -> `support+<token>@example.com`."""
        local, _, domain = mailbox_address.partition("@")
        return f"{local.split('+')[0]}+{self.token(conversation_id)}@{domain}"

    def conversation_of_address(self, address: str) -> str | None:
        local = address.partition("@")[0]
        _, plus, token = local.partition("+")
        return self.conversation_of_token(token) if plus else None

    def message_id(self, message_id: str, conversation_id: str) -> str:
        """Our Message-ID for one outbound message, without angle brackets."""
        return f"{message_id}.{self.token(conversation_id)}@{self.domain}"

    def conversation_of_message_id(self, message_id: str) -> str | None:
        local, _, domain = message_id.rpartition("@")
        if domain.lower() != self.domain:
            return None
        return self.conversation_of_token(local.rpartition(".")[2])

    def _sign(self, conversation_id: str) -> str:
        digest = hmac.new(self._secret, conversation_id.encode(), hashlib.sha256).hexdigest()
        return digest[:SIG_CHARS]


def subject_tag(subject: str) -> str | None:
    """The conversation id in a `[#<id>]` tag, if the subject has one."""
    match = _TAG.search(subject)
    return match.group(1) if match else None


def base_subject(subject: str) -> str:
    """The subject without reply prefixes (Re:, RE:, Aw:, Re[2]: ...) or our tag."""
    text = _TAG.sub("", subject)
    while True:
        stripped = _REPLY_PREFIX.sub("", text, count=1)
        if stripped == text:
            return " ".join(text.split())
        text = stripped


def reply_subject(latest_subject: str | None, conversation_id: str) -> str:
    """`Re: <latest subject> [#<id>]`: one Re:, whatever the chain had collected."""
    base = base_subject(latest_subject or "") or "Your message"
    return f"Re: {base} [#{conversation_id}]"
