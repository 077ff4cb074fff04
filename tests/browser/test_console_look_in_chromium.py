"""In headless Chromium, the console's look and keys: an agent works an offer with the
keyboard only (accept, reply, note, resolve), notes show inline, the timeline condenses a
routing step into one row and opens a past conversation read-only, the theme follows the
system or the agent's choice, the page fits a 390 px phone, and an offer raises a desktop
notification while the page is hidden. Screenshots go to tests/browser/artifacts/."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import aiohttp

from tests.browser.console_page import sign_in
from tests.harness import RunningHub, connect_customer

ARTIFACTS = Path(__file__).parent / "artifacts"
PHONE = {"width": 390, "height": 844}

# Records every Notification the page constructs, and lets the test hide the page.
NOTIFICATION_SPY = """
window.__notifications = [];
window.__hidden = false;
const RealNotification = window.Notification;
function SpyNotification(title, options) {
  window.__notifications.push({ title, body: (options && options.body) || '' });
  try { return new RealNotification(title, options); }
  catch { return Object.assign(new EventTarget(), { close() {} }); }
}
Object.defineProperty(SpyNotification, 'permission', { get: () => RealNotification.permission });
window.__asked = 0;
SpyNotification.requestPermission = () => {
  window.__asked += 1;
  return RealNotification.requestPermission();
};
window.Notification = SpyNotification;
Object.defineProperty(document, 'visibilityState', {
  configurable: true, get: () => (window.__hidden ? 'hidden' : 'visible'),
});
"""


async def shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    await page.screenshot(path=str(ARTIFACTS / name))


async def background(page: Any) -> str:
    return str(await page.evaluate("getComputedStyle(document.body).backgroundColor"))


async def fits(page: Any, width: int) -> bool:
    return bool(await page.evaluate(f"document.documentElement.scrollWidth <= {width}"))


async def settle_offer(page: Any) -> None:
    await page.get_by_test_id("offer").first.evaluate(
        "card => Promise.all(card.getAnimations().map((a) => a.finished))"
    )


async def test_keyboard_only_accept_reply_note_resolve_and_a_past_conversation(
    browser: Any,
    hub: RunningHub,
) -> None:
    ann = await hub.add_agent("Ann")
    async with aiohttp.ClientSession() as http:
        customer = await connect_customer(http, hub, name="Carol")
        await customer.say("Where is my parcel?")
        page = await (await browser.new_context(color_scheme="light")).new_page()
        await page.set_viewport_size({"width": 1400, "height": 860})
        await sign_in(page, hub, ann)
        await page.get_by_test_id("offer").wait_for()
        await settle_offer(page)
        await shot(page, "console-light-desktop-offer.png")

        await page.keyboard.press("Escape")  # leave the presence picker
        await page.keyboard.press("?")
        dialog = page.get_by_test_id("shortcuts-dialog")
        await dialog.wait_for()
        assert "Accept the top offer" in await dialog.inner_text()
        await shot(page, "console-light-shortcuts.png")
        await page.keyboard.press("Escape")
        await dialog.wait_for(state="hidden")

        await page.keyboard.press("a")
        reply = page.get_by_test_id("reply-input")
        await page.locator("#reply-input:focus").wait_for()
        await page.keyboard.type("It ships today.")
        await page.keyboard.press("Enter")
        await customer.expect("message", lambda f: f.get("text") == "It ships today.")

        await page.keyboard.press("Escape")  # out of the reply box: keys work again
        await page.keyboard.press("n")
        await page.locator("#note-input:focus").wait_for()
        await page.keyboard.type("VIP: refund if late")
        await page.keyboard.press("Enter")
        note = page.get_by_test_id("thread").get_by_test_id("note")
        await note.filter(has_text="VIP: refund if late").wait_for()
        assert (await note.inner_text()).lower().startswith("internal note")
        # The routing step reads as one row: offered, accepted, assigned.
        routing = page.locator("[data-testid=timeline-entry][data-kind=routing]")
        await routing.filter(has_text="Offered to you · accepted · assigned").wait_for()
        await shot(page, "console-light-desktop-thread.png")

        await page.keyboard.press("Escape")
        await page.keyboard.press("e")
        banner = page.get_by_test_id("conversation-banner")
        await banner.filter(has_text="This conversation is resolved.").wait_for()
        assert await reply.is_disabled()

        # Carol writes again: a new conversation. Accept it, then open the past one
        # from the timeline: read-only, with its messages and its note.
        await customer.say("One more thing")
        await page.get_by_test_id("offer").wait_for()
        await page.keyboard.press("a")
        await page.get_by_test_id("message").filter(has_text="One more thing").wait_for()
        await page.keyboard.press("Escape")
        # j / k walk the list as shown: the open one first, the resolved one below it.
        selected = page.locator("[data-testid=conversation-item][aria-current=true]")
        await selected.and_(page.locator("[data-status=open]")).wait_for()
        await page.keyboard.press("j")
        await selected.and_(page.locator("[data-status=resolved]")).wait_for()
        await page.keyboard.press("Escape")
        await page.keyboard.press("k")
        await selected.and_(page.locator("[data-status=open]")).wait_for()
        await page.keyboard.press("Escape")
        # / focuses the search box, which filters the list; Escape clears it.
        await page.keyboard.press("/")
        await page.locator("#search-input:focus").wait_for()
        await page.keyboard.type("nobody-like-this")
        await page.get_by_test_id("search-empty").wait_for()
        assert await page.get_by_test_id("conversation-item").count() == 0
        await page.keyboard.press("Escape")
        await page.get_by_test_id("search-empty").wait_for(state="hidden")
        assert await page.get_by_test_id("conversation-item").count() == 2
        # Once the resolved one leaves the list it is a past conversation, not ours.
        await page.get_by_test_id("conversation-dismiss").click()
        past = page.locator("[data-testid=timeline-entry].tl-past").first
        await past.wait_for()
        await past.click()
        await page.get_by_test_id("past-bar").wait_for()
        thread = page.get_by_test_id("thread")
        await thread.get_by_test_id("message").filter(has_text="It ships today.").wait_for()
        await thread.get_by_test_id("note").filter(has_text="VIP: refund if late").wait_for()
        assert await page.locator("#composer").is_hidden()
        assert await page.get_by_test_id("resolve").is_hidden()
        await shot(page, "console-light-desktop-past.png")
        await page.get_by_test_id("past-close").click()
        await thread.get_by_test_id("message").filter(has_text="One more thing").wait_for()
        assert await page.locator("#composer").is_visible()
        await customer.close()


async def test_dark_mode_follows_the_system_and_the_toggle_is_remembered(
    browser: Any,
    hub: RunningHub,
) -> None:
    ann = await hub.add_agent("Ann")
    async with aiohttp.ClientSession() as http:
        customer = await connect_customer(http, hub, name="Dana")
        await customer.say("Hello from the dark side")
        context = await browser.new_context(color_scheme="dark")
        page = await context.new_page()
        await page.set_viewport_size({"width": 1400, "height": 860})
        await sign_in(page, hub, ann)
        await page.get_by_test_id("offer").wait_for()
        await settle_offer(page)
        assert await background(page) == "rgb(14, 18, 24)"  # the dark --bg
        await shot(page, "console-dark-desktop-offer.png")
        await page.get_by_test_id("offer-accept").click()
        await page.get_by_test_id("message").filter(has_text="dark side").wait_for()
        await page.get_by_test_id("composer-mode-note").click()
        await page.get_by_test_id("note-input").fill("Asked twice already")
        await page.get_by_test_id("note-send").click()
        await page.get_by_test_id("note").filter(has_text="Asked twice").wait_for()
        await page.get_by_test_id("timeline-entry").filter(has_text="noted").wait_for()
        await shot(page, "console-dark-desktop-thread.png")

        toggle = page.get_by_test_id("theme-toggle")
        assert await toggle.get_attribute("data-theme-choice") == "system"
        await toggle.click()  # system -> light, though the system is dark
        assert await toggle.get_attribute("data-theme-choice") == "light"
        assert await background(page) == "rgb(243, 245, 248)"
        await page.reload()
        await page.get_by_test_id("agent-name").wait_for()
        assert await background(page) == "rgb(243, 245, 248)"  # remembered
        await page.get_by_test_id("theme-toggle").click()  # light -> dark
        assert await background(page) == "rgb(14, 18, 24)"
        await page.get_by_test_id("theme-toggle").click()  # dark -> system (dark)
        assert await page.evaluate("localStorage.getItem('contacthub.theme')") is None
        await customer.close()


async def test_the_console_fits_a_phone_and_every_pane_is_reachable(
    browser: Any,
    hub: RunningHub,
) -> None:
    ann = await hub.add_agent("Ann")
    async with aiohttp.ClientSession() as http:
        customer = await connect_customer(http, hub, name="Evangeline Featherstonehaugh-Smythe")
        await customer.say("A rather long first message " * 6)
        for scheme in ("light", "dark"):
            context = await browser.new_context(
                viewport=PHONE, color_scheme=scheme, has_touch=True, is_mobile=True
            )
            page = await context.new_page()
            await sign_in(page, hub, ann)
            item = page.get_by_test_id("conversation-item").first
            if scheme == "light":
                await page.get_by_test_id("offer").wait_for()
                await settle_offer(page)
                assert await fits(page, 390)
                await shot(page, "console-light-390-offer.png")
                await page.get_by_test_id("offer-accept").tap()
            else:
                await item.tap()
            # The open conversation shows its thread, alone.
            await page.get_by_test_id("reply-input").wait_for()
            assert await page.get_by_test_id("pane-inbox").is_hidden()
            assert await fits(page, 390)
            await shot(page, f"console-{scheme}-390-thread.png")
            await page.get_by_test_id("pane-tab-inbox").tap()
            await item.wait_for()
            assert await page.get_by_test_id("pane-thread").is_hidden()
            assert await fits(page, 390)
            await shot(page, f"console-{scheme}-390-inbox.png")
            await item.tap()
            await page.get_by_test_id("reply-input").wait_for()
            await page.get_by_test_id("pane-tab-customer").click()
            await page.get_by_test_id("customer-info").filter(has_text="Evangeline").wait_for()
            assert await page.get_by_test_id("pane-thread").is_hidden()
            assert await fits(page, 390)
            await shot(page, f"console-{scheme}-390-customer.png")
            await page.get_by_test_id("pane-tab-thread").click()
            await page.get_by_test_id("conv-back").click()
            await page.get_by_test_id("pane-inbox").wait_for()
            assert await fits(page, 390)
            await context.close()
        await customer.close()


async def test_an_offer_to_a_hidden_page_raises_a_notification_with_the_wait(
    browser: Any,
    hub: RunningHub,
) -> None:
    ann = await hub.add_agent("Ann")
    context = await browser.new_context(permissions=["notifications"])
    await context.add_init_script(NOTIFICATION_SPY)
    page = await context.new_page()
    await sign_in(page, hub, ann)
    await (
        page.get_by_test_id("offers-empty")
        .filter(has_text="No offers right now — you're available")
        .wait_for()
    )
    # Permission granted already: no button asking for it.
    assert await page.get_by_test_id("notify-enable").is_hidden()
    await page.evaluate("window.__hidden = true")
    async with aiohttp.ClientSession() as http:
        customer = await connect_customer(http, hub, name="Finn")
        await customer.say("Are you there?")
        waited = page.get_by_test_id("offer").get_by_test_id("offer-waited")
        await waited.wait_for()
        await page.wait_for_function("() => window.__notifications.length > 0")
        made = await page.evaluate("window.__notifications")
        body = "Finn (webchat · general): Are you there?"
        assert made == [{"title": "New conversation offer", "body": body}]
        assert re.fullmatch(r"waiting \d+s", await waited.inner_text())
        # It counts on, live.
        first = await waited.inner_text()
        await page.wait_for_function(
            "(t) => document.querySelector('[data-testid=offer-waited]').textContent !== t",
            arg=first,
        )
        await customer.close()


async def test_the_notification_permission_is_asked_from_the_button_never_on_load(
    browser: Any,
    hub: RunningHub,
) -> None:
    ann = await hub.add_agent("Ann")
    context = await browser.new_context()  # the browser has not been asked yet
    await context.add_init_script(NOTIFICATION_SPY)
    page = await context.new_page()
    await sign_in(page, hub, ann)
    button = page.get_by_test_id("notify-enable")
    await button.wait_for()
    assert await page.evaluate("window.__asked") == 0
    await button.click()
    await page.wait_for_function("() => window.__asked === 1")


async def test_the_supervisor_page_in_both_themes_and_on_a_phone(
    browser: Any,
    hub: RunningHub,
) -> None:
    await hub.add_agent("Bob")
    sue = await hub.add_agent("Sue", role="supervisor")
    async with aiohttp.ClientSession() as http:
        customer = await connect_customer(http, hub, name="Gwendolyn Abernathy")
        await customer.say("Waiting here")
        for scheme, viewport, size in (
            ("light", {"width": 1400, "height": 860}, "desktop"),
            ("dark", {"width": 1400, "height": 860}, "desktop"),
            ("light", PHONE, "390"),
            ("dark", PHONE, "390"),
        ):
            context = await browser.new_context(viewport=viewport, color_scheme=scheme)
            page = await context.new_page()
            await page.goto(f"{hub.url}/supervisor")
            await page.get_by_test_id("login-email").fill(sue["email"])
            await page.get_by_test_id("login-password").fill(sue["password"])
            await page.get_by_test_id("login-submit").click()
            row = page.get_by_test_id("conversation-row").filter(has_text="Gwendolyn")
            await row.wait_for()
            assert await page.get_by_test_id("theme-toggle").is_visible()
            if size == "390":
                assert await fits(page, 390)  # the tables scroll inside their cards
            await shot(page, f"supervisor-{scheme}-{size}.png")
            await context.close()
        await customer.close()
