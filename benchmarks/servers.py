"""The server under test runs in its own process, so the load generator's CPU use is not
charged to it (and vice versa). The hub and the relay are started the same way: a spawned
child builds its aiohttp app, listens on 127.0.0.1 port 0, reports the port over a pipe, and
serves until the parent says stop (or its own lifetime runs out, so nothing is left behind)."""

from __future__ import annotations

import asyncio
import contextlib
import cProfile
import logging
import multiprocessing
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from aiohttp import web

if TYPE_CHECKING:  # the relay child never imports the hub
    from hub.models import ChannelName

AGENT_PASSWORD = "bench-password-1"
START_TIMEOUT = 120.0
STOP_TIMEOUT = 15.0
LOG_FORMAT = "%(levelname)s %(name)s: %(message)s"
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ServerSpec:
    kind: Literal["hub", "relay"]
    agents: int = 0
    webchat_capacity: int = 1
    data_dir: str = ""
    database_url: str = ""  # empty: SQLite in data_dir
    bus_url: str = ""  # empty: in-process bus
    lifetime: float = 600.0
    profile_path: str | None = None
    log_path: str | None = None  # None: the server logs to stderr


@dataclass(frozen=True)
class ProcessTimes:
    cpu: float  # seconds
    waiting: float  # seconds

    def __sub__(self, other: ProcessTimes) -> ProcessTimes:
        return ProcessTimes(self.cpu - other.cpu, self.waiting - other.waiting)


@dataclass(frozen=True)
class Started:
    port: int
    agent_emails: list[str] = field(default_factory=list)


# -- child side -------------------------------------------------------------------------------


def serve(spec: ServerSpec, conn: Connection) -> None:
    """Entry point of the spawned child."""
    # WARNING and up only; to a file, so the parent can summarize instead of interleaving.
    logging.basicConfig(
        level=logging.WARNING, format=LOG_FORMAT, filename=spec.log_path, force=True
    )
    profiler = cProfile.Profile() if spec.profile_path else None
    try:
        asyncio.run(_serve(spec, conn, profiler))
    except KeyboardInterrupt:
        pass  # Ctrl-C reaches the whole process group; the parent reports it
    except Exception as exc:  # report start-up failures to the parent rather than let it wait
        with contextlib.suppress(OSError):
            conn.send(("error", f"{type(exc).__name__}: {exc}"))
        raise
    finally:
        if profiler is not None and spec.profile_path:
            profiler.dump_stats(spec.profile_path)


async def _serve(spec: ServerSpec, conn: Connection, profiler: cProfile.Profile | None) -> None:
    app, emails = await (_hub_app(spec) if spec.kind == "hub" else _relay_app())
    # No access log: one line per websocket is noise, and the relay has none either.
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    try:
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = runner.addresses[0][1]
        conn.send(("ready", Started(port, emails)))
        if profiler is not None:
            profiler.enable()
        await _until_stopped(conn, spec.lifetime)
    finally:
        if profiler is not None:
            profiler.disable()
        await runner.cleanup()


async def _until_stopped(conn: Connection, lifetime: float) -> None:
    """Until the parent writes to the pipe or goes away (EOF makes the pipe readable too)."""
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    loop.add_reader(conn.fileno(), stop.set)
    try:
        await asyncio.wait_for(stop.wait(), lifetime)
    except TimeoutError:
        log.warning("no stop from the benchmark within %.0f s; stopping anyway", lifetime)
    finally:
        loop.remove_reader(conn.fileno())


async def _relay_app() -> tuple[web.Application, list[str]]:
    from benchmarks.relay import Relay

    return Relay().app(), []


async def _hub_app(spec: ServerSpec) -> tuple[web.Application, list[str]]:
    # Imported here so the relay child never loads the hub.
    from hub.app import build_app
    from hub.settings import load_settings

    env = {
        "CONTACTHUB_SERVER__DATA_DIR": spec.data_dir,
        "CONTACTHUB_SERVER__PORT": "0",
        "CONTACTHUB_DATABASE__URL": spec.database_url,
        "CONTACTHUB_BUS__URL": spec.bus_url,
        # Every benchmark agent logs in at once from 127.0.0.1: let them all through the
        # per-address limit and wait for the password pool rather than be refused.
        "CONTACTHUB_AUTH__LOGIN_LIMIT_PER_ADDRESS": "100000/minute",
        "CONTACTHUB_AUTH__HASH_QUEUE": "1024",
        # The load comes from one address, faster than any visitor types: the web chat's
        # abuse limits (on by default) would measure themselves, not the hub.
        "CONTACTHUB_CHANNELS__WEBCHAT__MAX_SOCKETS_PER_ADDRESS": "1000000",
        "CONTACTHUB_CHANNELS__WEBCHAT__VISITOR_MESSAGE_RATE": "1000000/second",
        "CONTACTHUB_CHANNELS__WEBCHAT__ADDRESS_MESSAGE_RATE": "1000000/second",
    }
    settings = load_settings(None, env=env)
    emails = await _add_agents(settings.database_url, spec, settings.routing.default_capacity)
    return await build_app(settings), emails


