"""Driving the agent console as an agent does, shared by the browser tests."""

from __future__ import annotations

from typing import Any

from tests.harness import RunningHub


async def sign_in(
    page: Any, hub: RunningHub, agent: dict[str, str], *, available: bool = True
) -> None:
    """Open the console, sign in with the agent's email and password, go available."""
    await page.goto(f"{hub.url}/")
    await page.get_by_test_id("login-email").fill(agent["email"])
    await page.get_by_test_id("login-password").fill(agent["password"])
    await page.get_by_test_id("login-submit").click()
    if available:
        await page.get_by_test_id("presence-select").select_option("available")
