"""Logins, sessions and what the hub's answers carry, against a running hub: rate limits and
lockouts (with the audit trail), the bounded password pool, tokens revoked by logout and a
password change, single-use websocket tickets, Origin checks, security headers, deep JSON,
attachment names, and the files the hub keeps private."""

from __future__ import annotations

import asyncio
import json
import stat
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from hub.cli import main
from tests.harness import RunningHub, connect_agent, login, make_settings

JSON = {"Content-Type": "application/json"}
DEEP = "[" * 30000 + "]" * 30000


@pytest.fixture
async def hub(tmp_path: Path, sqlite_url: str) -> AsyncIterator[RunningHub]:
    running = await RunningHub(make_settings(tmp_path, sqlite_url)).start()
    yield running
    await running.stop()


async def _login(
    http: aiohttp.ClientSession, hub: RunningHub, email: str, password: str, **headers: str
) -> tuple[int, dict[str, Any], Any]:
    async with http.post(
        f"{hub.url}/api/v1/auth/login", json={"email": email, "password": password}, headers=headers
    ) as r:
        return r.status, await r.json(), r.headers


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def _me(http: aiohttp.ClientSession, hub: RunningHub, token: str) -> int:
    async with http.get(f"{hub.url}/api/v1/me", headers=_bearer(token)) as r:
        return r.status


# ---------------------------------------------------------------- rate limits and lockouts


async def test_logins_per_account_and_per_address_are_limited(
    tmp_path: Path, sqlite_url: str
) -> None:
    settings = make_settings(
        tmp_path,
        sqlite_url,
        # Per day: the counter's windows are aligned, and a test never straddles a day's end.
        auth__login_limit_per_account="3/day",
        auth__login_limit_per_address="7/day",
        auth__lockout_after_failures="100",
    )
    hub = await RunningHub(settings).start()
    try:
        ann = await hub.add_agent("Ann")
        async with aiohttp.ClientSession() as http:
            answers = [await _login(http, hub, ann["email"], "wrong-password") for _ in range(4)]
            assert [status for status, _, _ in answers] == [401, 401, 401, 429]
            _, body, headers = answers[-1]
            assert body["error"] == "rate_limited" and "this account" in body["message"]
            assert int(headers["Retry-After"]) >= 1
            # The right password is refused too while the account's window is full.
            assert (await _login(http, hub, ann["email"], ann["password"]))[0] == 429
            # Other accounts from the same address: two more, then the address is full.
            others = [await _login(http, hub, f"x{i}@example.com", "pw") for i in range(3)]
            assert [status for status, _, _ in others] == [401, 401, 429]
            assert "this address" in others[-1][1]["message"]
    finally:
        await hub.stop()


async def test_repeated_wrong_passwords_lock_the_account_and_are_audited(
    tmp_path: Path, sqlite_url: str
) -> None:
    settings = make_settings(
        tmp_path, sqlite_url, auth__lockout_after_failures="3", auth__lockout_seconds="60"
    )
    hub = await RunningHub(settings).start()
    try:
        ann = await hub.add_agent("Ann")
        admin = await hub.add_agent("Ada", role="admin")
        sue = await hub.add_agent("Sue", role="supervisor")
        async with aiohttp.ClientSession() as http:
            for email in (ann["email"], "nobody@example.com"):
                statuses = [(await _login(http, hub, email, "wrong-password"))[0] for _ in range(3)]
                assert statuses == [401, 401, 401]
                status, body, headers = await _login(http, hub, email, "wrong-password")
                assert status == 429 and "locked" in body["message"]
                assert 50 <= int(headers["Retry-After"]) <= 60
            # Locked means locked: the right password waits too.
            assert (await _login(http, hub, ann["email"], ann["password"]))[0] == 429

            admin_token = await login(http, hub, admin)
            async with http.get(f"{hub.url}/api/v1/audit", headers=_bearer(admin_token)) as r:
                assert r.status == 200
                entries = (await r.json())["entries"]
            lockouts = [e for e in entries if e["kind"] == "lockout"]
            assert [e["email"] for e in lockouts] == ["nobody@example.com", ann["email"]]
            assert lockouts[1]["agent_id"] == ann["id"] and lockouts[0]["agent_id"] is None
            assert lockouts[1]["address"] == "127.0.0.1" and "60 s" in lockouts[1]["detail"]
            sue_token = await login(http, hub, sue)
            async with http.get(f"{hub.url}/api/v1/audit", headers=_bearer(sue_token)) as r:
                assert r.status == 403  # admins only
    finally:
        await hub.stop()


