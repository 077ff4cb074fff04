"""In headless Chromium: an SMS conversation in the console shows each reply's delivery
status as Twilio reports it, and after the customer texts STOP the console says so and the
next reply is shown as refused."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import aiohttp

from tests.browser.console_page import sign_in
from tests.channels.twilio.conftest import (  # noqa: F401  (fixtures)
    ACCOUNT,
    TwilioSide,
    standin,
    start_hub,
    twilio_spec,
)
from tests.channels.twilio.standin import TwilioStandIn
from tests.channels.twilio.test_sms import sent_requests


async def test_delivery_status_and_opt_out_in_the_console(
    browser: Any,
    tmp_path: Path,
    sqlite_url: str,
    standin: tuple[TwilioStandIn, str],  # noqa: F811
) -> None:
    fake, api_url = standin
    hub = await start_hub(tmp_path, sqlite_url, api_url)
    try:
        dan = await hub.add_agent("Dan")
        async with aiohttp.ClientSession() as http:
            twilio = TwilioSide(http, hub)
            await twilio.sms("SM" + "4" * 32, "Is my <b>order</b> shipped?")
            page = await (await browser.new_context()).new_page()
            await sign_in(page, hub, dan)
            await page.get_by_test_id("offer").get_by_test_id("offer-accept").click()
            await page.get_by_test_id("conversation-item").first.click()
            # Markup a customer texted is shown as the characters they typed.
            await page.get_by_test_id("message").filter(has_text="<b>order</b>").wait_for()

            await page.get_by_test_id("reply-input").fill("Yes, this morning.")
            await page.get_by_test_id("reply-send").click()
            status = page.get_by_test_id("delivery")
            await status.filter(has_text="queued").wait_for()
            await sent_requests(fake, 1)
            (sent,) = fake.of("/Messages.json")
            sid = f"SM{1:032x}"
            assert sent.one("Body") == "Yes, this morning."
            code, _ = await twilio.post(
                "/twilio/sms/status",
                {"MessageSid": sid, "MessageStatus": "delivered", "AccountSid": ACCOUNT},
            )
            assert code == 200
            await status.filter(has_text="delivered").wait_for()

            await twilio.sms("SM" + "6" * 32, "STOP")
            banner = page.get_by_test_id("conversation-banner")
            await banner.filter(has_text="opted out").wait_for()
            await page.screenshot(path=str(tmp_path / "console-sms-opted-out.png"))
            await page.get_by_test_id("reply-input").fill("One more thing")
            await page.get_by_test_id("reply-send").click()
            await page.get_by_test_id("message").filter(has_text="not sent").wait_for()
            assert len(fake.of("/Messages.json")) == 1
    finally:
        await hub.stop()
