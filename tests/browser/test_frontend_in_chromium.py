"""In headless Chromium: the console answers a pruned resume (`reload`) without reconnecting,
and the pages and the widget run under a strict CSP, the widget unmoved by a hostile host
page's styles."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

from aiohttp import web

from tests.harness import RunningHub, make_settings

ANN = {
    "id": "a1",
    "name": "Ann",
    "email": "ann@example.com",
    "role": "agent",
    "status": "available",
}
CONV = {
    "id": "c1", "customer_id": "u1", "customer_name": "Carol", "channel": "webchat",
    "queue": "general", "status": "open", "assignee_id": "a1", "assignee_name": "Ann",
}  # fmt: skip


def _message(event_id: int, text: str) -> str:
    return json.dumps({
        "type": "message", "event_id": event_id, "conversation_id": "c1", "customer_id": "u1",
        "message_id": f"m{event_id}", "direction": "in", "author": "customer",
        "channel": "webchat", "text": text, "created_at": f"2030-01-01T10:00:{event_id:02d}Z",
    })  # fmt: skip


async def _json(route: Any, body: object) -> None:
    await route.fulfill(status=200, content_type="application/json", body=json.dumps(body))


async def test_a_reload_answer_ends_the_resume_and_refreshes_from_rest(
    browser: Any,
    tmp_path: Path,
    hub: RunningHub,
) -> None:
    """The hub serves the page; the agent socket and the REST answers are played here."""
    page = await (await browser.new_context()).new_page()
    fetched: list[str] = []
    sockets: list[Any] = []
    resumes: list[dict[str, Any]] = []

    async def rest(route: Any) -> None:
        path = route.request.url.split("/api/v1", 1)[1]
        fetched.append(path)
        if path == "/me":
            await _json(route, ANN)
        elif path == "/conversations/c1":
            await _json(route, {"conversation": CONV, "messages": []})
        elif path == "/customers/u1/timeline":
            await _json(route, {"customer": {"id": "u1", "display_name": "Carol"}, "entries": []})
        else:
            await _json(route, {"agents": [], "queues": []})

    def agent_socket(ws: Any) -> None:
        sockets.append(ws)
        first = len(sockets) == 1
        welcome = {"type": "welcome", "agent": ANN, "conversations": [CONV], "offers": []}
        ws.send(json.dumps({**welcome, "last_event_id": 5 if first else 40}))
        if first:
            ws.send(_message(6, "before the gap"))

        def on_message(text: str | bytes) -> None:
            frame = json.loads(text)
            if frame["type"] != "resume":
                return
            resumes.append(frame)
            ws.send(_message(39, "covered by the snapshot"))  # at or below N: dropped
            ws.send(_message(41, "after the snapshot"))  # live, held back until the answer
            ws.send(json.dumps({"type": "reload", "reason": "pruned", "last_event_id": 40}))

        ws.on_message(on_message)

    await page.route("**/api/v1/**", rest)
    await page.route_web_socket("**/ws/agent**", agent_socket)
    await page.goto(f"{hub.url}/")
    await page.get_by_test_id("conversation-item").click()
    await page.get_by_test_id("message").filter(has_text="before the gap").wait_for()
    conversation_loads = fetched.count("/conversations/c1")

    await sockets[0].close(code=1011)  # the hub restarted: the console reconnects and resumes
    await page.get_by_test_id("toast").filter(has_text="Caught up from a fresh snapshot").wait_for()
    thread = page.get_by_test_id("thread")
    await thread.get_by_text("after the snapshot").wait_for()
    assert resumes == [{"type": "resume", "last_event_id": 6}]
    status = page.get_by_test_id("connection-status")
    assert await status.get_attribute("data-state") == "connected"

    sockets[1].send(_message(42, "live after the reload"))  # the watermark is now 41
    sockets[1].send(_message(41, "a repeat of 41"))
    await thread.get_by_text("live after the reload").wait_for()
    await asyncio.sleep(1.5)
    assert len(sockets) == 2 and len(resumes) == 1  # no reconnect loop
    assert fetched.count("/conversations/c1") > conversation_loads  # reloaded from REST
    assert fetched.count("/customers/u1/timeline") >= 2
    texts = await page.get_by_test_id("message").all_inner_texts()
    assert not any("covered by the snapshot" in t or "a repeat of 41" in t for t in texts)
    await page.screenshot(path=str(tmp_path / "console-after-reload.png"))


HOSTILE_PAGE = """<!doctype html><html><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
  * { font-family: serif !important; color: red; letter-spacing: 4px; line-height: 3; }
  div, button, textarea, span { padding: 30px; border: 3px dashed green; background: yellow; }
  .chw-panel, .chw-msg { display: none; }