async def _add_agents(
    url: str, spec: ServerSpec, default_capacity: Mapping[ChannelName, int]
) -> list[str]:
    """Agents go in before the hub starts, so the router sees them when it builds its state.
    migrate=True also upgrades a fresh PostgreSQL database (SQLite is upgraded anyway)."""
    from hub.services.auth import hash_password
    from storage import open_store

    password_hash = hash_password(AGENT_PASSWORD)  # Argon2 is slow on purpose: hash once
    capacity = {str(channel): n for channel, n in default_capacity.items()}
    capacity["webchat"] = spec.webchat_capacity
    emails = [f"agent{i:03d}@bench.example" for i in range(spec.agents)]
    async with open_store(url, migrate=True) as store:
        for i, email in enumerate(emails):
            await store.agents.add_agent(
                f"Agent {i:03d}", email, password_hash, "agent", [], capacity
            )
    return emails


# -- parent side ------------------------------------------------------------------------------


class ServerProcess:
    """`async with ServerProcess(spec) as server:` starts the child and stops it on exit."""

    def __init__(self, spec: ServerSpec) -> None:
        self.spec = spec
        context = multiprocessing.get_context("spawn")  # a clean interpreter, no forked loop
        self._conn, self._child_conn = context.Pipe()
        self._process = context.Process(
            target=serve, args=(spec, self._child_conn), name=f"bench-{spec.kind}", daemon=True
        )
        self.started = Started(0)

    async def __aenter__(self) -> ServerProcess:
        self._process.start()
        # Only the child may hold its end open: then a crashed child reads as EOF here.
        self._child_conn.close()
        ready = await asyncio.to_thread(self._conn.poll, START_TIMEOUT)
        if not ready:
            await self.__aexit__()
            raise RuntimeError(f"{self.spec.kind} did not start within {START_TIMEOUT:.0f} s")
        try:
            status, payload = self._conn.recv()
        except EOFError:
            status, payload = "error", f"exit code {self._process.exitcode}"
        if status != "ready":
            await self.__aexit__()
            raise RuntimeError(f"{self.spec.kind} failed to start: {payload}")
        self.started = payload
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._process.is_alive():
            try:
                self._conn.send("stop")
            except (BrokenPipeError, OSError):
                pass
            await asyncio.to_thread(self._process.join, STOP_TIMEOUT)
        if self._process.is_alive():
            self._process.terminate()
            await asyncio.to_thread(self._process.join, 5)
        if self._process.is_alive():
            self._process.kill()
            await asyncio.to_thread(self._process.join, 5)
        self._conn.close()

    @property
    def pid(self) -> int | None:
        return self._process.pid

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.started.port}"

    def times(self) -> ProcessTimes:
        return process_times(self._process.pid)


def log_summary(path: str | None, top: int = 5) -> list[str]:
    """The server's log records counted by level, logger and message (tracebacks left out)."""
    if path is None or not Path(path).is_file():
        return []
    records: Counter[str] = Counter()
    for line in Path(path).read_text(errors="replace").splitlines():
        if line.split(" ", 1)[0] in ("WARNING", "ERROR", "CRITICAL"):
            records[line[:160]] += 1
    return [f"{count:>6} x {record}" for record, count in records.most_common(top)]


def process_times(pid: int | None) -> ProcessTimes:
    """CPU time and run-queue wait of every thread of `pid` (the hub has an aiosqlite thread).
    Run-queue wait is time a thread was ready but had no CPU: other work on the machine."""
    cpu = waiting = 0.0
    for schedstat in Path(f"/proc/{pid}/task").glob("*/schedstat") if pid else ():
        try:
            on_cpu, queued, _ = schedstat.read_text().split()
        except (OSError, ValueError):
            continue  # a thread that just ended
        cpu += int(on_cpu) / 1e9
        waiting += int(queued) / 1e9
    return ProcessTimes(cpu, waiting)
