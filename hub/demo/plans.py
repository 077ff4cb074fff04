"""Each demo conversation's course, decided up front from a seeded generator: which channel,
what is said, and when each step happens (first response minutes after the customer wrote,
resolution hours later). Pure: `script` plays a plan through the services."""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Literal

from hub.demo.people import CustomerSpec
from hub.demo.texts import (
    CLOSINGS,
    FOLLOW_UPS,
    NOTES,
    OPENINGS,
    REPLIES,
    SUBJECTS,
    VOICEMAIL_TEXTS,
    fill,
)
from hub.models import ChannelName

StepKind = Literal[
    "customer", "assign", "reply", "note", "transfer", "resolve",
    "ring", "answer", "hangup", "voicemail", "missed",
]  # fmt: skip
# Typical gaps per channel, in seconds: (customer waits for an offer, agent answers, customer
# writes again, agent resolves after the last word).
PACE: dict[str, tuple[float, float, float, float]] = {
    "webchat": (60, 90, 100, 300),
    "sms": (240, 300, 900, 1800),
    "email": (1800, 3600, 4 * 3600, 2 * 3600),
}
RECENT = timedelta(days=2)  # conversations still open or waiting started this recently


@dataclass(frozen=True)
class Step:
    kind: StepKind
    at: datetime
    text: str = ""


@dataclass
class Plan:
    index: int
    channel: ChannelName
    customer: CustomerSpec
    subject: str | None = None
    steps: list[Step] = field(default_factory=list)

    @property
    def start(self) -> datetime:
        return self.steps[0].at


def plan(
    rng: random.Random, index: int, customer: CustomerSpec, now: datetime, days: float
) -> Plan:
    """One conversation, ending before `now`; most resolved, a few still open (assigned, no
    resolution yet) or waiting (nobody assigned), those started lately."""
    channel = _channel(rng, customer)
    outcome = rng.choices(("resolved", "open", "pending"), weights=(88, 8, 4))[0]
    build = _call if channel == "voice" else _written
    offsets, subject = build(rng, channel, customer)
    if outcome != "resolved":
        offsets = _cut(offsets, outcome)
    span = offsets[-1][1]
    window = timedelta(days=days) if outcome == "resolved" else min(RECENT, timedelta(days=days))
    latest = max(window - span - timedelta(minutes=1), timedelta(0))
    start = now - span - timedelta(minutes=1) - latest * rng.random()
    steps = [Step(kind, start + offset, text) for kind, offset, text in offsets]
    return Plan(index, channel, customer, subject, steps)


def _channel(rng: random.Random, customer: CustomerSpec) -> ChannelName:
    if customer.everywhere:
        return rng.choice(("webchat", "email", "sms", "voice"))
    if customer.kind == "visitor":
        return "webchat"
    if customer.kind == "email" and not (customer.phone_too and rng.random() < 0.4):
        return "email"
    return "sms" if rng.random() < 0.55 else "voice"


Offsets = list[tuple[StepKind, timedelta, str]]


def _written(
    rng: random.Random, channel: ChannelName, customer: CustomerSpec
) -> tuple[Offsets, str | None]:
    wait, answer, again, finish = PACE[channel]
    name = customer.name.split()[0]
    clock = _Clock(rng)
    steps: Offsets = [("customer", clock.at, fill(rng, OPENINGS[channel]))]
    steps.append(("assign", clock.after(wait), ""))
    steps.append(("reply", clock.after(answer), fill(rng, REPLIES, name)))
    for _ in range(rng.randint(0, 3)):
        steps.append(("customer", clock.after(again), fill(rng, FOLLOW_UPS)))
        steps.append(("reply", clock.after(answer), fill(rng, REPLIES, name)))
    if rng.random() < 0.35:
        steps.append(("note", clock.after(answer / 2), fill(rng, NOTES)))
    if rng.random() < 0.12:
        steps.append(("transfer", clock.after(answer / 2), ""))
        steps.append(("assign", clock.after(wait), ""))
        steps.append(("reply", clock.after(answer), fill(rng, REPLIES, name)))
    if rng.random() < 0.5:
        steps.append(("customer", clock.after(again / 2), rng.choice(CLOSINGS)))
    steps.append(("resolve", clock.after(finish), ""))
    subject = fill(rng, SUBJECTS) if channel == "email" else None
    return steps, subject


def _call(
    rng: random.Random, _channel: ChannelName, customer: CustomerSpec
) -> tuple[Offsets, str | None]:
    """Answered (the agent takes it, talks, hangs up), or voicemail, or missed; the last two
    are called back later."""
    clock = _Clock(rng)
    steps: Offsets = [("ring", clock.at, "")]
    fate = rng.choices(("answered", "voicemail", "missed"), weights=(60, 28, 12))[0]
    if fate == "answered":
        steps.append(("assign", clock.after(20), ""))
        steps.append(("answer", clock.after(1), ""))
        steps.append(("hangup", clock.after(360), ""))
    elif fate == "voicemail":
        text = fill(rng, VOICEMAIL_TEXTS, customer.name.split()[0])
        steps.append(("voicemail", clock.after(90), text))
        steps.append(("assign", clock.after(3600), ""))
    else:
        steps.append(("missed", clock.after(40), ""))
        steps.append(("assign", clock.after(1800), ""))
    if rng.random() < 0.5 or fate != "answered":
        steps.append(("note", clock.after(120), fill(rng, NOTES)))
    steps.append(("resolve", clock.after(120), ""))
    return steps, None


def _cut(steps: Offsets, outcome: str) -> Offsets:
    """Open: everything but the resolution; waiting: what happened before anyone took it."""
    if outcome == "open":
        return [s for s in steps if s[0] != "resolve"]
    first_assign = next(i for i, s in enumerate(steps) if s[0] == "assign")
    waiting = steps[:first_assign]
    if [s[0] for s in waiting] == ["ring"]:  # a call nobody took is missed, not ringing on
        waiting.append(("missed", waiting[0][1] + timedelta(seconds=40), ""))
    return waiting


class _Clock:
    """Offsets from the start, each gap drawn around its typical length."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self.at = timedelta(0)

    def after(self, typical_seconds: float) -> timedelta:
        gap = self._rng.expovariate(1 / typical_seconds) + typical_seconds / 10
        self.at += timedelta(seconds=gap)
        return self.at


def plans(
    seed: str, customers: list[CustomerSpec], count: int, now: datetime, days: float
) -> Iterator[Plan]:
    """`count` conversations among `customers` (several each, for some), oldest first. Each
    comes from its own generator (seed and index), so they are ordered by start time from a
    first pass and made again one at a time: the whole history is never held at once."""
    starts = sorted((_plan_of(seed, i, customers, now, days).start, i) for i in range(count))
    return (_plan_of(seed, i, customers, now, days) for _, i in starts)


def _plan_of(
    seed: str, index: int, customers: list[CustomerSpec], now: datetime, days: float
) -> Plan:
    rng = random.Random(f"{seed}:{index}")
    return plan(rng, index, customers[rng.randrange(len(customers))], now, days)
