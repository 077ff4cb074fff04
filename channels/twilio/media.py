"""Files an agent attaches to a text, as links Twilio can fetch. Uploads are served to signed
in agents only (/api/v1/attachments/...), which Twilio is not; an MMS needs a public URL. So
each send gets its own link under `public_base_url`, signed with a key derived from the hub's
secret and valid for `media_link_seconds`: the path names the file by its SHA-256, the query
carries the expiry, the content type and the signature over all three."""

from __future__ import annotations

import hashlib
import hmac
import re
import time
from pathlib import Path
from urllib.parse import quote, urlencode

from aiohttp import web

from hub.models import Attachment

PATH = "/twilio/media/{sha256}/{name}"
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


class MediaLinks:
    def __init__(self, secret: str, public_base_url: str, root: Path, lifetime: float) -> None:
        key = hmac.new(secret.encode(), b"contacthub twilio media links", hashlib.sha256)
        self._key = key.digest()
        self._base = public_base_url.rstrip("/")
        self._root = root
        self._lifetime = lifetime

    def url_for(self, attachment: Attachment, now: float | None = None) -> str:
        if attachment.sha256 is None or not _SHA256.match(attachment.sha256):
            raise ValueError(f"attachment {attachment.name!r} is not a file we hold")
        expires = int((now or time.time()) + self._lifetime)
        query = {"expires": str(expires), "type": attachment.content_type}
        query["signature"] = self._sign(attachment.sha256, query["expires"], query["type"])
        path = PATH.format(sha256=attachment.sha256, name=quote(attachment.name, safe=""))
        return f"{self._base}{path}?{urlencode(query)}"

    async def serve(self, request: web.Request) -> web.StreamResponse:
        """The file, to whoever holds an unexpired link; 403 for any other, 404 if gone."""
        sha256 = request.match_info["sha256"]
        expires = request.query.get("expires", "")
        kind = request.query.get("type", "application/octet-stream")
        signature = request.query.get("signature", "")
        valid = _SHA256.match(sha256) is not None and expires.isdigit()
        good = valid and hmac.compare_digest(signature, self._sign(sha256, expires, kind))
        if not good or int(expires) < time.time():
            raise web.HTTPForbidden(text="this media link is not valid, or has expired")
        path = self._root / sha256
        if not path.is_file():
            raise web.HTTPNotFound(text="no such file")
        headers = {
            "Content-Type": kind,
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "sandbox; default-src 'none'",
            "Cache-Control": "private, no-store",
        }
        return web.FileResponse(path, headers=headers)

    def _sign(self, sha256: str, expires: str, kind: str) -> str:
        message = f"{sha256}\n{expires}\n{kind}".encode()
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()
