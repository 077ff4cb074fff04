"""In headless Chromium: the API reference at /api/docs renders the hub's own OpenAPI
document with the vendored Swagger UI, under the pages' strict CSP (no CSP violation)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.harness import RunningHub

ARTIFACTS = Path(__file__).parent / "artifacts"


async def test_the_reference_renders_every_tag(
    browser: Any,
    hub: RunningHub,
) -> None:
    page = await (await browser.new_context(viewport={"width": 1280, "height": 900})).new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on("response", lambda r: problems.append(r.url) if r.status >= 400 else None)
    await page.goto(f"{hub.url}/api/docs")
    await page.locator(".opblock-tag-section").first.wait_for()
    tags = await page.locator(".opblock-tag").all_inner_texts()
    assert {"auth", "agents", "conversations", "customers"} <= {t.split()[0] for t in tags}
    await page.locator("#operations-auth-auth_login").wait_for()
    ARTIFACTS.mkdir(exist_ok=True)
    await page.screenshot(path=str(ARTIFACTS / "api-docs.png"), full_page=False)
    assert not problems, problems
