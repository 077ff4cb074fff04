"""In headless Chromium, the supervisor page: the service level drops while a customer waits
past the target; reassigning a waiting customer to an agent who is not available asks first,
then says the conversation waits for them and until when, and the table shows whom it waits
for."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import aiohttp

from hub.settings import QueueSettings
from tests.harness import RunningHub, connect_customer, make_settings


async def test_reassigning_to_an_absent_agent_asks_first(
    browser: Any,
    tmp_path: Path,
    sqlite_url: str,
) -> None:
    settings = make_settings(tmp_path, sqlite_url, routing__offer_timeout_seconds="600")
    target = (QueueSettings(name="general", service_level_seconds=1),)
    settings = settings.model_copy(update={"queues": target})
    hub = await RunningHub(settings).start()
    try:
        await hub.add_agent("Bob")  # never signs in: offline
        sue = await hub.add_agent("Sue", role="supervisor")
        async with aiohttp.ClientSession() as http:
            customer = await connect_customer(http, hub, name="Carol")
            await customer.say("Is anyone there?")  # nobody is available: it waits

            page = await (await browser.new_context()).new_page()
            await page.goto(f"{hub.url}/supervisor")
            await page.get_by_test_id("login-email").fill(sue["email"])
            await page.get_by_test_id("login-password").fill(sue["password"])
            await page.get_by_test_id("login-submit").click()
            # Nobody was answered yet, but Carol waits past the 1 s target: that is a miss.
            queue = page.locator("[data-testid=queue-row][data-queue=general]")
            await queue.filter(has_text="0% (target 1s)").wait_for()
            assert "1 waiting past target" in await queue.inner_text()
            row = page.get_by_test_id("conversation-row").filter(has_text="Carol")
            await row.wait_for()
            await row.get_by_test_id("reassign-select").select_option(label="Bob (offline)")
            await row.get_by_test_id("reassign-send").click()

            confirm = row.get_by_test_id("reassign-confirm")
            await confirm.wait_for()
            warning = await row.get_by_test_id("reassign-warning").inner_text()
            assert warning.startswith("Bob is offline: nobody else will be offered")
            await page.screenshot(path=str(tmp_path / "supervisor-reassign-confirm.png"))
            # Cancel sends nothing; asking again and confirming sends it.
            await row.get_by_test_id("reassign-cancel").click()
            assert await confirm.is_hidden()
            await row.get_by_test_id("reassign-send").click()
            await row.get_by_test_id("reassign-anyway").click()

            toast = page.get_by_test_id("toast").filter(has_text="Bob is offline")
            await toast.wait_for()
            text = await toast.inner_text()
            assert "the conversation waits for them until" in text
            assert "then goes back to the queue" in text
            await row.filter(has_text="waiting for Bob (offline)").wait_for()
            await page.screenshot(path=str(tmp_path / "supervisor-reassigned-waiting.png"))
            await customer.close()
    finally:
        await hub.stop()
