"""Chat load benchmark: the hub against a bare websocket relay, under the same load.

    python -m benchmarks.chat_load                 # max throughput, N=200, M=20, 10 s each
    python -m benchmarks.chat_load --rate 2000     # fixed 2,000 msg/s: latency at that rate
    python -m benchmarks.chat_load --database-url postgresql+asyncpg://postgres@127.0.0.1:5432 \\
        --bus-url redis://127.0.0.1:6379/0

Each target (the hub, then benchmarks/relay.py) runs alone in a spawned server process on
127.0.0.1 and a free port; this process drives N customers on /ws/chat and M agents on
/ws/agent over real websockets. Agents accept every offer and reply. After warm-up (every
conversation assigned and through one round trip), it counts customer messages that reach
their agent (for the hub, persisted: the agent's stream follows the commit) and times each
from the customer's send to the agent's receipt. Run from the repository root. Everything is
bounded in time and message count and stops by itself."""

from __future__ import annotations

import argparse
import asyncio
import math
import secrets
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import replace
from pathlib import Path

from benchmarks import report
from benchmarks.clients import Dialect, HubDialect, RelayDialect
from benchmarks.meter import PhaseResult
from benchmarks.phase import LoadOptions, run_phase
from benchmarks.servers import ServerProcess, ServerSpec, log_summary


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="python -m benchmarks.chat_load",
        description=(__doc__ or "").split("\n\n", 1)[0],
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    p.add_argument("--customers", "-n", type=_positive_int, default=200, help="N customers")
    p.add_argument("--agents", "-m", type=_positive_int, default=20, help="M agents")
    p.add_argument("--seconds", type=float, default=10.0, help="measured time per target")
    p.add_argument("--rate", type=float, default=None, help="fixed total msg/s (default: max)")
    p.add_argument("--window", type=_positive_int, default=1, help="max mode: unacked per customer")
    p.add_argument(
        "--reply-every", type=int, default=1, help="agents reply to every k-th message (0: never)"
    )
    p.add_argument("--text-bytes", type=_positive_int, default=64, help="customer text size")
    p.add_argument("--max-messages", type=_positive_int, default=500_000, help="cap per target")
    p.add_argument("--drain", type=float, default=5.0, help="seconds to wait for in-flight")
    p.add_argument("--setup-timeout", type=float, default=60.0, help="connect/warm-up limit")
    p.add_argument(
        "--database-url",
        default=None,
        help="default: SQLite in a temporary directory. postgresql+asyncpg://user@host:port[/db]:"
        " a fresh database is created on that server (connecting to db, default postgres)"
        " and dropped afterwards. sqlite+aiosqlite:///path: used as is",
    )
    p.add_argument("--bus-url", default="", help="e.g. redis://127.0.0.1:6379/0 (default: memory)")
    p.add_argument("--only", choices=("hub", "relay"), default=None, help="run one target only")
    p.add_argument("--profile-dir", type=Path, default=None, help="write cProfile of each server")
    p.add_argument(
        "--server-log-dir", type=Path, default=None, help="keep server logs (default: summarized)"
    )
    args = p.parse_args(argv)
    if args.rate is not None and args.rate <= 0:
        p.error("--rate must be positive")
    if args.seconds <= 0 or args.seconds > 600:
        p.error("--seconds must be in (0, 600]")
    return args


def _positive_int(text: str) -> int:
    value = int(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"{text} is not a positive integer")
    return value


def load_options(args: argparse.Namespace) -> LoadOptions:
    return LoadOptions(
        customers=args.customers,
        agents=args.agents,
        seconds=args.seconds,
        rate=args.rate,
        window=args.window,
        reply_every=max(0, args.reply_every),
        max_messages=args.max_messages,
        text_bytes=args.text_bytes,
        drain_seconds=args.drain,
        setup_timeout=args.setup_timeout,
    )


def capacity_for(customers: int, agents: int) -> int:
    """Enough webchat slots that every conversation gets an agent."""
    return math.ceil(customers / agents)


async def run(args: argparse.Namespace) -> int:
    options = load_options(args)
    with tempfile.TemporaryDirectory(prefix="contacthub-bench-") as tmp:
        async with hub_database(args.database_url, Path(tmp)) as (database_url, database):
            setup = _setup(args, database)
            print(report.header(setup), end="\n\n", flush=True)
            results: list[PhaseResult] = []
            if args.only != "relay":
                results.append(await hub_phase(args, options, database_url, Path(tmp)))
        if args.only != "hub":
            results.append(await relay_phase(args, options, Path(tmp)))
    print("\n" + report.table(results))
    print(report.legend())
    for line in report.notes(results):
        print(line)
    if len(results) == 2:
        print("\n" + report.comparison(setup, results[0], results[1]))
    return 0


