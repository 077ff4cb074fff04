"""Passwords and sessions.

- Passwords are Argon2id (argon2-cffi), hashed and checked on `HashPool`, a few threads of
  their own with a bounded wait: a flood of logins is refused at once (`Overloaded`) and never
  holds the default executor that uploads, email parsing and SMTP share.
- A session token is `<agent id>.<token version>.<expiry>.<HMAC-SHA256>`. Any hub process
  sharing the secret can check the signature; the agent is loaded on every check, so a
  removed agent is locked out at once, and its token version must still be the one in the
  token: logout and a password change bump it, which revokes every token issued before.
- A websocket ticket is `t.<agent id>.<version>.<ticket expiry>.<session expiry>.<nonce>.<HMAC>`:
  valid `auth.ticket_ttl_seconds` and once (the nonce is marked used in `RateLimits`, on Redis
  when the bus is), so a URL that reaches a log holds nothing worth taking.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import hmac
import os
import secrets
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from hub.errors import AuthError, ConfigError, Overloaded
from hub.ids import AgentId
from hub.models import Session
from hub.ports import AgentDirectory
from hub.settings.sections import MIN_SECRET_BYTES, SECRET_HINT
from hub.wire.ratelimits import RateLimits

T = TypeVar("T")
_hasher = PasswordHasher()
# Checked for unknown emails too, with the same parameters, so that the answer takes as long
# whether or not the email exists.
DUMMY_HASH = _hasher.hash("not a password")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def check_password(stored: str, password: str) -> bool:
    try:
        return _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def private_dir(path: Path) -> None:
    """Make the hub's data directory (or one inside it) readable by the hub's user only."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)


def load_or_create_secret(configured: str, data_dir: Path) -> str:
    """`auth.secret` when set (checked to be long enough when loaded), else the random key in
    <data_dir>/secret.key, created 0600 on the first start."""
    if configured:
        return configured
    private_dir(data_dir)
    path = data_dir / "secret.key"
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        if path.stat().st_mode & 0o077:
            path.chmod(0o600)
        secret = path.read_text().strip()
        if len(secret.encode()) < MIN_SECRET_BYTES:
            raise ConfigError(
                str(path), f"a secret needs at least {MIN_SECRET_BYTES} bytes: {SECRET_HINT}"
            ) from None
        return secret
    secret = secrets.token_urlsafe(32)
    with os.fdopen(fd, "w") as handle:
        handle.write(secret)
    return secret


class HashPool:
    """Argon2 work (64 MiB and tens of ms of CPU each) on `workers` threads of its own, with at
    most `queue` more waiting; beyond that a request is refused at once. A caller may
    `reserve()` its place first, before the reads that lead to the check, so that a refusal
    costs nothing."""

    def __init__(self, workers: int, queue: int) -> None:
        self._executor = ThreadPoolExecutor(workers, thread_name_prefix="argon2")
        self._slots = threading.BoundedSemaphore(workers + queue)

    @contextlib.contextmanager
    def reserve(self) -> Iterator[HashSlot]:
        if not self._slots.acquire(blocking=False):
            raise Overloaded("too many password checks at once: try again in a moment")
        slot = HashSlot(self._executor, self._slots.release)
        try:
            yield slot
        finally:
            if not slot.used:
                self._slots.release()

    async def verify(self, stored: str, password: str) -> bool:
        with self.reserve() as slot:
            return await slot.verify(stored, password)

    async def hash(self, password: str) -> str:
        with self.reserve() as slot:
            return await slot.run(hash_password, password)

    def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)


class HashSlot:
    """One reserved place on the pool, good for one piece of work."""

    def __init__(self, executor: ThreadPoolExecutor, release: Callable[[], None]) -> None:
        self._executor = executor
        self._release = release
        self.used = False

    async def verify(self, stored: str, password: str) -> bool:
        return await self.run(check_password, stored, password)

    async def run(self, work: Callable[..., T], *args: str) -> T:
        if self.used:
            raise RuntimeError("a hash slot is good for one piece of work")
        future = self._executor.submit(work, *args)
        self.used = True
        # Released when the work ends or is cancelled before it starts, never earlier: a
        # caller that gave up does not free a thread that is still hashing.
        future.add_done_callback(lambda _done: self._release())
        return await asyncio.wrap_future(future)


