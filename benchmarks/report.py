"""The printed report: the machine, the set-up, one row per target, the ratio and the targets."""

from __future__ import annotations

import math
import os
import platform
from dataclasses import dataclass
from pathlib import Path

from benchmarks.meter import PhaseResult

TARGET_SHARE = 0.25  # hub throughput >= 25 % of the relay's
TARGET_P99_MS = 15.0  # hub p99 <= 15 ms ...
TARGET_RATE = 2000.0  # ... at 2,000 msg/s


@dataclass(frozen=True)
class Setup:
    customers: int
    agents: int
    capacity: int
    seconds: float
    rate: float | None
    window: int
    reply_every: int
    text_bytes: int
    database: str
    bus: str


CLIENT_BUSY = 0.85  # a load generator above this share of a core may be what limits a target
CPU_CONTENDED = 0.10  # run-queue wait above this share of the window: the machine was busy


def machine() -> str:
    cpus = len(os.sched_getaffinity(0))
    return (
        f"{cpus} CPUs (nproc), {cpu_model()}, Python {platform.python_version()} "
        f"({platform.python_implementation()}), {platform.system()} {platform.release()}"
    )


def load_average() -> str:
    """Other work on the machine skews every figure; say how busy it was at the start."""
    one, five, _ = os.getloadavg()
    return f"load average {one:.2f} (1 min), {five:.2f} (5 min) at start"


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def header(setup: Setup) -> str:
    if setup.rate is None:
        mode = f"max throughput: closed loop, {setup.window} unacknowledged message(s)/customer"
    else:
        mode = f"fixed rate {setup.rate:,.0f} msg/s in total, open loop, paced across customers"
    replies = {0: "never", 1: "every customer message"}.get(
        setup.reply_every, f"every {setup.reply_every}th customer message"
    )
    return "\n".join(
        [
            "ContactHub chat load benchmark",
            f"  machine   {machine()}",
            f"            {load_average()}",
            f"  load      N={setup.customers} customers on /ws/chat, M={setup.agents} agents on "
            f"/ws/agent (webchat capacity {setup.capacity} each)",
            f"  mode      {mode}",
            f"            {setup.seconds:g} s measured per target, {setup.text_bytes}-byte texts",
            f"  replies   agents reply to {replies}",
            f"  hub       database {setup.database}; bus {setup.bus}",
            "  how run   each server (hub, then relay) alone in its own process (multiprocessing",
            "            spawn); all N+M clients in one asyncio loop in the parent process; the",
            "            same client code, measurement and process layout for both; 127.0.0.1 only",
        ]
    )


_COLUMNS = (
    f"{'target':<7}{'sent':>8}{'recv':>8}{'msg/s':>7}{'p50 ms':>9}{'p99 ms':>9}{'max ms':>8}"
    f"{'undeliv':>8}{'errors':>7}{'lag p99':>8}{'reply/s':>8}"
)
_CPU_COLUMNS = (
    f"{'target':<7}{'CPU server':>11}{'CPU client':>11}{'waited srv':>11}{'waited cli':>11}"
)


def table(results: list[PhaseResult]) -> str:
    rows = [_COLUMNS]
    for r in results:
        lag = f"{r.lag_ms(0.99):.1f}" if r.send_lag else "-"
        rows.append(
            f"{r.target:<7}{r.sent:>8}{r.received_in_window:>8}{r.rate:>7.0f}"
            f"{r.latency_ms(0.5):>9.2f}{r.latency_ms(0.99):>9.2f}{r.latency_ms(1.0):>8.0f}"
            f"{r.undelivered:>8}{sum(r.errors.values()):>7}{lag:>8}{r.reply_rate:>8.0f}"
        )
    rows += ["", _CPU_COLUMNS]
    for r in results:
        c = r.cpu
        rows.append(
            f"{r.target:<7}{c.server:>11.0%}{c.client:>11.0%}"
            f"{c.server_waiting:>11.0%}{c.client_waiting:>11.0%}"
        )
    return "\n".join(rows)


