"""The agents' session, lockout and audit storage behaves the same on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from hub.errors import NotFound
from hub.ids import AgentId
from hub.models import LoginFailures
from hub.ports import Store
from storage import open_store


@pytest.fixture
async def store(database_url: str) -> AsyncIterator[Store]:
    async with open_store(database_url, migrate=True) as opened:
        yield opened


async def test_token_versions_move_with_logout_and_password(store: Store) -> None:
    ann = await store.agents.add_agent("Ann", "Ann@Example.com", "h0", "agent", [], {})
    found = await store.agents.credentials("ann@example.com")
    assert found is not None and found[1:] == ("h0", 0)
    assert await store.agents.revoke_sessions(ann.id) == 1
    assert await store.agents.set_password(ann.id, "h1") == 2
    session = await store.agents.session(ann.id)
    assert session is not None and session[0].id == ann.id and session[1] == 2
    found = await store.agents.credentials("ann@example.com")
    assert found is not None and found[1:] == ("h1", 2)
    with pytest.raises(NotFound):
        await store.agents.revoke_sessions(AgentId("nobody"))
    assert await store.agents.session(AgentId("nobody")) is None


async def test_login_failures_count_every_concurrent_attempt(store: Store) -> None:
    now = datetime.now(UTC)

    def one_more(previous: LoginFailures | None, at: datetime) -> LoginFailures:
        count = previous.failures + 1 if previous else 1
        return LoginFailures(failures=count, lockouts=0, locked_until=None, updated_at=at)

    await asyncio.gather(
        *(store.agents.login_failed("Eve@Example.com", now, one_more) for _ in range(10))
    )
    state = await store.agents.login_failures("eve@example.com")
    assert state is not None and state.failures == 10 and state.updated_at == now
    await store.agents.clear_login_failures("eve@example.com")
    assert await store.agents.login_failures("eve@example.com") is None

    # A stale, unlocked row is forgotten when the next failure (of anyone) is written.
    old = now - timedelta(days=2)
    await store.agents.login_failed("old@example.com", old, one_more)
    await store.agents.login_failed("new@example.com", now, one_more)
    assert await store.agents.login_failures("old@example.com") is None


async def test_the_audit_trail_lists_newest_first(store: Store) -> None:
    now = datetime.now(UTC)
    await store.agents.record_audit("lockout", now, email="eve@example.com", address="203.0.113.9")
    await store.agents.record_audit(
        "password_changed", now + timedelta(seconds=1), agent_id=AgentId("a1"), detail="cli"
    )
    entries = await store.agents.audit(10)
    assert [e.kind for e in entries] == ["password_changed", "lockout"]
    assert entries[0].agent_id == "a1" and entries[0].detail == "cli"
    assert entries[1].email == "eve@example.com" and entries[1].address == "203.0.113.9"
    assert [e.kind for e in await store.agents.audit(1)] == ["password_changed"]
