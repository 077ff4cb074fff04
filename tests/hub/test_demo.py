"""`contacthub demo` writes a history through the real services: every channel, backdated
over the window, with timelines and an event log that agree with the messages, and a hub
started on the database serves it."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp
import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import create_async_engine

from hub.cli import main
from tests.api_client import Api
from tests.harness import RunningHub, login, make_settings

PASSWORD = "demo-password-1"


async def demo(url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *args: str) -> int:
    monkeypatch.setenv("CONTACTHUB_DATABASE__URL", url)
    monkeypatch.setenv("CONTACTHUB_SERVER__DATA_DIR", str(tmp_path))
    monkeypatch.chdir(tmp_path)
    command = ["demo", "--conversations", "60", "--password", PASSWORD, "--seed", "t", *args]
    return await asyncio.to_thread(main, command)


async def rows(url: str, query: str) -> list[sa.Row[tuple[object, ...]]]:
    engine = create_async_engine(url)
    try:
        async with engine.connect() as conn:
            return list((await conn.execute(sa.text(query))).all())
    finally:
        await engine.dispose()


async def test_demo_fills_every_channel_consistently_and_a_hub_serves_it(
    database_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert await demo(database_url, tmp_path, monkeypatch) == 0
    finished = datetime.now(UTC)
    printed = capsys.readouterr().out
    assert f"password: {PASSWORD}" in printed and "@demo.contacthub.example" in printed

    channels = await rows(database_url, "SELECT DISTINCT channel FROM conversation")
    assert {c for (c,) in channels} == {"webchat", "email", "sms", "voice"}
    statuses = await rows(database_url, "SELECT DISTINCT status FROM conversation")
    assert {"resolved", "open"} <= {s for (s,) in statuses}

    # Some customers have several identities: a web visitor with a verified email and phone.
    several = await rows(
        database_url,
        """SELECT customer_id FROM customer_identity GROUP BY customer_id
           HAVING count(DISTINCT kind) = 3 AND min(CASE WHEN verified THEN 1 ELSE 0 END) = 1""",
    )
    assert several

    # Every message has its timeline entry and its event, at the message's own time.
    unmatched = await rows(
        database_url,
        """SELECT m.id FROM message m
           LEFT JOIN event_log e ON e.topic = 'message' AND e.at = m.created_at
             AND e.conversation_id = m.conversation_id
           LEFT JOIN timeline_entry t ON t.kind = 'message' AND t.at = m.created_at
             AND t.conversation_id = m.conversation_id
           WHERE e.id IS NULL OR t.id IS NULL""",
    )
    assert unmatched == []
    counts = await rows(
        database_url,
        """SELECT (SELECT count(*) FROM message),
                  (SELECT count(*) FROM event_log WHERE topic = 'message'),
                  (SELECT count(*) FROM timeline_entry WHERE kind = 'message')""",
    )
    assert counts[0][0] == counts[0][1] == counts[0][2] > 60

    kinds = await rows(database_url, "SELECT DISTINCT kind FROM timeline_entry")
    assert {"note", "transferred", "call", "assigned", "offer"} <= {k for (k,) in kinds}
    voicemail = await rows(database_url, "SELECT count(*) FROM call WHERE state = 'voicemail'")
    assert voicemail[0][0] > 0
    assert (await rows(database_url, "SELECT count(*) FROM outbox"))[0][0] == 0  # nothing sent

    # Spread over the 30 days, none in the future; replies after what they answer.
    [(first, last)] = await rows(
        database_url, "SELECT min(created_at), max(created_at) FROM message"
    )
    first, last = (_aware(v) for v in (first, last))
    now = datetime.now(UTC)
    assert now - timedelta(days=30) <= first < now - timedelta(days=20)
    assert now - timedelta(days=3) < last < now
    # Nothing dated when it was written: every entry of every kind happened in the history,
    # which ends at least 30 s before the demo's start.
    [(oldest, newest)] = await rows(database_url, "SELECT min(at), max(at) FROM timeline_entry")
    assert _aware(oldest) >= now - timedelta(days=30)
    assert _aware(newest) <= finished - timedelta(seconds=30)
    early = await rows(
        database_url,
        """SELECT c.id FROM conversation c
           WHERE c.first_response_at < c.created_at OR c.resolved_at < c.created_at""",
    )
    assert early == []

    # A second run refuses rather than mixing two demos.
    assert await demo(database_url, tmp_path, monkeypatch) == 2
    assert "already holds a demo" in capsys.readouterr().err

    [(conversation_id,)] = await rows(
        database_url,
        """SELECT conversation_id FROM message WHERE channel = 'email'
           GROUP BY conversation_id HAVING count(*) >= 2 ORDER BY conversation_id LIMIT 1""",
    )
    hub = await RunningHub(make_settings(tmp_path / "serve", database_url)).start()
    try:
        async with aiohttp.ClientSession() as http:
            admin = await rows(database_url, "SELECT email FROM agent WHERE role = 'admin'")
            agent = {"email": str(admin[0][0]), "password": PASSWORD}
            api = await Api.open(http, hub, await login(http, hub, agent))
            status, body = await api.get(f"/api/v1/conversations/{conversation_id}")
            assert status == 200 and body["conversation"]["id"] == conversation_id
            assert body["conversation"]["channel"] == "email" and len(body["messages"]) >= 2
    finally:
        await hub.stop()


def _aware(value: object) -> datetime:
    at = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return at if at.tzinfo else at.replace(tzinfo=UTC)
