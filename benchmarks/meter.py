"""What one phase measures: when each message was sent and when its agent received it.

Clients and meter live in one process, so `time.perf_counter()` stamps from the customer side
and the agent side are on the same clock. Only messages sent inside the measurement window are
registered; warm-up traffic carries no id and is never counted."""

from __future__ import annotations

import asyncio
import itertools
import math
import time
from collections import Counter
from dataclasses import dataclass, field

ID_PREFIX = "m"  # measured texts start with "m<id> "; anything else is warm-up


def measured_text(message_id: int, pad: str) -> str:
    return f"{ID_PREFIX}{message_id} {pad}"


def message_id_of(text: str) -> int | None:
    """The id carried by a measured text, or None for warm-up or foreign text."""
    head = text.split(" ", 1)[0]
    if not head.startswith(ID_PREFIX) or not head[1:].isdigit():
        return None
    return int(head[1:])


class Meter:
    def __init__(self, max_messages: int) -> None:
        self._ids = itertools.count()
        self._max_messages = max_messages
        self._sent_at: dict[int, float] = {}
        self.start = math.inf
        self.end = math.inf
        self.sending = False
        self.sent = 0
        self.received_in_window = 0
        self.replies_sent = 0  # agent replies sent in the window
        self.replies_acked = 0  # agent replies acknowledged in the window (for the hub: stored)
        self.latencies: list[float] = []
        self.send_lag: list[float] = []  # paced mode: how late the client was on its schedule
        self.errors: Counter[str] = Counter()
        self._all_in = asyncio.Event()

    def open_window(self, seconds: float) -> None:
        self.start = time.perf_counter()
        self.end = self.start + seconds
        self.sending = True

    def may_send(self) -> bool:
        if self.sending and (time.perf_counter() >= self.end or self.sent >= self._max_messages):
            self.sending = False
        return self.sending

    def stop_sending(self) -> None:
        self.sending = False
        if not self._sent_at:
            self._all_in.set()

    def on_send(self) -> int:
        """A fresh id, stamped now: call it right before the frame goes out."""
        message_id = next(self._ids)
        self.sent += 1
        self._sent_at[message_id] = time.perf_counter()
        return message_id

    def on_receive(self, message_id: int, at: float) -> None:
        sent_at = self._sent_at.pop(message_id, None)
        if sent_at is None:
            return
        self.latencies.append(at - sent_at)
        if self.start <= at <= self.end:
            self.received_in_window += 1
        if not self.sending and not self._sent_at:
            self._all_in.set()

    def on_reply_sent(self) -> None:
        if self.start <= time.perf_counter() <= self.end:
            self.replies_sent += 1

    def on_reply_ack(self, at: float) -> None:
        if self.start <= at <= self.end:
            self.replies_acked += 1

    def on_error(self, code: str) -> None:
        self.errors[code] += 1

    async def drain(self, timeout: float) -> int:
        """Wait for in-flight messages; returns how many never arrived within `timeout`."""
        try:
            await asyncio.wait_for(self._all_in.wait(), timeout)
        except TimeoutError:
            pass
        return len(self._sent_at)


@dataclass(frozen=True)
class CpuUse:
    """Per process during the window, as a share of one core (1.0 = one full core): CPU used,
    and time its threads were ready to run but waited for a CPU (the machine was busy)."""

    server: float
    client: float
    server_waiting: float
    client_waiting: float


@dataclass(frozen=True)
class PhaseResult:
    target: str
    seconds: float
    sent: int
    received_in_window: int
    undelivered: int
    replies_sent: int
    replies_acked: int
    latencies: list[float]
    send_lag: list[float]
    errors: dict[str, int]
    cpu: CpuUse
    server_log: list[str] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return self.received_in_window / self.seconds if self.seconds else 0.0

    @property
    def reply_rate(self) -> float:
        return self.replies_acked / self.seconds if self.seconds else 0.0

    def latency_ms(self, quantile: float) -> float:
        return percentile(self.latencies, quantile) * 1000

    def lag_ms(self, quantile: float) -> float:
        return percentile(self.send_lag, quantile) * 1000


def percentile(values: list[float], quantile: float) -> float:
    """Nearest-rank percentile; NaN when nothing was measured."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(quantile * len(ordered)))
    return ordered[rank - 1]