</style></head>
<body><h1>A shop</h1><script src="HUB/widget.js" async></script></body></html>"""


async def test_the_widget_on_another_site_under_a_strict_csp(
    browser: Any,
    tmp_path: Path,
    sqlite_url: str,
) -> None:
    """A shop on another origin embeds the widget with one tag; its CSP allows scripts from
    the hub only, and its CSS targets everything it can."""
    hub = await RunningHub(make_settings(tmp_path, sqlite_url)).start()
    csp = f"script-src {hub.url}; object-src 'none'; base-uri 'none'"

    async def shop_page(_request: web.Request) -> web.Response:
        html = HOSTILE_PAGE.replace("HUB", hub.url)
        return web.Response(
            text=html, content_type="text/html", headers={"Content-Security-Policy": csp}
        )

    async def no_icon(_request: web.Request) -> web.Response:
        return web.Response(status=204)

    shop = web.Application()
    shop.router.add_get("/", shop_page)
    shop.router.add_get("/favicon.ico", no_icon)
    runner = web.AppRunner(shop)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        context = await browser.new_context(viewport={"width": 390, "height": 844})
        problems: list[str] = []
        context.on("weberror", lambda e: problems.append(str(e.error)))
        context.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        page = await context.new_page()
        await page.goto(f"http://127.0.0.1:{port}/")
        await page.get_by_test_id("chat-launcher").click()
        await page.get_by_test_id("chat-input").fill("Hello from the shop")
        await page.get_by_test_id("chat-send").click()
        bubble = page.get_by_test_id("chat-message").filter(has_text="Hello from the shop")
        await bubble.wait_for()
        await page.get_by_test_id("chat-queue").filter(has_text="in line").wait_for()
        look = await bubble.evaluate(
            "b => { const s = getComputedStyle(b);"
            " return [s.fontFamily, s.letterSpacing, s.borderTopStyle, s.color, s.display]; }"
        )
        assert look[0].startswith("system-ui") and look[1] == "normal"
        assert look[2] == "none" and look[3] == "rgb(255, 255, 255)" and look[4] == "block"
        await page.screenshot(path=str(tmp_path / "widget-hostile-390.png"))
        assert problems == []
    finally:
        await runner.cleanup()
        await hub.stop()


async def test_console_and_supervisor_under_the_hubs_strict_csp(
    browser: Any,
    tmp_path: Path,
    hub: RunningHub,
) -> None:
    """The hub's own pages as it serves them: a strict CSP (scripts from the hub only, no
    framing), nosniff and same-origin referrers, and the pages work under them."""
    ann = await hub.add_agent("Ann")
    sue = await hub.add_agent("Sue", role="supervisor")
    problems: list[str] = []
    for path, who, ready in (("/", ann, "presence-select"), ("/supervisor", sue, "agent-row")):
        context = await browser.new_context()  # one signed-in agent each
        context.on("weberror", lambda e: problems.append(str(e.error)))
        context.on("console", lambda m: problems.append(m.text) if "Policy" in m.text else None)
        page = await context.new_page()
        sockets: list[str] = []
        page.on("websocket", lambda ws: sockets.append(ws.url))  # noqa: B023
        answer = await page.goto(hub.url + path)
        assert answer is not None
        headers = answer.headers
        csp = headers["content-security-policy"]
        assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
        assert "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "same-origin"
        await page.get_by_test_id("login-email").fill(who["email"])
        await page.get_by_test_id("login-password").fill(who["password"])
        await page.get_by_test_id("login-submit").click()
        await page.get_by_test_id(ready).first.wait_for()
        await (
            page.get_by_test_id("connection-status")
            .and_(page.locator("[data-state=connected]"))
            .wait_for()
        )
        # The page's token stays out of URLs: the socket opened with a one-time ticket.
        assert sockets and all("ticket=" in url and "token" not in url for url in sockets)
        name = path.strip("/") or "console"
        await page.screenshot(path=str(tmp_path / f"{name}-strict-csp.png"))
        await context.close()
    assert problems == []
