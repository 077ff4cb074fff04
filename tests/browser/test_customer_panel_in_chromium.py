"""In headless Chromium, the console's customer panel: the 360° profile of the open
conversation's customer, edited in place (name, attributes, labels); a supervisor merges a
duplicate into it from the panel, then undoes the merge from the toast and the profile is as
it was. At desktop and 390 px, light and dark. Screenshots go to tests/browser/artifacts/."""

from __future__ import annotations

from typing import Any

import aiohttp

from tests.browser.console_page import sign_in
from tests.browser.test_console_look_in_chromium import PHONE, fits, shot
from tests.harness import RunningHub, connect_customer, login

DESKTOP = {"width": 1400, "height": 900}


async def open_customer(page: Any, hub: RunningHub, who: dict[str, str], phone: bool) -> Any:
    await sign_in(page, hub, who)
    offer = page.get_by_test_id("offer").filter(has_text="Carol Jones")
    await offer.get_by_test_id("offer-accept").click()
    await page.get_by_test_id("conversation-item").filter(has_text="Carol Jones").click()
    if phone:
        await page.get_by_test_id("pane-tab-customer").click()
    info = page.get_by_test_id("customer-info")
    await info.get_by_test_id("customer-name").filter(has_text="Carol Jones").wait_for()
    return info


async def test_the_profile_is_edited_in_place_and_a_merge_is_undone(
    browser: Any,
    hub: RunningHub,
) -> None:
    sue = await hub.add_agent("Sue", role="supervisor")
    async with aiohttp.ClientSession() as http:
        carol = await connect_customer(http, hub, name="Carol Jones", email="carol@x.test")
        await carol.say("My order is late")
        page = await (await browser.new_context(color_scheme="light")).new_page()
        await page.set_viewport_size(DESKTOP)
        info = await open_customer(page, hub, sue, phone=False)
        identities = info.get_by_test_id("customer-identity")
        assert await identities.all_inner_texts() == [
            "web visitor",
            "email: carol@x.test (unverified)",
        ]
        conversations = info.get_by_test_id("customer-conversation")
        assert await conversations.count() == 1

        # The name, inline.
        await info.get_by_test_id("customer-name-edit-open").click()
        await info.get_by_test_id("customer-name-input").fill("Carol Jones-Baker")
        await info.get_by_test_id("customer-name-input").press("Enter")
        await info.get_by_test_id("customer-name").filter(has_text="Jones-Baker").wait_for()

        # Attributes: add two, edit one, remove the other.
        for key, value in (("plan", "gold"), ("city", "Leeds")):
            await info.get_by_test_id("attribute-add-open").click()
            await info.get_by_test_id("attribute-key-input").fill(key)
            await info.get_by_test_id("attribute-value-input").fill(value)
            await info.get_by_test_id("attribute-add-save").click()
            await info.locator(f"[data-testid=customer-attribute][data-key={key}]").wait_for()
        plan = info.locator("[data-testid=customer-attribute][data-key=plan]")
        await plan.get_by_test_id("attribute-edit-open").click()
        await plan.get_by_test_id("attribute-value-input").fill("platinum")
        await plan.get_by_test_id("attribute-edit-save").click()
        await plan.filter(has_text="platinum").wait_for()
        city = info.locator("[data-testid=customer-attribute][data-key=city]")
        await city.get_by_test_id("attribute-remove").click()
        await city.wait_for(state="detached")

        # Labels: chips, added with Enter, removed with the cross.
        for label in ("vip", "late-delivery"):
            await info.get_by_test_id("customer-label-input").fill(label)
            await info.get_by_test_id("customer-label-input").press("Enter")
            await info.locator(f"[data-testid=customer-label][data-label={label}]").wait_for()
        late = info.locator("[data-testid=customer-label][data-label=late-delivery]")
        await late.get_by_test_id("customer-label-remove").click()
        await late.wait_for(state="detached")
        token = await login(http, hub, sue)
        async with http.get(
            f"{hub.url}/api/v1/customers",
            params={"q": "carol@x.test"},
            headers={"Authorization": f"Bearer {token}"},
        ) as r:
            (saved,) = (await r.json())["customers"]
        assert saved["customer"]["display_name"] == "Carol Jones-Baker"
        assert saved["attributes"] == {"plan": "platinum"}
        assert saved["labels"] == ["vip"]
        await shot(page, "customer-panel-light-desktop.png")

        # A duplicate writes in; the supervisor merges it into Carol from the panel.
        dup = await connect_customer(http, hub, name="C. Jones", email="cj@y.test")
        await dup.say("Hello again")
        await info.get_by_test_id("merge-open").click()
        dialog = page.get_by_test_id("merge-dialog")
        await dialog.get_by_test_id("merge-search").fill("cj@y.test")
        await dialog.get_by_test_id("merge-result").filter(has_text="C. Jones").click()
        summary = await dialog.get_by_test_id("merge-summary").inner_text()
        assert summary.startswith("2 identities and 1 conversation move from C. Jones")
        await shot(page, "customer-panel-light-desktop-merge-confirm.png")
        await dialog.get_by_test_id("merge-confirm").click()
        toast = page.get_by_test_id("toast").filter(has_text="Merged C. Jones")
        await toast.wait_for()
        await identities.filter(has_text="cj@y.test").wait_for()
        assert await identities.count() == 4
        await conversations.nth(1).wait_for()
        assert await conversations.count() == 2
        await info.get_by_test_id("merge-undo-profile").wait_for()
        await shot(page, "customer-panel-light-desktop-merged.png")

        await toast.get_by_test_id("merge-undo").click()
        await identities.filter(has_text="cj@y.test").wait_for(state="detached")
        assert await identities.count() == 2
        assert await conversations.count() == 1
        assert await info.get_by_test_id("merge-undo-profile").count() == 0
        assert "platinum" in await info.inner_text()
        await carol.close()
        await dup.close()


