"""What the browser tests share: Debian's Chromium through Playwright (never a downloaded
browser), and a hub on its own SQLite file for each test."""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from tests.harness import RunningHub, make_settings
from tests.services import unavailable

CHROMIUM = os.environ.get("CONTACTHUB_BROWSER", "/usr/bin/chromium")
# Without these, Chromium keeps dialling Google's hosts, which this closed network refuses.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
async def browser() -> AsyncIterator[Any]:
    try:
        from playwright.async_api import async_playwright
    except ImportError as exc:
        unavailable("Playwright", exc)
    if shutil.which(CHROMIUM) is None:
        unavailable("Chromium", f"{CHROMIUM} not found (apt-get install chromium)")
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield launched
        await launched.close()


@pytest.fixture
async def hub(tmp_path: Path, sqlite_url: str) -> AsyncIterator[RunningHub]:
    running = await RunningHub(make_settings(tmp_path, sqlite_url)).start()
    try:
        yield running
    finally:
        await running.stop()