def _config_for(tmp_path: Path, hub: RunningHub) -> str:
    path = tmp_path / "cli.toml"
    path.write_text(
        f'[server]\ndata_dir = "{hub.settings.server.data_dir}"\n'
        f'[database]\nurl = "{hub.settings.database_url}"\n'
    )
    return str(path)


def test_the_cli_lists_the_audit_trail(
    tmp_path: Path, sqlite_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    async def locked() -> RunningHub:
        hub = await RunningHub(
            make_settings(tmp_path, sqlite_url, auth__lockout_after_failures="1")
        ).start()
        try:
            async with aiohttp.ClientSession() as http:
                await _login(http, hub, "eve@example.com", "guess")
        finally:
            await hub.stop()
        return hub

    hub = asyncio.run(locked())
    assert main(["--config", _config_for(tmp_path, hub), "audit"]) == 0
    out = capsys.readouterr().out
    assert "lockout" in out and "eve@example.com" in out and "127.0.0.1" in out


# ---------------------------------------------------------------- the password pool


async def test_password_checks_have_a_bounded_pool_of_their_own(
    tmp_path: Path, sqlite_url: str
) -> None:
    settings = make_settings(
        tmp_path,
        sqlite_url,
        auth__hash_workers="1",
        auth__hash_queue="1",
        auth__login_limit_per_address="1000/day",
        auth__lockout_after_failures="1000",
    )
    hub = await RunningHub(settings).start()
    try:
        async with aiohttp.ClientSession() as http:
            flood = [
                asyncio.create_task(_login(http, hub, f"u{i}@example.com", "guess"))
                for i in range(20)
            ]
            # Meanwhile the default executor (uploads, email parsing, SMTP) stays free.
            started = time.monotonic()
            await asyncio.wait_for(asyncio.to_thread(lambda: None), 1.0)
            assert time.monotonic() - started < 0.5
            answers = await asyncio.gather(*flood)
        statuses = sorted(status for status, _, _ in answers)
        # Unknown emails too are checked on the pool: at most 2 at once, the rest refused.
        assert 401 in statuses and 503 in statuses and set(statuses) == {401, 503}
        busy = next(a for a in answers if a[0] == 503)
        assert busy[1]["error"] == "busy" and busy[2]["Retry-After"] == "1"
    finally:
        await hub.stop()


async def test_an_unknown_email_costs_what_a_known_one_does(hub: RunningHub) -> None:
    ann = await hub.add_agent("Ann")

    async def timed(email: str) -> float:
        started = time.perf_counter()
        status, _, _ = await _login(http, hub, email, "wrong-password")
        assert status == 401
        return time.perf_counter() - started

    async with aiohttp.ClientSession() as http:
        await timed("warm@example.com")
        known = sorted([await timed(ann["email"]) for _ in range(4)])[1]
        unknown = sorted([await timed(f"n{i}@example.com") for i in range(4)])[1]
    # Both are one Argon2 check (tens of ms); an unknown email that skipped it would be ~1 ms.
    assert 0.5 < unknown / known < 2.0, (known, unknown)


# ---------------------------------------------------------------- tokens and tickets


async def test_logout_and_a_password_change_revoke_earlier_tokens(hub: RunningHub) -> None:
    ann = await hub.add_agent("Ann")
    async with aiohttp.ClientSession() as http:
        first, second = await login(http, hub, ann), await login(http, hub, ann)
        assert await _me(http, hub, first) == 200
        async with http.post(f"{hub.url}/api/v1/auth/logout", headers=_bearer(first)) as r:
            assert r.status == 200
        assert await _me(http, hub, first) == 401
        assert await _me(http, hub, second) == 401  # every session of the agent ended

        token = await login(http, hub, ann)
        change = {"current_password": "nope-nope", "new_password": "a-new-password"}
        async with http.post(
            f"{hub.url}/api/v1/auth/password", json=change, headers=_bearer(token)
        ) as r:
            assert r.status == 401
        change["current_password"] = ann["password"]
        async with http.post(
            f"{hub.url}/api/v1/auth/password", json=change, headers=_bearer(token)
        ) as r:
            assert r.status == 200
            fresh = (await r.json())["token"]
        assert await _me(http, hub, token) == 401
        assert await _me(http, hub, fresh) == 200
        assert (await _login(http, hub, ann["email"], ann["password"]))[0] == 401
        assert (await _login(http, hub, ann["email"], "a-new-password"))[0] == 200


async def test_an_open_console_is_closed_when_its_session_ends(hub: RunningHub) -> None:
    ann = await hub.add_agent("Ann")
    async with aiohttp.ClientSession() as http:
        console = await connect_agent(http, hub, ann, available=False)
        async with http.post(f"{hub.url}/api/v1/auth/logout", headers=_bearer(console.token)):
            pass
        error = await console.expect("error", timeout=5)
        assert error["code"] == "auth"
        await asyncio.wait_for(console._reader, 5)
        assert console.ws.close_code == 4401


async def test_the_cli_password_change_ends_sessions(tmp_path: Path, hub: RunningHub) -> None:
    ann = await hub.add_agent("Ann")
    async with aiohttp.ClientSession() as http:
        token = await login(http, hub, ann)
        code = await asyncio.to_thread(
            main,
            [
                "--config",
                _config_for(tmp_path, hub),
                "agents",
                "passwd",
                "--email",
                ann["email"],
                "--password",
                "changed-by-admin",
            ],
        )
        assert code == 0
        assert await _me(http, hub, token) == 401
        assert (await _login(http, hub, ann["email"], "changed-by-admin"))[0] == 200


async def test_sockets_take_a_single_use_ticket_and_no_token_in_the_url(hub: RunningHub) -> None:
    ann = await hub.add_agent("Ann")
    async with aiohttp.ClientSession() as http:
        token = await login(http, hub, ann)
        ws = await http.ws_connect(f"{hub.ws_url}/ws/agent?token={token}")
        assert (await ws.receive_json(timeout=5))["code"] == "auth"  # ?token= is not read
        await ws.close()

        async with http.post(f"{hub.url}/api/v1/auth/ticket", headers=_bearer(token)) as r:
            assert r.status == 200 and r.headers["Cache-Control"] == "no-store"
            answer = await r.json()
        assert answer["expires_in"] == 30
        ticket = answer["ticket"]
        assert await _me(http, hub, ticket) == 401  # a ticket is no token
        ws = await http.ws_connect(f"{hub.ws_url}/ws/agent?ticket={ticket}")
        welcome = await ws.receive_json(timeout=5)
        assert welcome["type"] == "welcome" and welcome["agent"]["id"] == ann["id"]
        await ws.close()
        again = await http.ws_connect(f"{hub.ws_url}/ws/agent?ticket={ticket}")
        refusal = await again.receive_json(timeout=5)
        assert refusal["code"] == "auth" and "already used" in refusal["message"]
        assert (await again.receive(timeout=5)).data == 4401
        await again.close()


# ---------------------------------------------------------------- origins and content types


async def test_login_takes_json_from_our_own_pages_only(hub: RunningHub) -> None:
    ann = await hub.add_agent("Ann")
    body = json.dumps({"email": ann["email"], "password": ann["password"]})
    async with aiohttp.ClientSession() as http:
        # A form on another site can post text/plain without a preflight: refused.
        async with http.post(
            f"{hub.url}/api/v1/auth/login", data=body, headers={"Content-Type": "text/plain"}
        ) as r:
            assert r.status == 415 and (await r.json())["error"] == "bad_frame"
        for origin in ("http://evil.example", f"https://127.0.0.1:{hub.port}", "null"):
            status, answer, _ = await _login(
                http, hub, ann["email"], ann["password"], Origin=origin
            )
            assert status == 403 and answer["error"] == "forbidden", origin
        assert (await _login(http, hub, ann["email"], ann["password"], Origin=hub.url))[0] == 200
        assert (await _login(http, hub, ann["email"], ann["password"]))[0] == 200  # no browser
        async with http.post(f"{hub.url}/api/v1/auth/login", data=DEEP, headers=JSON) as r:
            assert r.status == 400 and "nested" in (await r.json())["message"]


async def test_the_cookie_needs_our_scheme_host_and_port(hub: RunningHub) -> None:
    ann = await hub.add_agent("Ann")
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
        assert (await _login(http, hub, ann["email"], ann["password"]))[0] == 200
        other_scheme = f"https://127.0.0.1:{hub.port}"
        ws = await http.ws_connect(f"{hub.ws_url}/ws/agent", headers={"Origin": other_scheme})
        assert (await ws.receive_json(timeout=5))["code"] == "auth"
        await ws.close()
        # A state change riding on the cookie must name its origin, and it must be ours.
        async with http.post(f"{hub.url}/api/v1/auth/ticket") as r:
            assert r.status == 401 and "Origin" in (await r.json())["message"]
        async with http.post(
            f"{hub.url}/api/v1/auth/ticket", headers={"Origin": "http://evil.example"}
        ) as r:
            assert r.status == 401
        async with http.post(f"{hub.url}/api/v1/auth/ticket", headers={"Origin": hub.url}) as r:
            assert r.status == 200
        async with http.post(
            f"{hub.url}/api/v1/auth/logout", headers={"Origin": "http://evil.example"}
        ) as r:
            assert r.status == 403
        async with http.get(f"{hub.url}/api/v1/me") as r:
            assert r.status == 200  # still signed in


async def test_the_public_url_is_an_origin_and_makes_the_cookie_secure(
    tmp_path: Path, sqlite_url: str
) -> None:
    settings = make_settings(tmp_path, sqlite_url, server__public_url="https://hub.example.com")
    hub = await RunningHub(settings).start()
    try:
        ann = await hub.add_agent("Ann")
        async with aiohttp.ClientSession() as http:
            status, _, headers = await _login(
                http, hub, ann["email"], ann["password"], Origin="https://hub.example.com"
            )
            assert status == 200
            cookie = headers["Set-Cookie"]
            assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
            status, _, _ = await _login(
                http, hub, ann["email"], ann["password"], Origin="http://hub.example.com"
            )
            assert status == 403
    finally:
        await hub.stop()


# ---------------------------------------------------------------- headers


async def test_every_answer_carries_the_security_headers(hub: RunningHub) -> None:
    async with aiohttp.ClientSession() as http:
        for path in ("/", "/supervisor", "/admin", "/chat"):
            async with http.get(hub.url + path) as r:
                csp = r.headers["Content-Security-Policy"]
                assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp
                assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
                assert r.headers["X-Frame-Options"] == "DENY"
                assert r.headers["X-Content-Type-Options"] == "nosniff"
                assert r.headers["Referrer-Policy"] == "same-origin"
        async with http.get(f"{hub.url}/chat") as r:
            assert "style-src 'self' 'sha256-" in r.headers["Content-Security-Policy"]
        for path in ("/api/v1/me", "/static/style.css", "/widget.js", "/nowhere"):
            async with http.get(hub.url + path) as r:
                assert r.headers["X-Content-Type-Options"] == "nosniff", path
                assert "frame-ancestors 'none'" in r.headers["Content-Security-Policy"], path


# ---------------------------------------------------------------- bad input at the edge


async def test_deeply_nested_frames_are_refused_and_the_socket_stays(hub: RunningHub) -> None:
    ann = await hub.add_agent("Ann")
    sue = await hub.add_agent("Sue", role="supervisor")
    async with aiohttp.ClientSession() as http:
        agent = await connect_agent(http, hub, ann, available=False)
        await agent.ws.send_str('{"type": "reply", "x": ' + DEEP + "}")
        assert (await agent.expect("error"))["code"] == "bad_frame"
        await agent.send(type="ping")
        await agent.expect("pong")
        await agent.close()

        token = await login(http, hub, sue)
        ws = await http.ws_connect(f"{hub.ws_url}/ws/supervisor", headers=_bearer(token))
        assert (await ws.receive_json(timeout=5))["type"] == "snapshot"
        await ws.send_str(DEEP)
        while (frame := await ws.receive_json(timeout=5))["type"] == "snapshot":
            pass
        assert frame["type"] == "error" and frame["code"] == "bad_frame"
        await ws.send_json({"type": "ping"})
        while (frame := await ws.receive_json(timeout=5))["type"] == "snapshot":
            pass
        assert frame["type"] == "pong"
        await ws.close()


async def test_attachment_names_with_control_characters_are_refused(hub: RunningHub) -> None:
    ann = await hub.add_agent("Ann")
    async with aiohttp.ClientSession() as http:
        token = await login(http, hub, ann)
        # aiohttp's client refuses to write CR/LF in a header; the RFC 5987 form carries it.
        raw = (
            b'--b\r\nContent-Disposition: form-data; name="file"; '
            b"filename*=UTF-8''a%0D%0ABcc%3A%20x%40evil.example.txt\r\n\r\nhello\r\n--b--\r\n"
        )
        multipart = {"Content-Type": "multipart/form-data; boundary=b", **_bearer(token)}
        async with http.post(f"{hub.url}/api/v1/attachments", data=raw, headers=multipart) as r:
            assert r.status == 400 and "control characters" in (await r.json())["message"]
        form = aiohttp.FormData()
        form.add_field("file", b"hello", filename="notes.txt", content_type="text/plain")
        async with http.post(
            f"{hub.url}/api/v1/attachments", data=form, headers=_bearer(token)
        ) as r:
            assert r.status == 200
            uploaded = await r.json()
        stored = hub.settings.server.data_dir / "attachments" / uploaded["sha256"]
        assert stat.S_IMODE(stored.stat().st_mode) == 0o600
        assert stat.S_IMODE(stored.parent.stat().st_mode) == 0o700

        console = await connect_agent(http, hub, ann, available=False)
        await console.send(
            type="reply",
            conversation_id="c",
            client_id="r1",
            text="see attached",
            attachments=[{"sha256": uploaded["sha256"], "name": "a\r\nb.txt"}],
        )
        error = await console.expect("error")
        assert error["code"] == "bad_frame" and "attachments.0.name" in error["message"]
        await console.close()


async def test_the_data_directory_and_its_files_are_private(tmp_path: Path) -> None:
    data = tmp_path / "var"
    hub = await RunningHub(make_settings(data, f"sqlite+aiosqlite:///{data}/contacthub.db")).start()
    try:
        assert stat.S_IMODE(data.stat().st_mode) == 0o700
        for name in ("secret.key", "contacthub.db", "contacthub.db-wal"):
            assert stat.S_IMODE((data / name).stat().st_mode) == 0o600, name
    finally:
        await hub.stop()
