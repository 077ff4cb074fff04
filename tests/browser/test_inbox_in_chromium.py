"""In headless Chromium, the console's inbox and conversation work on the REST API (issue
10): views, a filter, counts and "Load more"; search as you type opening a result; Take on
an unassigned conversation, then the offer accepted; labels, priority, snooze, resolve and
reopen; a canned response inserted with `/`; a file attached to a reply; a note's @mention
reaching a second agent's console. Each flow runs at desktop and 390 px, in light and dark;
screenshots go to tests/browser/artifacts/."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import aiohttp
import pytest

from tests.browser.console_page import sign_in
from tests.browser.test_console_look_in_chromium import NOTIFICATION_SPY, fits, shot
from tests.harness import RunningHub, connect_customer, login, make_settings

DESKTOP = {"width": 1400, "height": 900}
PHONE = {"width": 390, "height": 844}
LOOKS = [
    pytest.param("light", DESKTOP, id="light-desktop"),
    pytest.param("dark", DESKTOP, id="dark-desktop"),
    pytest.param("light", PHONE, id="light-phone"),
    pytest.param("dark", PHONE, id="dark-phone"),
]


def tag(scheme: str, size: dict[str, int]) -> str:
    return f"{scheme}-{'phone' if size['width'] < 900 else 'desktop'}"


async def as_supervisor(
    http: aiohttp.ClientSession, hub: RunningHub, token: str, path: str, body: dict[str, Any]
) -> None:
    async with http.post(
        f"{hub.url}{path}", json=body, headers={"Authorization": f"Bearer {token}"}
    ) as r:
        assert r.status == 201, await r.text()


async def open_pane(page: Any, size: dict[str, int], pane: str) -> None:
    """On a phone, show that pane with the tab bar (wide screens show all three)."""
    if size["width"] < 900:
        await page.get_by_test_id(f"pane-tab-{pane}").click()


@pytest.mark.parametrize(("scheme", "size"), LOOKS)
async def test_inbox_search_take_and_the_conversation_tools(
    browser: Any,
    tmp_path: Path,
    sqlite_url: str,
    scheme: str,
    size: dict[str, int],
) -> None:
    hub = await RunningHub(make_settings(tmp_path, sqlite_url)).start()
    name = tag(scheme, size)
    try:
        ann = await hub.add_agent("Ann")
        sue = await hub.add_agent("Sue", "supervisor")
        async with aiohttp.ClientSession() as http:
            token = await login(http, hub, sue)
            for label in ("vip", "billing"):
                await as_supervisor(http, hub, token, "/api/v1/labels", {"name": label})
            carol = await connect_customer(http, hub, name="Carol Zebra")
            await carol.say("Where is my zebra-striped parcel?")

            page = await (await browser.new_context(color_scheme=scheme)).new_page()
            await page.set_viewport_size(size)
            await sign_in(page, hub, ann, available=False)
            await page.locator("[data-testid=connection-status][data-state=connected]").wait_for()
            await page.keyboard.press("Escape")  # out of the sign-in form: keys work
            # Search as you type: the snippet marks the match; a click opens it read-only.
            await page.keyboard.press("/")
            await page.locator("#search-input:focus").wait_for()
            await page.keyboard.type("zebra")
            hit = page.get_by_test_id("search-hit").filter(has_text="Carol Zebra").first
            await hit.wait_for()
            assert await hit.locator("mark").count() >= 1
            await shot(page, f"inbox-{name}-search.png")
            await hit.click()
            await page.get_by_test_id("past-bar").filter(has_text="unassigned").wait_for()
            thread = page.get_by_test_id("thread")
            await thread.get_by_test_id("message").filter(has_text="zebra-striped").wait_for()
            # Take: the router offers it to Ann, who accepts it.
            await page.get_by_test_id("take").click()
            await page.get_by_test_id("take-state").wait_for()
            await shot(page, f"inbox-{name}-taken.png")
            await page.get_by_test_id("presence-select").select_option("available")
            offer = page.get_by_test_id("offer").filter(has_text="Carol Zebra")
            await open_pane(page, size, "inbox")
            await offer.wait_for()
            await offer.get_by_test_id("offer-accept").click()
            tools = page.get_by_test_id("conv-tools")
            await tools.wait_for()
            header = page.get_by_test_id("conversation-header")
            await header.filter(has_text="Carol Zebra").wait_for()
            assert await page.get_by_test_id("past-bar").is_hidden()

            # Labels, priority, snooze (and wake), resolve, reopen.
            await page.get_by_test_id("label-add").select_option("vip")
            await page.locator("[data-testid=label-chip][data-label=vip]").wait_for()
            await (
                page.get_by_test_id("customer-info")
                .filter(has_text="Carol Zebra")
                .wait_for(state="attached")
            )
            await page.get_by_test_id("priority").select_option("2")
            if size["width"] >= 900:  # the edit is on the customer's timeline, in words
                edit = page.get_by_test_id("timeline-entry").filter(has_text="set priority 2")
                await edit.wait_for()
            await page.get_by_test_id("snooze").select_option("1h")
            chip = page.get_by_test_id("snooze-chip")
            await chip.filter(has_text="Snoozed until").wait_for()
            await shot(page, f"inbox-{name}-tools.png")
            await page.get_by_test_id("snooze-wake").click()
            await chip.wait_for(state="hidden")
            await page.get_by_test_id("resolve").click()
            await page.get_by_test_id("reopen").wait_for()
            await page.get_by_test_id("reopen").click()
            await page.get_by_test_id("reopen").wait_for(state="hidden")
            # Away, so the queue that fills next is offered to nobody.
            await page.get_by_test_id("presence-select").select_option("away")
            await page.locator("[data-testid=agent-status][data-status=away]").wait_for(
                state="attached"
            )
            await open_pane(page, size, "inbox")
            for i in range(26):
                # Closed at once: the hub bounds the sockets one address may hold.
                c = await connect_customer(http, hub, name=f"Customer {i:02d}")
                await c.say(f"Question number {i}")
                await c.close()
            # The search text filters the inbox too, until cleared.
            await page.get_by_test_id("inbox-query").filter(has_text="zebra").click()
            await page.get_by_test_id("inbox-query").wait_for(state="detached")
            # The inbox: Unassigned shows the queue, 25 a page, with live counts.
            await page.locator("[data-testid=inbox-view][data-view=unassigned]").click()
            items = page.get_by_test_id("inbox-item")
            await items.nth(24).wait_for()
            pending = page.locator("[data-testid=inbox-count][data-status=pending]")
            await pending.filter(has_text="27").wait_for()
            assert await items.count() == 25
            first = items.first
            assert "Customer 25" in await first.inner_text()
            assert "Unassigned" in await first.inner_text()
            await shot(page, f"inbox-{name}-unassigned.png")
            await page.get_by_test_id("inbox-more").click()
            await items.nth(26).wait_for()
            await page.get_by_test_id("inbox-more").wait_for(state="hidden")
            # A filter: nothing is open; pending brings them back.
            await page.get_by_test_id("filter-status").select_option("open")
            await page.get_by_test_id("inbox-empty").wait_for()
            await page.get_by_test_id("filter-status").select_option("pending")
            await items.nth(24).wait_for()
            # Save the filters as a view: it becomes a tab of its own.
            await page.get_by_test_id("view-save").click()
            await page.get_by_test_id("view-name").fill("Waiting")
            await page.get_by_test_id("view-name").press("Enter")
            view = page.locator("[data-testid=inbox-view][aria-selected=true]")
            await view.filter(has_text="Waiting").wait_for()
            await items.nth(24).wait_for()
            assert await fits(page, size["width"])

            # The inbox row shows what was done: the label and the priority.
            await page.locator("[data-testid=inbox-view][data-view=all]").click()
            # A new view starts from its own filters: the pickers say so.
            assert await page.get_by_test_id("filter-status").input_value() == ""
            await page.get_by_test_id("filter-label").select_option("vip")
            await items.filter(has_text="Customer 25").wait_for(state="detached")
            row = items.filter(has_text="Carol Zebra")
            await row.get_by_test_id("row-label").filter(has_text="vip").wait_for()
            await row.get_by_test_id("row-priority").filter(has_text="Urgent").wait_for()
            await shot(page, f"inbox-{name}-all.png")
            assert await fits(page, size["width"])
            await carol.close()
    finally:
        await hub.stop()


@pytest.mark.parametrize(("scheme", "size"), LOOKS)
async def test_a_canned_response_with_slash_and_a_mention_reaching_a_colleague(
    browser: Any,
    tmp_path: Path,
    sqlite_url: str,
    scheme: str,
    size: dict[str, int],
) -> None:
    hub = await RunningHub(make_settings(tmp_path, sqlite_url)).start()
    name = tag(scheme, size)
    try:
        ann = await hub.add_agent("Ann")
        bob = await hub.add_agent("Bob Stone")
        sue = await hub.add_agent("Sue", "supervisor")
        async with aiohttp.ClientSession() as http:
            token = await login(http, hub, sue)
            await as_supervisor(
                http, hub, token, "/api/v1/canned-responses",
                {"short_code": "thanks", "title": "Thank the customer",
                 "text": "Thanks {name}, happy to help!"},
            )  # fmt: skip
            bob_context = await browser.new_context(
                color_scheme=scheme, permissions=["notifications"]
            )
            await bob_context.add_init_script(NOTIFICATION_SPY)
            bob_page = await bob_context.new_page()
            await bob_page.set_viewport_size(size)
            await sign_in(bob_page, hub, bob, available=False)
            await bob_page.get_by_test_id("inbox").wait_for()

            customer = await connect_customer(http, hub, name="Carol")
            await customer.say("Hello there")
            page = await (await browser.new_context(color_scheme=scheme)).new_page()
            await page.set_viewport_size(size)
            await sign_in(page, hub, ann)
            await page.get_by_test_id("offer-accept").click()
            await page.locator("#reply-input:focus").wait_for()
            await (
                page.get_by_test_id("customer-info")
                .filter(has_text="Carol")
                .wait_for(state="attached")
            )
            # `/` at the start of a word: the canned responses, filtered as Ann types.
            await page.keyboard.type("/tha")
            item = page.get_by_test_id("suggest-item").filter(has_text="/thanks")
            await item.wait_for()
            await shot(page, f"canned-{name}-menu.png")
            await page.keyboard.press("Enter")
            await page.get_by_test_id("suggest").wait_for(state="hidden")
            # Filled in for this conversation by the hub ({name}), then inserted.
            await page.wait_for_function(
                "() => document.getElementById('reply-input').value"
                " === 'Thanks Carol, happy to help!'"
            )
            await page.keyboard.press("Enter")
            thanks = "Thanks Carol, happy to help!"
            await customer.expect("message", lambda f: f.get("text") == thanks)
            # Attach: the file is uploaded, listed, and goes with the next reply.
            await page.get_by_test_id("attach-file").set_input_files(
                {"name": "label.txt", "mimeType": "text/plain", "buffer": b"return label"}
            )
            await page.get_by_test_id("attachment-chip").filter(has_text="label.txt").wait_for()
            await page.get_by_test_id("reply-input").fill("Your return label")
            await shot(page, f"attach-{name}-composer.png")
            await page.get_by_test_id("reply-input").press("Enter")
            await customer.expect("message", lambda f: f.get("text") == "Your return label")
            # The hub stored the reply with its file (a web chat visitor is not shown files).
            mine = (
                page.get_by_test_id("thread")
                .get_by_test_id("message")
                .filter(has_text="Your return label")
            )
            await mine.locator("a", has_text="label.txt").wait_for()
            await page.get_by_test_id("attachment-chip").wait_for(state="detached")

            # `@` in a note offers the agents; the note names Bob, whose console says so.
            await bob_page.evaluate("window.__hidden = true")
            await page.get_by_test_id("composer-mode-note").click()
            await page.keyboard.type("Ask @Bo")
            await page.get_by_test_id("suggest-item").filter(has_text="Bob Stone").wait_for()
            await shot(page, f"mention-{name}-menu.png")
            await page.keyboard.press("Enter")
            await page.keyboard.type("about the refund")
            assert await page.get_by_test_id("note-input").input_value() == (
                "Ask @Bob Stone about the refund"
            )
            await page.keyboard.press("Enter")
            note = page.get_by_test_id("thread").get_by_test_id("note")
            await note.filter(has_text="@Bob Stone about the refund").wait_for()

            toast = bob_page.get_by_test_id("mention-toast")
            await toast.filter(has_text="Ann mentioned you").wait_for()
            await bob_page.wait_for_function("() => window.__notifications.length > 0")
            made = await bob_page.evaluate("window.__notifications")
            assert made[0]["title"] == "Ann mentioned you"
            await bob_page.evaluate("window.__hidden = false")
            await shot(bob_page, f"mention-{name}-toast.png")
            await bob_page.get_by_test_id("mention-open").click()
            await bob_page.get_by_test_id("past-bar").filter(has_text="with Ann").wait_for()
            await (
                bob_page.get_by_test_id("thread")
                .get_by_test_id("message")
                .filter(has_text="Hello there")
                .wait_for()
            )
            assert await bob_page.get_by_test_id("take").is_hidden()
            # The note that named him shows in the thread (it comes with the timeline).
            await (
                bob_page.get_by_test_id("thread")
                .get_by_test_id("note")
                .filter(has_text="@Bob Stone about the refund")
                .wait_for()
            )
            await shot(bob_page, f"mention-{name}-opened.png")
            assert await fits(bob_page, size["width"])
            await customer.close()
    finally:
        await hub.stop()
