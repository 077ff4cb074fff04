"""Real external services for tests: PostgreSQL and Redis on this machine. Missing services
skip the test, or fail it when CONTACTHUB_REQUIRE_SERVICES=1 (CI sets it)."""

from __future__ import annotations

import os
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest

REQUIRE = os.environ.get("CONTACTHUB_REQUIRE_SERVICES") == "1"
PG_ADMIN_DSN = os.environ.get("CONTACTHUB_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("CONTACTHUB_TEST_REDIS", "redis://127.0.0.1:6379/0")


def unavailable(service: str, reason: object) -> None:
    message = f"{service} is not available: {reason}"
    if REQUIRE:
        pytest.fail(f"{message} (CONTACTHUB_REQUIRE_SERVICES=1)")
    pytest.skip(message)


@asynccontextmanager
async def fresh_postgres() -> AsyncIterator[str]:
    """A new, empty database on the local PostgreSQL, dropped afterwards."""
    import asyncpg

    name = f"contacthub_test_{secrets.token_hex(4)}"
    try:
        admin = await asyncpg.connect(PG_ADMIN_DSN, timeout=5)
    except (OSError, asyncpg.PostgresError) as exc:
        unavailable("PostgreSQL", exc)
        raise  # unreachable: unavailable() raises
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        base = PG_ADMIN_DSN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://")
        yield f"{base}/{name}"
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


async def redis_url() -> str:
    import redis.asyncio as aioredis

    client = aioredis.from_url(REDIS_URL)
    try:
        await client.ping()
    except (OSError, aioredis.RedisError) as exc:
        unavailable("Redis", exc)
    finally:
        await client.aclose()
    return REDIS_URL
