"""The browser code as the hub serves it: ES modules with a JavaScript type, every import
reachable, pages without inline script (a strict CSP `script-src 'self'` holds), and the
committed widget bundle built from the sources as they are now (checked without Node)."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import aiohttp

from tests.harness import RunningHub, make_settings

ROOT = Path(__file__).resolve().parents[2]
STATIC = ROOT / "agents_ui" / "static"
BUNDLE = STATIC / "widget.js"
IMPORT = re.compile(r"""^\s*(?:import|export)\b[^'"]*?from\s+['"]([^'"]+)['"]""", re.M)


def test_the_committed_widget_bundle_is_built_from_the_current_sources() -> None:
    banner = BUNDLE.read_text(encoding="utf-8").split("*/", 1)[0]
    inputs = re.findall(r"^ \*   (\S+)$", banner, re.M)
    (recorded,) = re.findall(r"sources-sha256: ([0-9a-f]{64})", banner)
    assert "agents_ui/static/widget/main.js" in inputs
    digest = hashlib.sha256()
    for path in sorted(inputs):
        digest.update(path.encode() + b"\n" + (ROOT / path).read_bytes() + b"\n")
    assert digest.hexdigest() == recorded, (
        "agents_ui/static/widget.js is older than its sources: run `npm run build` and commit it"
    )


def _module_graph() -> set[str]:
    """Every module the pages load, as /static/... paths, following imports from the entries."""
    pending = ["console/main.js", "supervisor/main.js"]
    seen: set[str] = set()
    while pending:
        rel = pending.pop()
        if rel in seen:
            continue
        seen.add(rel)
        source = (STATIC / rel).read_text(encoding="utf-8")
        for spec in IMPORT.findall(source):
            assert spec.startswith("."), f"{rel} imports {spec!r}: only relative modules are served"
            target = (STATIC / rel).parent / spec
            pending.append(target.resolve().relative_to(STATIC).as_posix())
    return {f"/static/{rel}" for rel in seen}


def test_pages_have_no_inline_script_or_handlers() -> None:
    for page in ("console.html", "supervisor.html", "chat.html"):
        html = (STATIC / page).read_text(encoding="utf-8")
        for tag in re.findall(r"<script\b[^>]*>", html):
            assert "src=" in tag, f"{page}: inline script {tag}"
        assert not re.search(r"\son[a-z]+\s*=", html), f"{page}: inline event handler"
        assert "window.CH" not in html


async def test_scripts_are_served_as_javascript_and_every_import_resolves(
    tmp_path: Path, sqlite_url: str
) -> None:
    hub = await RunningHub(make_settings(tmp_path, sqlite_url)).start()
    try:
        paths = _module_graph() | {"/widget.js", "/static/widget.js"}
        assert {"/static/common.js", "/static/console/socket.js"} <= paths
        async with aiohttp.ClientSession() as http:
            for path in sorted(paths):
                async with http.get(hub.url + path) as response:
                    assert response.status == 200, path
                    assert response.content_type == "text/javascript", (path, response.content_type)
            async with http.get(hub.url + "/static/style.css") as response:
                assert response.content_type == "text/css"
            for page, entry in (
                ("/", "/static/console/main.js"),
                ("/supervisor", "/static/supervisor/main.js"),
            ):
                async with http.get(hub.url + page) as response:
                    html = await response.text()
                assert f'<script type="module" src="{entry}"></script>' in html
    finally:
        await hub.stop()
