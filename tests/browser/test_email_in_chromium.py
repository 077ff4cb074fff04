"""In headless Chromium: an email conversation shows the sanitized formatted version and the
quoted history, a mail that could not be parsed fully says so, and a reply the SMTP server
refuses is shown as failed with the server's reason."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.browser.console_page import sign_in
from tests.channels.email import shapes
from tests.channels.email.conftest import dovecot, mailbox, smtp_server  # noqa: F401
from tests.channels.email.dovecot import Dovecot
from tests.channels.email.hubs import email_settings
from tests.channels.email.mailbox import TestMailbox
from tests.channels.email.smtp_server import SmtpServer
from tests.harness import RunningHub

CAROL = "carol@customer.test"


async def test_email_in_the_console(
    browser: Any,
    tmp_path: Path,
    sqlite_url: str,
    dovecot: Dovecot,  # noqa: F811
    mailbox: TestMailbox,  # noqa: F811
    smtp_server: SmtpServer,  # noqa: F811
) -> None:
    hub = await RunningHub(email_settings(tmp_path, sqlite_url, dovecot, smtp_server)).start()
    try:
        ann = await hub.add_agent("Ann")
        await mailbox.deliver(shapes.first_mail(CAROL, message_id="<c1@customer.test>"))
        context = await browser.new_context()
        blocked: list[str] = []  # the hub's CSP must not stop the sanitized mail rendering
        context.on("console", lambda m: blocked.append(m.text) if "Policy" in m.text else None)
        page = await context.new_page()
        await sign_in(page, hub, ann)
        await page.get_by_test_id("offer").get_by_test_id("offer-accept").click()
        await page.get_by_test_id("conversation-item").first.click()
        await page.get_by_test_id("message").filter(has_text="order 1234").wait_for()

        smtp_server.handler.answers = ["554 5.7.1 Relay access denied"]
        await page.get_by_test_id("reply-input").fill("We are on it.")
        await page.get_by_test_id("reply-send").click()
        await (
            page.get_by_test_id("delivery")
            .filter(has_text="failed: SMTP 554 5.7.1 Relay access denied")
            .wait_for()
        )

        html_reply = shapes.gmail_reply(
            CAROL,
            shapes.SUPPORT,
            "My order has not arrived",
            "c1@customer.test",
            ["c1@customer.test"],
            "Found it <img src=x onerror=alert(1)>",
        )
        await mailbox.deliver(html_reply)
        message = page.get_by_test_id("message").filter(has_text="Found it")
        await message.wait_for()
        await message.get_by_text("Formatted").click()
        formatted = message.get_by_test_id("message-html")
        html = await formatted.inner_html()
        assert "Found it" in html and "onerror" not in html and "alert" not in html
        assert await formatted.get_by_text("Found it").is_visible()
        await message.screenshot(path=str(tmp_path / "email-formatted-under-csp.png"))
        await message.get_by_text("Quoted history").click()
        await message.get_by_text("We are looking into it.").first.wait_for()

        await mailbox.deliver(
            b"From: carol@customer.test\r\nIn-Reply-To: <c1@customer.test>\r\n"
            b"Subject: \xff broken\r\n\r\nstill here\r\n"
        )
        broken = page.get_by_test_id("message").filter(has_text="still here")
        await (
            broken.get_by_test_id("parse-error").filter(has_text="Could not parse fully").wait_for()
        )
        await page.screenshot(path=str(tmp_path / "console-email.png"), full_page=True)
        assert blocked == []
    finally:
        await hub.stop()


async def test_remote_images_in_mail_load_only_when_asked_and_send_no_referer(
    browser: Any,
    tmp_path: Path,
    sqlite_url: str,
    dovecot: Dovecot,  # noqa: F811
    mailbox: TestMailbox,  # noqa: F811
    smtp_server: SmtpServer,  # noqa: F811
) -> None:
    """A tracking pixel learned that, when and from where a conversation was opened (and the
    hub's address, from the Referer). Now it is blocked until the agent loads it."""
    from aiohttp import web

    from tests.channels.twilio.conftest import serving

    fetched: list[dict[str, str]] = []

    async def pixel(request: web.Request) -> web.Response:
        fetched.append(dict(request.headers))
        return web.Response(body=b"GIF89a", content_type="image/gif")

    tracker = web.Application()
    tracker.router.add_get("/p.gif", pixel)
    async with serving(tracker) as tracker_url:
        hub = await RunningHub(email_settings(tmp_path, sqlite_url, dovecot, smtp_server)).start()
        try:
            ann = await hub.add_agent("Ann")
            html = f'<p>Order 77</p><img src="{tracker_url}/p.gif?who=carol" width="1">'
            await mailbox.deliver(shapes.html_mail(CAROL, "Where is order 77?", html))
            page = await (await browser.new_context()).new_page()
            await sign_in(page, hub, ann)
            await page.get_by_test_id("offer").get_by_test_id("offer-accept").click()
            await page.get_by_test_id("conversation-item").first.click()
            message = page.get_by_test_id("message").filter(has_text="Order 77")
            await message.wait_for()
            await message.get_by_text("Formatted", exact=True).click()
            blocked = message.get_by_test_id("remote-images")
            await blocked.filter(has_text="1 remote image blocked").wait_for()
            await page.screenshot(path=str(tmp_path / "console-email-remote-blocked.png"))
            assert fetched == []  # opening the conversation fetched nothing
            await message.get_by_test_id("remote-images-load").click()
            await page.wait_for_function("() => document.querySelector('.msg-html img').complete")
            assert len(fetched) == 1
            assert "Referer" not in fetched[0]  # and told the sender nothing about the hub
        finally:
            await hub.stop()
