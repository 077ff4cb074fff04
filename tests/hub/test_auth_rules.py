"""The pieces of login hardening on their own: the lockout rule, the bounded password pool,
the rate-limit store (in memory and shared on Redis), single-use tickets, the settings that
refuse weak secrets and long tokens, and the access log without query strings."""

from __future__ import annotations

import asyncio
import logging
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

import limits
import pytest
from aiohttp import web
from aiohttp.test_utils import make_mocked_request

from hub.errors import ConfigError, Overloaded
from hub.models import LoginFailures
from hub.services.auth import HashPool, hash_password, load_or_create_secret
from hub.services.logins import after_failure
from hub.settings import AuthSettings, load_settings
from hub.wire.access_log import RedactedAccessLogger
from hub.wire.ratelimits import RateLimits
from tests.services import redis_url

NOW = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)


def test_a_lockout_comes_after_the_threshold_and_grows_each_time() -> None:
    rules = AuthSettings(lockout_after_failures=3, lockout_seconds=60, lockout_max_seconds=200)
    state: LoginFailures | None = None
    at = NOW
    lengths = []
    for _ in range(4):  # four lockouts in a row
        for failure in range(3):
            state = after_failure(state, at, rules)
            if failure < 2:
                assert state.locked_until is None or state.locked_until <= at
        assert state is not None and state.failures == 0 and state.locked_until is not None
        lengths.append((state.locked_until - at).total_seconds())
        at = state.locked_until + timedelta(seconds=1)
    assert lengths == [60, 120, 200, 200]  # doubled, up to the cap
    # A day without failures: the next lockout is the short one again.
    later = at + timedelta(days=2)
    for _ in range(3):
        state = after_failure(state, later, rules)
    assert state.locked_until == later + timedelta(seconds=60)


def test_wrong_passwords_far_apart_do_not_add_up() -> None:
    rules = AuthSettings(lockout_after_failures=3)
    state = after_failure(None, NOW, rules)
    state = after_failure(state, NOW + timedelta(minutes=1), rules)
    state = after_failure(state, NOW + timedelta(hours=3), rules)
    assert state.failures == 1 and state.locked_until is None


async def test_the_pool_refuses_at_once_when_full_and_frees_its_slots() -> None:
    pool = HashPool(workers=1, queue=1)
    try:
        stored = hash_password("password123")
        # Two in (one hashing, one waiting), the third refused without waiting.
        first = asyncio.create_task(pool.verify(stored, "password123"))
        second = asyncio.create_task(pool.verify(stored, "wrong"))
        await asyncio.sleep(0)
        with pytest.raises(Overloaded):
            await pool.verify(stored, "password123")
        assert await first is True and await second is False
        assert await pool.verify(stored, "password123") is True  # slots came back
        # A place reserved and never used (the login was refused first) is given back.
        with pool.reserve(), pool.reserve(), pytest.raises(Overloaded), pool.reserve():
            pass
        assert await pool.verify(stored, "password123") is True
        # A caller that gives up does not free the slot of work still queued or running.
        waiting = [asyncio.create_task(pool.verify(stored, "x")) for _ in range(2)]
        await asyncio.sleep(0)
        for task in waiting:
            task.cancel()
        await asyncio.gather(*waiting, return_exceptions=True)
        await asyncio.sleep(0.5)
        assert await pool.verify(stored, "password123") is True
    finally:
        pool.close()


async def test_rate_limits_count_attempts_in_memory() -> None:
    async with RateLimits() as counts:
        rate = limits.parse("2/day")
        assert await counts.attempt(rate, "k") is None
        assert await counts.attempt(rate, "k") is None
        wait = await counts.attempt(rate, "k")
        assert wait is not None and wait >= 1
        assert await counts.attempt(rate, "other") is None
        assert await counts.once("n1", 30) and not await counts.once("n1", 30)


async def test_rate_limits_on_redis_are_shared_by_processes() -> None:
    url = await redis_url()
    namespace = f"test-{datetime.now(UTC).timestamp()}"
    async with (
        RateLimits(url, namespace=namespace) as one,
        RateLimits(url, namespace=namespace) as two,
    ):
        assert one.shared and two.shared
        rate = limits.parse("2/day")
        assert await one.attempt(rate, "ann") is None
        assert await two.attempt(rate, "ann") is None
        assert await one.attempt(rate, "ann") is not None  # the other process's hit counted
        assert await one.once("ticket", 30) and not await two.once("ticket", 30)


def test_weak_secrets_and_long_tokens_are_refused_at_start() -> None:
    for weak in ("change-me", "x" * 31):
        with pytest.raises(ConfigError) as error:
            load_settings(None, env={"CONTACTHUB_AUTH__SECRET": weak})
        assert error.value.key == "auth.secret" and "32 bytes" in error.value.reason
    strong = "s" * 32
    assert load_settings(None, env={"CONTACTHUB_AUTH__SECRET": strong}).auth.secret == strong
    with pytest.raises(ConfigError) as error:
        load_settings(None, env={"CONTACTHUB_AUTH__TOKEN_TTL_SECONDS": str(365 * 86400)})
    assert error.value.key == "auth.token_ttl_seconds"
    with pytest.raises(ConfigError) as error:
        load_settings(None, env={"CONTACTHUB_AUTH__LOGIN_LIMIT_PER_ACCOUNT": "lots"})
    assert error.value.key == "auth.login_limit_per_account"
    for bad in ("hub.example.com", "https://hub.example.com/console"):
        with pytest.raises(ConfigError) as error:
            load_settings(None, env={"CONTACTHUB_SERVER__PUBLIC_URL": bad})
        assert error.value.key == "server.public_url"


def test_the_generated_secret_is_private_and_a_short_one_is_refused(tmp_path: Path) -> None:
    data = tmp_path / "var"
    secret = load_or_create_secret("", data)
    assert len(secret) >= 32 and load_or_create_secret("", data) == secret
    assert stat.S_IMODE(data.stat().st_mode) == 0o700
    key = data / "secret.key"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    key.chmod(0o644)
    load_or_create_secret("", data)
    assert stat.S_IMODE(key.stat().st_mode) == 0o600  # tightened
    key.write_text("short")
    with pytest.raises(ConfigError):
        load_or_create_secret("", data)


def test_the_access_log_leaves_out_query_strings(caplog: pytest.LogCaptureFixture) -> None:
    logger = logging.getLogger("test.access")
    request = make_mocked_request("GET", "/ws/agent?ticket=t.secret-ticket&token=abc.1.2.sig")
    with caplog.at_level(logging.INFO, logger="test.access"):
        RedactedAccessLogger(logger, "").log(request, web.Response(status=101), 0.01)
    line = caplog.records[0].getMessage()
    assert '"GET /ws/agent HTTP/1.1" 101' in line
    assert "ticket" not in line and "secret" not in line and "abc" not in line
