"""In headless Chromium, against a real hub: the console was away while the event log pruned
what it missed; on reconnecting, its resume is answered `reload`, and it catches up from its
fresh snapshot and REST, then goes on live, with no reconnect loop."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp

from hub.flow.placement import place
from hub.ids import ConversationId
from hub.models import InboundMessage
from storage import open_store
from tests.browser.console_page import sign_in
from tests.harness import RunningHub, connect_customer, make_settings


async def test_a_console_back_after_a_prune_reloads_and_goes_on_live(
    browser: Any,
    tmp_path: Path,
    sqlite_url: str,
) -> None:
    hub = await RunningHub(make_settings(tmp_path, sqlite_url)).start()
    ann = await hub.add_agent("Ann")
    async with aiohttp.ClientSession() as http:
        try:
            customer = await connect_customer(http, hub, name="Dana")
            conversation_id = (await customer.say("Is my order on its way?"))["conversation_id"]
            page = await (await browser.new_context()).new_page()
            await sign_in(page, hub, ann)
            await page.get_by_test_id("offer-accept").click()
            await page.get_by_test_id("conversation-item").first.click()
            thread = page.get_by_test_id("thread")
            await thread.get_by_text("Is my order on its way?").wait_for()
            await customer.close()

            await hub.stop()  # the console loses its socket and keeps trying
            async with open_store(hub.settings.database_url) as store:
                visitor = await store.visitors.find(customer.token)
                assert visitor is not None
                # Written while the console was away, then pruned before it came back.
                for n, text in enumerate(["Hello?", "Still waiting for the parcel"]):
                    inbound = InboundMessage(
                        channel="webchat",
                        customer_id=visitor.customer.id,
                        dedupe_key=f"away-{n}",
                        text=text,
                        queue="general",
                    )
                    (stored,), _ = await store.inbound.ingest([inbound], place)
                    assert stored.conversation.id == ConversationId(conversation_id)
                await store.events.prune(datetime.now(UTC) + timedelta(days=31), 1000)
            await hub.start()  # same port: the console reconnects by itself

            notice = page.get_by_test_id("toast").filter(has_text="Caught up from a fresh snapshot")
            await notice.wait_for(timeout=30_000)
            await thread.get_by_text("Hello?").wait_for()
            await thread.get_by_text("Still waiting for the parcel").wait_for()
            status = page.get_by_test_id("connection-status")
            assert await status.get_attribute("data-state") == "connected"
            await page.screenshot(path=str(tmp_path / "console-reloaded.png"))

            again = await connect_customer(http, hub, visitor_token=customer.token)
            await again.say("Any news?")
            await thread.get_by_text("Any news?").wait_for()
            await again.close()
        finally:
            await hub.stop()
