"""The demo's pure parts: who the customers are and how each conversation goes."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from hub.demo.people import customer_spec
from hub.demo.plans import plans

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def test_the_first_customer_is_on_every_channel_and_nobody_is_two_kinds() -> None:
    for seed in range(200):
        rng = random.Random(seed)
        specs = [customer_spec(rng, i) for i in range(20)]
        assert specs[0].everywhere and specs[0].kind == "visitor"
        assert not any(s.everywhere and s.phone_too for s in specs)
        assert all(not s.phone_too or s.kind == "email" for s in specs)


def test_plans_come_oldest_first_inside_the_window_with_ordered_steps() -> None:
    customers = [customer_spec(random.Random(1), i) for i in range(50)]
    history = list(plans("seed", customers, 300, NOW, 30))
    assert len(history) == 300
    assert [p.start for p in history] == sorted(p.start for p in history)
    for plan in history:
        times = [step.at for step in plan.steps]
        assert times == sorted(times)
        assert NOW - timedelta(days=30) <= times[0] and times[-1] < NOW
    assert {p.channel for p in history} == {"webchat", "email", "sms", "voice"}
    assert [p.start for p in plans("seed", customers, 300, NOW, 30)] == [
        p.start for p in history
    ]  # the same seed, the same history
