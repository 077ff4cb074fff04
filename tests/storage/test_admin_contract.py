"""Administration's storage behaves the same on SQLite and PostgreSQL: the queue table (seeded
once, ordered, edited), the admin's agent writes (unique emails, disabling, enabled admins)
and the audit trail written in the change's transaction, with its filters."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from hub.errors import Conflict, NotFound
from hub.ids import AgentId, new_id
from hub.models import Agent, AuditRecord
from hub.ports import Failed, Store, Transaction
from hub.settings import QueueSettings
from storage import open_store

GENERAL = QueueSettings(name="general")
SALES = QueueSettings(name="sales", channels=("webchat",), skills=("sales",), priority=3)


@pytest.fixture
async def store(database_url: str) -> AsyncIterator[Store]:
    async with open_store(database_url, migrate=True) as opened:
        yield opened


async def _run(store: Store, action: Callable[[Transaction], Any]) -> Any:
    [outcome], _ = await store.work.run_batch([action])
    if isinstance(outcome, Failed):
        raise outcome.error
    return outcome


async def test_queues_are_seeded_only_into_an_empty_table_and_keep_their_order(
    store: Store,
) -> None:
    assert await store.queues.seed([GENERAL, SALES]) is True
    assert await store.queues.seed([QueueSettings(name="other")]) is False
    assert await store.queues.queues() == [GENERAL, SALES]

    edited = SALES.model_copy(update={"skills": (), "policy": "least_busy"})
    await _run(store, lambda tx: tx.queues.save(edited))
    await _run(store, lambda tx: tx.queues.add(QueueSettings(name="vip", priority=9)))
    assert [q.name for q in await store.queues.queues()] == ["general", "sales", "vip"]
    assert (await store.queues.queues())[1] == edited
    with pytest.raises(Conflict) as taken:
        await _run(store, lambda tx: tx.queues.add(QueueSettings(name="vip")))
    assert taken.value.field == "name"
    await _run(store, lambda tx: tx.queues.delete("sales"))
    assert [q.name for q in await store.queues.queues()] == ["general", "vip"]
    assert await _run(store, lambda tx: tx.queues.unresolved_in("general")) == 0


def _agent(name: str, role: str = "agent") -> Agent:
    return Agent(
        id=AgentId(new_id()),
        name=name,
        email=f"{name.lower()}@example.com",
        role=role,  # type: ignore[arg-type]
    )


async def test_agent_writes_keep_emails_unique_and_count_enabled_admins(store: Store) -> None:
    ada, ann = _agent("Ada", "admin"), _agent("Ann")
    await _run(store, lambda tx: tx.agents.add(ada, "h"))
    await _run(store, lambda tx: tx.agents.add(ann, "h"))
    clash = ann.model_copy(update={"id": AgentId(new_id())})
    with pytest.raises(Conflict) as taken:
        await _run(store, lambda tx: tx.agents.add(clash, "h"))
    assert taken.value.field == "email"
    with pytest.raises(Conflict):
        await _run(store, lambda tx: tx.agents.update(ann.model_copy(update={"email": ada.email})))

    assert await _run(store, lambda tx: tx.agents.enabled_admins()) == [ada.id]
    disabled = ada.model_copy(update={"disabled": True, "skills": ("x",)})
    await _run(store, lambda tx: tx.agents.update(disabled))
    assert await _run(store, lambda tx: tx.agents.enabled_admins()) == []
    found = await store.agents.agent(ada.id)
    assert found is not None and found.disabled and found.skills == ("x",)
    session = await store.agents.session(ada.id)
    assert session is not None and session[1] == 0
    await _run(store, lambda tx: tx.agents.revoke_sessions(ada.id))
    await _run(store, lambda tx: tx.agents.set_password(ada.id, "h2"))
    assert (await store.agents.credentials(ada.email) or (None, None, None))[1:] == ("h2", 2)
    with pytest.raises(NotFound):
        await _run(store, lambda tx: tx.agents.revoke_sessions(AgentId("nobody")))
    assert await _run(store, lambda tx: tx.conversations.held_by(ann.id)) == []


async def test_audit_entries_commit_with_their_change_and_filter(store: Store) -> None:
    ada, ann = _agent("Ada", "admin"), _agent("Ann")
    now = datetime.now(UTC)

    def create(tx: Transaction) -> None:
        tx.agents.add(ann, "h")
        tx.audit.record(
            AuditRecord(
                at=now, kind="agent_created", agent_id=ann.id, actor_id=ada.id,
                after={"name": "Ann"},
            )
        )  # fmt: skip

    def fail(tx: Transaction) -> None:
        tx.audit.record(AuditRecord(at=now, kind="agent_updated", agent_id=ann.id))
        raise Conflict("the change failed")

    await _run(store, create)
    with pytest.raises(Conflict):
        await _run(store, fail)  # its entry is rolled back with it
    await store.agents.record_audit("logout", now, agent_id=ann.id, email=ann.email)
    await store.agents.record_audit("lockout", now, email="eve@example.com")

    assert [e.kind for e in await store.agents.audit(10)] == [
        "lockout",
        "logout",
        "agent_created",
    ]
    about_ann = await store.agents.audit(10, agent_id=ann.id)
    assert [e.kind for e in about_ann] == ["logout", "agent_created"]
    by_ada = await store.agents.audit(10, agent_id=ada.id)
    assert [(e.kind, e.actor_id, e.after) for e in by_ada] == [
        ("agent_created", ada.id, {"name": "Ann"})
    ]
    assert [e.email for e in await store.agents.audit(10, kind="lockout")] == ["eve@example.com"]
