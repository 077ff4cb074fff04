"""Security headers on every answer of the hub, set just before the headers go out (so
file answers, websocket upgrades and errors get them too):

- `X-Content-Type-Options: nosniff` and `Referrer-Policy: same-origin` everywhere;
- the console, supervisor and admin pages: a strict CSP (scripts and styles from the hub only, no
  inline script, no plugins, no <base>) with `frame-ancestors 'none'` (and X-Frame-Options
  for older browsers), so no other site, or another port of this host, can frame them;
- /chat, the widget's demo page: the same, with its inline <style> allowed by its hash;
- anything else (JSON, scripts, stylesheets): `default-src 'none'; frame-ancestors 'none'`.
An answer that sets its own CSP (attachments: `sandbox`) keeps it.
"""

from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path

from aiohttp import hdrs, web

_STYLE = re.compile(r"<style>(.*?)</style>", re.DOTALL)
# Sanitized email HTML (nh3) is shown in the console, with no styles or scripts. Its remote
# images are held back until the agent loads them (channels/email/bodies.py and the
# console), and then come from wherever the mail points, http or https.
_PAGE = (
    "default-src 'self'; script-src 'self'; style-src 'self'{styles}; "
    "img-src 'self' data: https: http:; font-src 'self'; connect-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
_OTHER = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'"


_HOST = re.compile(r"^[A-Za-z0-9.\-]+(:[0-9]+)?$|^\[[0-9A-Fa-f:.]+\](:[0-9]+)?$")


def page_policy(html: str = "") -> str:
    """The CSP of one page; each inline <style> of `html` is allowed by its hash."""
    digests = (hashlib.sha256(block.encode()).digest() for block in _STYLE.findall(html))
    hashes = "".join(f" 'sha256-{base64.b64encode(d).decode()}'" for d in digests)
    return _PAGE.format(styles=hashes)


class SecurityHeaders:
    def __init__(self, static: Path) -> None:
        console = page_policy()
        chat = page_policy((static / "chat.html").read_text())
        self._pages = {
            "/": console,
            "/supervisor": console,
            "/admin": console,
            "/chat": chat,
            "/api/docs": console,
        }
        self._static = {
            "/static/console.html": console,
            "/static/supervisor.html": console,
            "/static/admin.html": console,
            "/static/chat.html": chat,
        }

    def install(self, app: web.Application) -> None:
        app.on_response_prepare.append(self.on_prepare)

    async def on_prepare(self, request: web.Request, response: web.StreamResponse) -> None:
        headers = response.headers
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "same-origin")
        if hdrs.CONTENT_SECURITY_POLICY in headers:
            return
        policy = self._pages.get(request.path) or self._static.get(request.path)
        if policy is None:
            headers[hdrs.CONTENT_SECURITY_POLICY] = _OTHER
            return
        host = request.host
        if _HOST.match(host):  # websocket URLs are not 'self' in every browser: name ours
            policy = policy.replace(
                "connect-src 'self'", f"connect-src 'self' ws://{host} wss://{host}"
            )
        headers[hdrs.CONTENT_SECURITY_POLICY] = policy
        headers.setdefault("X-Frame-Options", "DENY")