def _saved_profile(response: Any) -> bool:
    return response.request.method == "PATCH" and "/api/v1/customers/" in response.url


async def test_the_panel_in_dark_and_on_a_phone_and_agents_cannot_merge(
    browser: Any,
    hub: RunningHub,
) -> None:
    ann = await hub.add_agent("Ann")
    async with aiohttp.ClientSession() as http:
        carol = await connect_customer(http, hub, name="Carol Jones", email="carol@x.test")
        await carol.say("Hi")
        for scheme, viewport, size in (
            ("dark", DESKTOP, "desktop"),
            ("light", PHONE, "390"),
            ("dark", PHONE, "390"),
        ):
            context = await browser.new_context(viewport=viewport, color_scheme=scheme)
            page = await context.new_page()
            phone = size == "390"
            if scheme == "dark" and size == "desktop":
                info = await open_customer(page, hub, ann, phone)
                await info.get_by_test_id("attribute-add-open").click()
                await info.get_by_test_id("attribute-key-input").fill("order")
                await info.get_by_test_id("attribute-value-input").fill("A-1234567890")
                await info.get_by_test_id("attribute-add-save").click()
                await info.get_by_test_id("customer-label-input").fill("priority")
                # Saved before this page closes: the next pages read the label back.
                async with page.expect_response(_saved_profile) as saved:
                    await info.get_by_test_id("customer-label-input").press("Enter")
                assert (await saved.value).ok
                await info.get_by_test_id("customer-label").wait_for()
            else:
                await sign_in(page, hub, ann)
                await page.get_by_test_id("conversation-item").first.click()
                await page.get_by_test_id("pane-tab-customer").click()
                info = page.get_by_test_id("customer-info")
                await info.get_by_test_id("customer-label").wait_for()
            assert await info.get_by_test_id("merge-open").count() == 0  # agents: no merge
            if phone:
                assert await fits(page, 390)
            await shot(page, f"customer-panel-{scheme}-{size}.png")
            await context.close()
        await carol.close()
