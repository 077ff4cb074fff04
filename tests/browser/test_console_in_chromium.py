"""In headless Chromium: an agent logs in to the console, goes available, accepts the offer
and replies, while a second page plays the customer through the embedded widget."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from storage import open_store
from tests.browser.console_page import sign_in
from tests.harness import RunningHub, make_settings


async def test_agent_and_customer_in_the_browser(
    browser: Any, tmp_path: Path, hub: RunningHub
) -> None:
    ann = await hub.add_agent("Ann")
    customer = await (await browser.new_context()).new_page()
    # What a host page may say of its visitor: the email is a claim, nobody proved it.
    await customer.add_init_script(
        "window.ContactHub = { name: 'Carol', email: 'carol@customer.test' };"
    )
    await customer.goto(f"{hub.url}/chat")
    await customer.get_by_test_id("chat-launcher").click()
    await customer.get_by_test_id("chat-input").fill("Hi, where is my parcel?")
    await customer.get_by_test_id("chat-send").click()
    await (
        customer.get_by_test_id("chat-message")
        .filter(has_text="Hi, where is my parcel?")
        .wait_for()
    )

    agent = await (await browser.new_context()).new_page()
    await sign_in(agent, hub, ann)

    offer = agent.get_by_test_id("offer")
    await offer.wait_for()
    await offer.get_by_test_id("offer-accept").click()
    await agent.get_by_test_id("conversation-item").first.click()
    await agent.get_by_test_id("message").filter(has_text="Hi, where is my parcel?").wait_for()
    await agent.get_by_test_id("reply-input").fill("It arrives tomorrow.")
    await agent.get_by_test_id("reply-send").click()

    reply = customer.get_by_test_id("chat-message").filter(has_text="It arrives tomorrow.")
    await reply.wait_for()
    assert "Ann" in await customer.get_by_test_id("chat-agent").inner_text()

    # The customer writes again; the console shows it live, with no refresh.
    await customer.get_by_test_id("chat-input").fill("Thanks!")
    await customer.get_by_test_id("chat-send").click()
    await agent.get_by_test_id("message").filter(has_text="Thanks!").wait_for()
    # The customer panel: the visitor token is never shown, the typed email is a claim.
    identities = agent.get_by_test_id("customer-identity")
    await identities.filter(has_text="(unverified)").wait_for()
    assert await identities.all_inner_texts() == [
        "web visitor",
        "email: carol@customer.test (unverified)",
    ]
    await agent.screenshot(path=str(tmp_path / "console.png"))
    await customer.screenshot(path=str(tmp_path / "widget-chatting.png"))


async def test_the_widget_waits_out_a_rate_limit_and_resends(
    browser: Any, tmp_path: Path, sqlite_url: str
) -> None:
    """A visitor typing faster than `visitor_message_rate` allows: the hub refuses with
    rate_limited and retry_after, the widget keeps those messages pending, says so, and
    sends them again when told; every one is delivered once."""
    settings = make_settings(
        tmp_path, sqlite_url, channels__webchat__visitor_message_rate="2/2 seconds"
    )
    hub = await RunningHub(settings).start()
    try:
        customer = await (await browser.new_context()).new_page()
        await customer.goto(f"{hub.url}/chat")
        await customer.get_by_test_id("chat-launcher").click()
        texts = [f"message {n}" for n in range(5)]
        for text in texts:
            await customer.get_by_test_id("chat-input").fill(text)
            await customer.get_by_test_id("chat-send").click()
        notice = customer.get_by_test_id("chat-notice")
        await notice.filter(has_text="Sending too fast").wait_for()
        await customer.screenshot(path=str(tmp_path / "widget-rate-limited.png"))
        bubbles = customer.get_by_test_id("chat-message")
        sent = bubbles.and_(customer.locator("[data-state=sent]"))
        await sent.nth(len(texts) - 1).wait_for(timeout=20_000)
        for text in texts:  # each shown once, none failed
            assert await bubbles.filter(has_text=text).count() == 1
        assert await customer.locator("[data-state=failed]").count() == 0
        async with open_store(hub.settings.database_url) as store:
            conversation = (await store.reader.unresolved())[0]
            stored = [m.text for m in await store.reader.messages(conversation.id)]
        assert stored == texts
        assert not await notice.inner_text()  # nothing left waiting
        await customer.screenshot(path=str(tmp_path / "widget-rate-limit-resent.png"))
    finally:
        await hub.stop()


async def test_an_offer_card_shows_the_wait_and_missed_offers_set_the_agent_away(
    browser: Any, tmp_path: Path, sqlite_url: str
) -> None:
    settings = make_settings(tmp_path, sqlite_url, routing__offer_timeout_seconds="3")
    hub = await RunningHub(settings).start()
    try:
        ann = await hub.add_agent("Ann")
        customer = await (await browser.new_context()).new_page()
        await customer.goto(f"{hub.url}/chat")
        await customer.get_by_test_id("chat-launcher").click()
        await customer.get_by_test_id("chat-input").fill("Hello, anyone?")
        await customer.get_by_test_id("chat-send").click()
        await customer.get_by_test_id("chat-message").filter(has_text="Hello, anyone?").wait_for()

        agent = await (await browser.new_context()).new_page()
        await sign_in(agent, hub, ann)

        waited = agent.get_by_test_id("offer").get_by_test_id("offer-waited")
        await waited.wait_for()
        # "waiting 2s", then "waiting 1m 20s": read at a glance.
        assert re.fullmatch(r"waiting \d+s", await waited.inner_text())
        # The card slides in; let it settle before the picture.
        await agent.get_by_test_id("offer").evaluate(
            "card => Promise.all(card.getAnimations().map((a) => a.finished))"
        )
        await agent.screenshot(path=str(tmp_path / "console-offer-waiting.png"))

        # Nobody answers: after two offers time out, Ann is set away and told why.
        notice = agent.get_by_test_id("toast").filter(has_text="You were set to away")
        await notice.wait_for(timeout=15_000)
        assert "2 offers in a row went unanswered" in await notice.inner_text()
        badge = agent.locator("#me-status[data-status=away]")
        await badge.wait_for()
        assert await agent.get_by_test_id("offer").count() == 0
        await agent.screenshot(path=str(tmp_path / "console-set-away.png"))
    finally:
        await hub.stop()