def notes(results: list[PhaseResult]) -> list[str]:
    lines = []
    for r in results:
        if r.errors:
            lines.append(f"  {r.target}: error frames by code: {r.errors}")
        if r.replies_sent and r.replies_acked < 0.9 * r.replies_sent:
            lines.append(
                f"  {r.target}: agents sent {r.replies_sent} replies in the window, only"
                f" {r.replies_acked} were acknowledged in it: the reply path fell behind"
            )
        if r.cpu.client >= CLIENT_BUSY:
            lines.append(
                f"  {r.target}: the load generator used {r.cpu.client:.0%} of a core: this figure"
                "\n    may be limited by the client, not by the server"
            )
        if max(r.cpu.server_waiting, r.cpu.client_waiting) >= CPU_CONTENDED:
            lines.append(
                f"  {r.target}: threads waited for a CPU for up to"
                f" {max(r.cpu.server_waiting, r.cpu.client_waiting):.0%} of the window:"
                "\n    the cores were contended (other work, or server and client crowding them)"
            )
        if r.server_log:
            lines.append(f"  {r.target}: server log, WARNING and up, most frequent first:")
            lines.extend(f"    {line}" for line in r.server_log)
    return lines


def legend() -> str:
    return "\n".join(
        [
            "  sent: customer messages sent in the window; recv: of those, received by their agent",
            "  within the window (for the hub: persisted, the ack follows the commit); msg/s =",
            "  recv / window; latency: customer send -> agent receipt (perf_counter, same",
            "  process), over every message sent in the window; undeliv: not received by the end",
            "  of the drain; lag p99: how late the client sent against its schedule (fixed rate);",
            "  reply/s: agent replies acknowledged in the window (hub: stored; not part of msg/s).",
            "  CPU: share of one core used by the server process / the load generator process;",
            "  waited: share of the window their threads were ready to run but had no CPU (other",
            "  work on the machine, or the two processes crowding each other): when it is high,",
            "  the figures above are the machine's, not the code's.",
        ]
    )


def comparison(setup: Setup, hub: PhaseResult, relay: PhaseResult) -> str:
    share = hub.rate / relay.rate if relay.rate else math.nan
    hub_p99, relay_p99 = hub.latency_ms(0.99), relay.latency_ms(0.99)
    at_target_rate = setup.rate is not None and math.isclose(setup.rate, TARGET_RATE)
    # The share target is about capacity: under a fixed rate both targets may just keep up.
    share_verdict = (
        f"{_verdict(share >= TARGET_SHARE)} ({share:.1%})"
        if setup.rate is None
        else "n/a in this run (use max-throughput mode)"
    )
    p99_verdict = (
        f"{_verdict(hub_p99 <= TARGET_P99_MS)} ({hub_p99:.2f} ms)"
        if at_target_rate
        else "n/a in this run (use --rate 2000)"
    )
    share_note = "" if setup.rate is None else " (capped by the fixed rate)"
    return "\n".join(
        [
            f"hub / relay throughput   {share:.1%}  ({hub.rate:,.0f} / {relay.rate:,.0f} msg/s)"
            f"{share_note}",
            f"p99 latency              hub {hub_p99:.2f} ms   relay {relay_p99:.2f} ms"
            f"   (p50: hub {hub.latency_ms(0.5):.2f} ms, relay {relay.latency_ms(0.5):.2f} ms)",
            "targets (reference only, for a later issue):",
            f"  hub >= {TARGET_SHARE:.0%} of relay throughput: {share_verdict}",
            f"  hub p99 <= {TARGET_P99_MS:g} ms at {TARGET_RATE:,.0f} msg/s: {p99_verdict}",
        ]
    )


def _verdict(met: bool) -> str:
    return "met" if met else "NOT met"
