"""Logging in, out, and changing a password, with the limits that keep guessing slow:

1. a place on `HashPool`, the bounded password pool, reserved first: when it is full the
   answer is `Overloaded` (503, Retry-After) at once, before anything is read;
2. attempts per client address and per email (`auth.login_limit_per_*`, counted in
   `RateLimits`, on Redis when the bus is): beyond them, `RateLimited` (429, Retry-After);
3. a lockout per email after `auth.lockout_after_failures` wrong passwords in a row, for
   `lockout_seconds`, doubled at each further lockout up to `lockout_max_seconds`; kept in
   the database (every process sees it) and written to the audit trail;
4. the password check itself, on the place reserved.

An unknown email goes through the same steps, a dummy hash checked on the same pool, and can
be locked out too: neither the time taken nor the answers tell which emails exist."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import limits

from hub.errors import AuthError, BadInput, RateLimited
from hub.ids import AgentId
from hub.models import Agent, AuditEntry, AuditKind, LoginFailures, Session
from hub.ports import AgentDirectory
from hub.services.auth import DUMMY_HASH, Authenticator, HashPool
from hub.settings.sections import AuthSettings
from hub.wire.ratelimits import RateLimits

MAX_EMAIL = 320
MIN_PASSWORD = 8
MAX_PASSWORD = 1024
# Wrong passwords count "in a row" while they come within this of each other; lockouts
# grow while each comes within a day of the last.
FAILURE_MEMORY = timedelta(hours=1)
LOCKOUT_MEMORY = timedelta(days=1)


def after_failure(
    previous: LoginFailures | None, now: datetime, settings: AuthSettings
) -> LoginFailures:
    """The rule: one more wrong password for an email. The threshold reached, it is locked
    and its count starts again."""
    failures = lockouts = 0
    locked_until = None
    if previous is not None:
        if now - previous.updated_at < FAILURE_MEMORY:
            failures = previous.failures
        if now - previous.updated_at < LOCKOUT_MEMORY:
            lockouts = previous.lockouts
        locked_until = previous.locked_until
    failures += 1
    if failures >= settings.lockout_after_failures:
        lockouts += 1
        seconds = lockout_seconds(lockouts, settings)
        return LoginFailures(
            failures=0,
            lockouts=lockouts,
            locked_until=now + timedelta(seconds=seconds),
            updated_at=now,
        )
    return LoginFailures(
        failures=failures, lockouts=lockouts, locked_until=locked_until, updated_at=now
    )


def lockout_seconds(lockouts: int, settings: AuthSettings) -> float:
    """How long the `lockouts`-th lockout in a row lasts."""
    grown = settings.lockout_seconds * float(2 ** min(lockouts - 1, 30))
    return min(grown, settings.lockout_max_seconds)


class Logins:
    def __init__(
        self,
        agents: AgentDirectory,
        auth: Authenticator,
        hashes: HashPool,
        throttle: RateLimits,
        settings: AuthSettings,
    ) -> None:
        self._agents = agents
        self._auth = auth
        self._hashes = hashes
        self._throttle = throttle
        self._settings = settings
        self._per_account = limits.parse(settings.login_limit_per_account)
        self._per_address = limits.parse(settings.login_limit_per_address)

    async def login(self, email: str, password: str, address: str) -> tuple[str, Agent]:
        """A token and the agent, or AuthError (wrong email or password), RateLimited, or
        Overloaded."""
        key = _email_key(email)
        if len(password) > MAX_PASSWORD:
            raise BadInput(f"a password has at most {MAX_PASSWORD} characters")
        # A place on the password pool first: when it is full the answer is at once, before
        # anything is counted or read.
        with self._hashes.reserve() as slot:
            await self._count(key, address)
            found = await self._agents.credentials(key)
            right = await slot.verify(found[1] if found else DUMMY_HASH, password)
        if not right or found is None:  # (a dummy hash never matches)
            await self._failed(key, address, found[0] if found else None)
            raise AuthError("wrong email or password")
        agent, _, version = found
        if agent.disabled:  # told only to whoever knows the password
            raise AuthError("this agent is disabled: ask an admin")
        await self._agents.clear_login_failures(key)
        return self._auth.issue(agent.id, version), agent

    async def change_password(self, session: Session, current: str, new: str, address: str) -> str:
        """Check the current password (counted and locked out like a login), store the new
        one and revoke every token of the agent; a fresh token for the caller."""
        if not MIN_PASSWORD <= len(new) <= MAX_PASSWORD:
            raise BadInput(f"the new password needs {MIN_PASSWORD} to {MAX_PASSWORD} characters")
        agent = session.agent
        key = _email_key(agent.email)
        with self._hashes.reserve() as slot:
            await self._count(key, address)
            found = await self._agents.credentials(key)
            right = found is not None and await slot.verify(found[1], current)
        if not right:
            await self._failed(key, address, agent)
            raise AuthError("the current password is wrong")
        version = await self._agents.set_password(agent.id, await self._hashes.hash(new))
        await self._agents.clear_login_failures(key)
        await self._agents.record_audit(
            "password_changed",
            _now(),
            agent_id=agent.id,
            email=agent.email,
            address=address,
            detail="every earlier session revoked",
        )
        return self._auth.issue(agent.id, version)

    async def logout(self, session: Session, address: str) -> None:
        """End every session of the agent: tokens issued before are refused from now on."""
        await self._agents.revoke_sessions(session.agent.id)
        await self._agents.record_audit(
            "logout", _now(), agent_id=session.agent.id, email=session.agent.email,
            address=address,
        )  # fmt: skip

    async def audit(
        self, limit: int = 100, *, kind: AuditKind | None = None, agent_id: AgentId | None = None
    ) -> list[AuditEntry]:
        return await self._agents.audit(limit, kind=kind, agent_id=agent_id)

    async def _count(self, key: str, address: str) -> None:
        """The rate limits, then the lockout: refused here, no password is checked."""
        wait = await self._throttle.attempt(self._per_address, "login-address", address)
        if wait is not None:
            raise RateLimited(f"too many logins from this address: retry in {wait:.0f} s", wait)
        wait = await self._throttle.attempt(self._per_account, "login-account", key)
        if wait is not None:
            raise RateLimited(f"too many logins for this account: retry in {wait:.0f} s", wait)
        state = await self._agents.login_failures(key)
        now = _now()
        if state is not None and state.locked_until is not None and state.locked_until > now:
            wait = max(1.0, (state.locked_until - now).total_seconds())
            raise RateLimited(f"locked after repeated wrong passwords: retry in {wait:.0f} s", wait)

    async def _failed(self, key: str, address: str, agent: Agent | None) -> None:
        now = _now()
        state = await self._agents.login_failed(
            key, now, lambda previous, at: after_failure(previous, at, self._settings)
        )
        if state.failures == 0 and state.locked_until is not None:  # locked just now
            seconds = (state.locked_until - now).total_seconds()
            await self._agents.record_audit(
                "lockout",
                now,
                agent_id=agent.id if agent else None,
                email=key,
                address=address,
                detail=(
                    f"locked for {seconds:.0f} s after "
                    f"{self._settings.lockout_after_failures} wrong passwords "
                    f"(lockout {state.lockouts} in a row)"
                ),
            )


def _email_key(email: str) -> str:
    key = email.strip().lower()
    if not key or len(key) > MAX_EMAIL:
        raise BadInput(f"an email has 1 to {MAX_EMAIL} characters")
    return key


def _now() -> datetime:
    return datetime.now(UTC)
