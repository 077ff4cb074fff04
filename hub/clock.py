"""What time it is, as a value services are given: the system's clock unless another is
injected (the demo generator backdates a history through the real services with one)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    """Now, aware UTC: the default of every service that takes a clock."""
    return datetime.now(UTC)