def _setup(args: argparse.Namespace, database: str) -> report.Setup:
    bus = args.bus_url or "in-process (memory)"
    if args.bus_url:
        bus += " (channel named after the fresh database's installation id)"
    return report.Setup(
        customers=args.customers,
        agents=args.agents,
        capacity=capacity_for(args.customers, args.agents),
        seconds=args.seconds,
        rate=args.rate,
        window=args.window,
        reply_every=max(0, args.reply_every),
        text_bytes=args.text_bytes,
        database=database,
        bus=bus,
    )


async def hub_phase(
    args: argparse.Namespace, options: LoadOptions, database_url: str, data_dir: Path
) -> PhaseResult:
    spec = ServerSpec(
        kind="hub",
        agents=options.agents,
        webchat_capacity=capacity_for(options.customers, options.agents),
        data_dir=str(data_dir),
        database_url=database_url,
        bus_url=args.bus_url,
        lifetime=_lifetime(options),
        profile_path=_profile_path(args, "hub"),
        log_path=_log_path(args, data_dir, "hub"),
    )
    return await _phase("hub", spec, options, lambda url, emails: HubDialect(url, emails))


async def relay_phase(
    args: argparse.Namespace, options: LoadOptions, data_dir: Path
) -> PhaseResult:
    spec = ServerSpec(
        kind="relay",
        lifetime=_lifetime(options),
        profile_path=_profile_path(args, "relay"),
        log_path=_log_path(args, data_dir, "relay"),
    )
    return await _phase("relay", spec, options, lambda url, _: RelayDialect(url, options.agents))


async def _phase(
    target: str,
    spec: ServerSpec,
    options: LoadOptions,
    dialect: Callable[[str, list[str]], Dialect],
) -> PhaseResult:
    started = time.perf_counter()
    async with ServerProcess(spec) as server:
        up = time.perf_counter() - started
        _progress(f"{target}: server process {server.pid} up ({up:.1f} s)")
        client = dialect(server.base_url, server.started.agent_emails)
        result = await run_phase(target, client, options, server.times, _progress)
        stopping = time.perf_counter()
    _progress(f"{target}: server process stopped ({time.perf_counter() - stopping:.1f} s)")
    return replace(result, server_log=log_summary(spec.log_path))


def _lifetime(options: LoadOptions) -> float:
    """How long a server child may live if this process never tells it to stop."""
    return 3 * options.setup_timeout + options.seconds + 2 * options.drain_seconds + 60


def _profile_path(args: argparse.Namespace, target: str) -> str | None:
    if args.profile_dir is None:
        return None
    args.profile_dir.mkdir(parents=True, exist_ok=True)
    return str((args.profile_dir / f"{target}.pstats").resolve())


def _log_path(args: argparse.Namespace, data_dir: Path, target: str) -> str:
    directory = args.server_log_dir or data_dir
    directory.mkdir(parents=True, exist_ok=True)
    return str((directory / f"{target}.log").resolve())


def _progress(text: str) -> None:
    print(f"... {text}", file=sys.stderr, flush=True)


@asynccontextmanager
async def hub_database(url: str | None, data_dir: Path) -> AsyncIterator[tuple[str, str]]:
    """The hub's database URL and how to describe it."""
    if url is None:
        yield f"sqlite+aiosqlite:///{data_dir}/contacthub.db", "SQLite (temporary file)"
    elif url.startswith("postgresql"):
        async with fresh_postgres(url) as (fresh, name):
            yield fresh, f"PostgreSQL (fresh database {name}, dropped afterwards)"
    else:
        yield url, f"{url.split(':', 1)[0]} (given URL, used as is)"


@asynccontextmanager
async def fresh_postgres(url: str) -> AsyncIterator[tuple[str, str]]:
    """A new, empty database on the server of `url`, dropped afterwards; the database named in
    `url` (default postgres) is only used to create and drop it."""
    import asyncpg
    from sqlalchemy.engine import make_url

    server = make_url(url)
    admin_dsn = server.set(drivername="postgresql", database=server.database or "postgres")
    name = f"contacthub_bench_{secrets.token_hex(4)}"
    admin = await asyncpg.connect(admin_dsn.render_as_string(hide_password=False), timeout=10)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield server.set(database=name).render_as_string(hide_password=False), name
        finally:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        return asyncio.run(run(args))
    except KeyboardInterrupt:
        return 130
    except RuntimeError as exc:
        print(f"benchmark failed: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
