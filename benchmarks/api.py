"""REST API benchmark: a hub on a demo database, and concurrent clients on its read routes.

    python -m benchmarks.api                                  # 100,000 demo conversations, SQLite
    python -m benchmarks.api --conversations 10000 --clients 16 --seconds 10
    python -m benchmarks.api --database-url postgresql+asyncpg://postgres@127.0.0.1:5432/demo

The database (by default ./var/bench-api-<N>.db) is filled with `contacthub demo
--conversations N` when it holds no demo yet, and kept for the next run. The hub runs in a
spawned process (benchmarks/servers.py); this one signs in as the demo's admin and, per
scenario (benchmarks/scenarios.py: opening a conversation, an inbox page, a search), runs
`--clients` closed-loop clients for `--seconds`. It prints per scenario requests/s, the
client's latency and the server's (its `Server-Timing` header), p50/p95/p99; a scenario
whose route this build lacks is "not available". Run from the repository root."""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import aiohttp
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import create_async_engine

from benchmarks import report
from benchmarks.scenarios import HEADER, SCENARIOS, Figures, Sample, drive
from benchmarks.servers import AGENT_PASSWORD, ServerProcess, ServerSpec

DEMO_DOMAIN = "@demo.contacthub.example"  # hub/demo/people.py: how demo agents are found
SAMPLE_IDS = 20000


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.api", description=__doc__)
    parser.add_argument("--conversations", type=int, default=100_000)
    parser.add_argument("--database-url", help="default: SQLite at ./var/bench-api-<N>.db")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=10.0, help="per scenario")
    parser.add_argument(
        "--password", default=AGENT_PASSWORD, help="the demo agents' (when generated: set so)"
    )
    parser.add_argument("--seed", type=int, default=1)
    return parser.parse_args(argv)


def database_url(args: argparse.Namespace) -> str:
    if args.database_url:
        return str(args.database_url)
    path = Path("var") / f"bench-api-{args.conversations}.db"
    path.parent.mkdir(mode=0o700, exist_ok=True)
    return f"sqlite+aiosqlite:///{path.resolve()}"


async def demo_admin(url: str) -> str | None:
    """The demo's admin email, or None when the database holds no demo (or no schema)."""
    engine = create_async_engine(url)
    try:
        async with engine.connect() as conn:
            query = sa.text("SELECT email FROM agent WHERE role = 'admin' AND email LIKE :d")
            email = await conn.scalar(query, {"d": f"%{DEMO_DOMAIN}"})
            return None if email is None else str(email)
    except sa.exc.DBAPIError:
        return None
    finally:
        await engine.dispose()


def make_demo(url: str, args: argparse.Namespace, data_dir: str) -> None:
    print(f"... no demo in {_where(url)}: contacthub demo --conversations "
          f"{args.conversations}", file=sys.stderr, flush=True)  # fmt: skip
    env = os.environ | {"CONTACTHUB_DATABASE__URL": url, "CONTACTHUB_SERVER__DATA_DIR": data_dir}
    command = [sys.executable, "-m", "hub", "demo", "--conversations", str(args.conversations)]
    command += ["--password", args.password, "--seed", str(args.seed)]
    subprocess.run(command, env=env, check=True, stdout=sys.stderr)


async def sample(url: str) -> Sample:
    engine = create_async_engine(url)
    try:
        async with engine.connect() as conn:
            ids = (await conn.execute(sa.text("SELECT id FROM conversation"))).scalars().all()
            queues = await conn.execute(sa.text("SELECT DISTINCT queue FROM conversation"))
            names = queues.scalars().all()
    finally:
        await engine.dispose()
    return Sample(conversation_ids=list(ids)[:: max(1, len(ids) // SAMPLE_IDS)], queues=list(names))


async def run(args: argparse.Namespace) -> int:
    url = database_url(args)
    with tempfile.TemporaryDirectory(prefix="bench-api-") as data_dir:
        if await demo_admin(url) is None:
            await asyncio.to_thread(make_demo, url, args, data_dir)
        admin = await demo_admin(url)
        if admin is None:
            raise RuntimeError(f"no demo admin in {_where(url)}")
        drawn = await sample(url)
        count = await _count(url)
        spec = ServerSpec("hub", data_dir=data_dir, database_url=url, lifetime=_lifetime(args))
        async with ServerProcess(spec) as server:
            results = await _measure(server.base_url, admin, drawn, args)
    print(report.machine())
    print(report.load_average())
    print(f"database: {_where(url)}, {count:,} conversations; {args.clients} clients, "
          f"{args.seconds:g} s per scenario")  # fmt: skip
    print(HEADER)
    for figures in results:
        print(figures.row())
    return 0


async def _measure(base: str, admin: str, drawn: Sample, args: argparse.Namespace) -> list[Figures]:
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(connector=connector) as http:
        login = {"email": admin, "password": args.password}
        async with http.post(f"{base}/api/v1/auth/login", json=login) as answer:
            if answer.status != 200:
                raise RuntimeError(f"login as {admin}: {answer.status} {await answer.text()}")
            token = (await answer.json())["token"]
        http.headers["Authorization"] = f"Bearer {token}"
        results = []
        for scenario in SCENARIOS:
            print(f"... {scenario.name}", file=sys.stderr, flush=True)
            results.append(
                await drive(http, base, scenario, drawn, args.clients, args.seconds, args.seed)
            )
        return results


async def _count(url: str) -> int:
    engine = create_async_engine(url)
    try:
        async with engine.connect() as conn:
            return int(await conn.scalar(sa.text("SELECT count(*) FROM conversation")) or 0)
    finally:
        await engine.dispose()


def _lifetime(args: argparse.Namespace) -> float:
    return 120.0 + len(SCENARIOS) * (float(args.seconds) + 30)


def _where(url: str) -> str:
    return url.split("@")[-1] if "@" in url else url.split(":///")[-1]


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        return asyncio.run(run(args))
    except KeyboardInterrupt:
        return 130
    except (RuntimeError, subprocess.CalledProcessError) as exc:
        print(f"benchmark failed: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