class Authenticator:
    def __init__(
        self,
        agents: AgentDirectory,
        secret: str,
        ttl_seconds: int,
        throttle: RateLimits,
        ticket_ttl_seconds: int = 30,
    ) -> None:
        self._agents = agents
        root = secret.encode()
        # One key per kind of signed string, so that a ticket never passes as a token.
        self._session_key = hmac.new(root, b"contacthub session token", hashlib.sha256).digest()
        self._ticket_key = hmac.new(root, b"contacthub socket ticket", hashlib.sha256).digest()
        self._ttl = ttl_seconds
        self._ticket_ttl = ticket_ttl_seconds
        self._throttle = throttle

    @property
    def ttl_seconds(self) -> int:
        return self._ttl

    @property
    def ticket_ttl_seconds(self) -> int:
        return self._ticket_ttl

    def issue(self, agent_id: AgentId, version: int) -> str:
        body = f"{agent_id}.{version}.{int(time.time()) + self._ttl}"
        return f"{body}.{_sign(self._session_key, body)}"

    async def check(self, token: str) -> Session:
        """The session a token stands for, or AuthError."""
        parts = token.split(".")
        if len(parts) != 4 or not hmac.compare_digest(
            parts[3], _sign(self._session_key, ".".join(parts[:3]))
        ):
            raise AuthError("invalid token")
        agent_id, version, expiry = parts[:3]
        if not expiry.isdigit() or int(expiry) < time.time():
            raise AuthError("token expired: log in again")
        return await self._load(AgentId(agent_id), int(version), float(expiry))

    def ticket(self, session: Session) -> str:
        """A single-use ticket for opening one websocket as this session's agent."""
        expiry = int(time.time()) + self._ticket_ttl
        nonce = secrets.token_urlsafe(12)
        body = f"t.{session.agent.id}.{session.version}.{expiry}.{int(session.expires_at)}.{nonce}"
        return f"{body}.{_sign(self._ticket_key, body)}"

    async def redeem(self, ticket: str) -> Session:
        parts = ticket.split(".")
        if len(parts) != 7 or parts[0] != "t":
            raise AuthError("invalid ticket")
        if not hmac.compare_digest(parts[6], _sign(self._ticket_key, ".".join(parts[:6]))):
            raise AuthError("invalid ticket")
        _, agent_id, version, expiry, session_expiry, nonce = parts[:6]
        if int(expiry) < time.time():
            raise AuthError("ticket expired: ask for a new one")
        if not await self._throttle.once(f"ticket:{nonce}", self._ticket_ttl + 5):
            raise AuthError("ticket already used: ask for a new one")
        return await self._load(AgentId(agent_id), int(version), float(session_expiry))

    async def still_valid(self, session: Session) -> bool:
        if session.expires_at < time.time():
            return False
        found = await self._agents.session(session.agent.id)
        if found is None or found[1] != session.version:
            return False
        # A socket opened under another role (an admin changed it) must open again under this one.
        agent = found[0]
        return not agent.disabled and agent.role == session.agent.role

    async def _load(self, agent_id: AgentId, version: int, expires_at: float) -> Session:
        found = await self._agents.session(agent_id)
        if found is None:
            raise AuthError("the agent of this token no longer exists")
        agent, current = found
        if agent.disabled:
            raise AuthError("this agent is disabled: ask an admin")
        if current != version:
            raise AuthError("this session has ended (logout or password change): log in again")
        return Session(agent=agent, version=version, expires_at=expires_at)


def _sign(key: bytes, body: str) -> str:
    digest = hmac.new(key, body.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
