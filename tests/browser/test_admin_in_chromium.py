"""In headless Chromium, the administration page (/admin): an admin creates an agent who then
signs in to the console, edits a queue, makes a label and a canned response, sees an API
error next to its field, and finds every change in the audit log; the page fits a 390 px
phone (tables become cards) in light and dark. A supervisor sees labels and canned responses
only. Screenshots go to tests/browser/artifacts/."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.browser.console_page import sign_in
from tests.browser.test_console_look_in_chromium import PHONE, fits, shot
from tests.harness import RunningHub


async def admin_page(browser: Any, hub: RunningHub, who: dict[str, str], **context: Any) -> Any:
    page = await (await browser.new_context(**context)).new_page()
    page.on("dialog", lambda d: d.accept())  # confirm() of a delete
    await page.goto(f"{hub.url}/admin")
    await page.get_by_test_id("login-email").fill(who["email"])
    await page.get_by_test_id("login-password").fill(who["password"])
    await page.get_by_test_id("login-submit").click()
    return page


async def test_an_admin_creates_an_agent_edits_a_queue_and_audits_it(
    browser: Any,
    hub: RunningHub,
) -> None:
    root = await hub.add_agent("Root", role="admin")
    page = await admin_page(browser, hub, root, color_scheme="light")
    await page.set_viewport_size({"width": 1300, "height": 900})
    await page.get_by_test_id("agent-row").filter(has_text="Root").wait_for()

    # A field error: the email is used already (409 naming `email`), shown by its field.
    form = page.get_by_test_id("agent-form")
    await page.get_by_test_id("agent-name-input").fill("Dora Explorer")
    await page.get_by_test_id("agent-email-input").fill(root["email"])
    await page.get_by_test_id("agent-save").click()
    error = form.locator("label", has=page.get_by_test_id("agent-email-input"))
    await error.get_by_test_id("field-error").wait_for()
    await shot(page, "admin-light-desktop-field-error.png")

    await page.get_by_test_id("agent-email-input").fill("dora@example.test")
    await page.get_by_test_id("agent-skills-input").fill("billing, spanish")
    await page.get_by_test_id("agent-password-input").fill("correct horse battery")
    await page.get_by_test_id("agent-save").click()
    shown = page.get_by_test_id("password-value").filter(has_text="correct horse battery")
    await shown.wait_for()  # shown once, to hand over
    await page.get_by_test_id("password-close").click()
    dora = page.get_by_test_id("agent-row").filter(has_text="Dora Explorer")
    await dora.filter(has_text="billing, spanish").wait_for()
    assert await form.get_by_test_id("field-error").count() == 0

    # The queue: a shorter target and only chat.
    queue = page.locator("[data-testid=queue-row][data-queue=general]")
    await queue.get_by_test_id("queue-edit").click()
    await page.get_by_test_id("queue-sl-input").fill("45")
    for channel in ("email", "sms", "voice"):
        await page.locator(f"#queue-form input[value={channel}]").uncheck()
    await page.get_by_test_id("queue-policy-input").select_option("round_robin")
    await page.get_by_test_id("queue-save").click()
    await queue.filter(has_text="45 s").filter(has_text="round robin").wait_for()
    assert "webchat" in await queue.inner_text()
    # Deleting the last queue is refused, and the page says why.
    await queue.get_by_test_id("queue-delete").click()
    await page.get_by_test_id("toast").filter(has_text="Cannot delete general").wait_for()

    await page.get_by_test_id("label-name-input").fill("vip")
    await page.get_by_test_id("label-description-input").fill("Top customers")
    await page.get_by_test_id("label-save").click()
    await page.get_by_test_id("label-row").filter(has_text="Top customers").wait_for()

    await page.get_by_test_id("canned-code-input").fill("thanks")
    await page.get_by_test_id("canned-title-input").fill("Thank you")
    await page.get_by_test_id("canned-text-input").fill("Thanks {name}, {agent} here.")
    await page.get_by_test_id("canned-save").click()
    await page.get_by_test_id("canned-row").filter(has_text="/thanks").wait_for()

    # The audit log lists the changes, and filters by kind.
    await page.get_by_test_id("audit-refresh").click()
    audit = page.get_by_test_id("audit-row")
    await audit.filter(has_text="agent created").filter(has_text="Dora Explorer").wait_for()
    await audit.filter(has_text="queue updated").filter(has_text="45").wait_for()
    await page.get_by_test_id("audit-kind").select_option("queue_updated")
    await page.locator("[data-testid=audit-row]:not([data-kind=queue_updated])").first.wait_for(
        state="detached"
    )
    await shot(page, "admin-light-desktop.png")
    await page.get_by_test_id("audit-section").screenshot(
        path=str(Path(__file__).parent / "artifacts" / "admin-light-desktop-audit.png")
    )

    # Dora signs in to the console with the password she was given.
    console = await (await browser.new_context()).new_page()
    dora_login = {"email": "dora@example.test", "password": "correct horse battery"}
    await sign_in(console, hub, dora_login)
    assert await console.get_by_test_id("agent-name").inner_text() == "Dora Explorer"
    assert await console.get_by_test_id("admin-link").is_hidden()

    for scheme, viewport, size in (
        ("dark", {"width": 1300, "height": 900}, "desktop"),
        ("light", PHONE, "390"),
        ("dark", PHONE, "390"),
    ):
        other = await admin_page(browser, hub, root, viewport=viewport, color_scheme=scheme)
        await other.get_by_test_id("agent-row").filter(has_text="Dora").wait_for()
        await other.get_by_test_id("audit-row").first.wait_for()
        if size == "390":
            assert await fits(other, 390)
        await shot(other, f"admin-{scheme}-{size}.png")
        await other.context.close()


async def test_a_supervisor_sees_labels_and_canned_responses_only(
    browser: Any,
    hub: RunningHub,
) -> None:
    sue = await hub.add_agent("Sue", role="supervisor")
    page = await admin_page(browser, hub, sue, viewport=PHONE, color_scheme="dark")
    await page.get_by_test_id("labels-section").wait_for()
    assert await page.get_by_test_id("agents-section").is_hidden()
    assert await page.get_by_test_id("audit-section").is_hidden()
    await page.locator("#labels-empty").wait_for()  # the empty state says what labels are
    await page.get_by_test_id("label-name-input").fill("bad/name")
    await page.get_by_test_id("label-save").click()
    field = page.locator("label", has=page.get_by_test_id("label-name-input"))
    hint = field.get_by_test_id("field-error").filter(has_text="cannot contain a slash")
    await hint.wait_for()
    assert await fits(page, 390)
    await shot(page, "admin-dark-390-supervisor.png")
