"""Visitor tokens. A `hello` without one is given a fresh token and stores nothing; the
customer is made with the first message. So the hub must know a token it issued before any
row holds it: each token carries an HMAC of its random part, keyed from the hub's secret.
A token neither stored nor signed by us (a client's own invention) is replaced, so every
credential the hub accepts has the entropy it gave it."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets


class VisitorTokens:
    def __init__(self, secret: str) -> None:
        self._key = hmac.new(
            secret.encode(), b"contacthub webchat visitor token", "sha256"
        ).digest()

    def issue(self) -> str:
        nonce = secrets.token_urlsafe(24)  # 192 random bits
        return f"{nonce}.{self._mac(nonce)}"

    def issued(self, token: str) -> bool:
        """Whether we issued this token (it may hold no customer yet)."""
        nonce, dot, mac = token.rpartition(".")
        return bool(dot and nonce) and hmac.compare_digest(mac, self._mac(nonce))

    def _mac(self, nonce: str) -> str:
        digest = hmac.new(self._key, nonce.encode(), hashlib.sha256).digest()[:16]
        return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
