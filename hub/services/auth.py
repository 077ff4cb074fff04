"""Passwords (Argon2id via argon2-cffi) and signed, expiring session tokens. A token is
`<agent id>.<expiry>.<HMAC-SHA256>`: any hub process sharing the secret can check it without a
database round trip; the agent is still loaded, so a removed agent is locked out at once."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import secrets
import time
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from hub.errors import AuthError
from hub.ids import AgentId
from hub.models import Agent
from hub.ports import AgentDirectory

_hasher = PasswordHasher()
# Spent on unknown emails too, so response time does not reveal which emails exist.
_DUMMY_HASH = _hasher.hash("not a password")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def load_or_create_secret(configured: str, data_dir: Path) -> str:
    if configured:
        return configured
    path = data_dir / "secret.key"
    if path.is_file():
        return path.read_text().strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_urlsafe(32)
    path.write_text(secret)
    path.chmod(0o600)
    return secret


class Authenticator:
    def __init__(self, agents: AgentDirectory, secret: str, ttl_seconds: int) -> None:
        self._agents = agents
        self._key = secret.encode()
        self._ttl = ttl_seconds

    async def login(self, email: str, password: str) -> tuple[str, Agent]:
        found = await self._agents.credentials(email)
        stored = found[1] if found else _DUMMY_HASH
        try:
            # Argon2 is deliberately slow (tens of ms of CPU): keep it off the event loop.
            await asyncio.to_thread(_hasher.verify, stored, password)
        except (VerificationError, InvalidHashError):
            raise AuthError("wrong email or password") from None
        if found is None:
            raise AuthError("wrong email or password")
        agent = found[0]
        return self.issue(agent.id), agent

    def issue(self, agent_id: AgentId) -> str:
        body = f"{agent_id}.{int(time.time()) + self._ttl}"
        return f"{body}.{self._sign(body)}"

    async def verify(self, token: str) -> Agent:
        agent_id, _, rest = token.partition(".")
        expiry, _, signature = rest.partition(".")
        body = f"{agent_id}.{expiry}"
        if not signature or not hmac.compare_digest(signature, self._sign(body)):
            raise AuthError("invalid token")
        if not expiry.isdigit() or int(expiry) < time.time():
            raise AuthError("token expired: log in again")
        agent = await self._agents.agent(AgentId(agent_id))
        if agent is None:
            raise AuthError("the agent of this token no longer exists")
        return agent

    def _sign(self, body: str) -> str:
        digest = hmac.new(self._key, body.encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
