"""Attachments for agents: download what customers sent (stored by content hash under
<data_dir>/attachments) and upload files to send with a reply. Downloads are served so a
browser can never run them: only raster images display inline, everything else downloads,
and a sandboxing CSP and nosniff apply to both."""

from __future__ import annotations

import asyncio
import hashlib
import os
import re
import tempfile
from pathlib import Path
from urllib.parse import quote

from aiohttp import BodyPartReader, web

from agents_ui.rest.endpoint import Call, Endpoint
from hub.errors import BadInput, NotFound, TooLarge
from hub.models import Attachment

_SHA256 = re.compile(r"^[0-9a-f]{64}$")
# A file name ends up in mail headers (Content-Disposition) and URLs: no control characters
# (CR and LF above all), refused here rather than failing later at send.
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_MEDIA_TYPE = re.compile(r"^[\w.+-]+/[\w.+-]+$")
MAX_NAME = 200
_INLINE = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
}
CHUNK = 64 * 1024


def attachment_url(sha256: str, name: str) -> str:
    return f"/api/v1/attachments/{sha256}/{quote(name)}"


def check_name(name: str) -> str:
    """An attachment's file name as given, or BadInput."""
    if _CONTROL.search(name):
        raise BadInput("an attachment name may not hold control characters (CR, LF, ...)")
    if len(name) > MAX_NAME:
        raise BadInput(f"an attachment name has at most {MAX_NAME} characters")
    return name


class FilesApi:
    def __init__(self, root: Path, max_bytes: int) -> None:
        self._root = root
        self._max = max_bytes

    def endpoints(self) -> list[Endpoint]:
        return [
            Endpoint("GET", "/api/v1/attachments/{sha256}/{name}", self.download,
                     "Download an attachment", "attachments",
                     response_media="application/octet-stream",
                     description="Raster images display inline; anything else downloads."),
            Endpoint("POST", "/api/v1/attachments", self.upload,
                     "Upload a file to send with a reply", "attachments",
                     response=Attachment, body_media="multipart/form-data",
                     description="One `file` part; answers the attachment to name in a reply."),
        ]  # fmt: skip

    def path(self, sha256: str) -> Path | None:
        if not _SHA256.match(sha256):
            return None
        path = self._root / sha256
        return path if path.is_file() else None

    def attachment(self, sha256: str, name: str, content_type: str) -> Attachment:
        """An attachment for a reply, from a file uploaded before (refused if missing)."""
        path = self.path(sha256)
        if path is None:
            raise NotFound("attachment", sha256)
        return Attachment(
            name=name,
            content_type=content_type,
            size=path.stat().st_size,
            url=attachment_url(sha256, name),
            sha256=sha256,
        )

    async def download(self, call: Call) -> web.StreamResponse:
        request = call.request
        path = self.path(request.match_info["sha256"])
        if path is None:
            raise NotFound("attachment", request.match_info["sha256"])
        name = request.match_info["name"]
        inline_type = _INLINE.get(os.path.splitext(name)[1].lower())
        disposition = "inline" if inline_type else "attachment"
        return web.FileResponse(
            path,
            headers={
                "Content-Type": inline_type or "application/octet-stream",
                "Content-Disposition": f"{disposition}; filename*=UTF-8''{quote(name)}",
                "X-Content-Type-Options": "nosniff",
                "Content-Security-Policy": "sandbox; default-src 'none'",
                "Cache-Control": "private, max-age=86400",
            },
        )

    async def upload(self, call: Call) -> Attachment:
        """multipart/form-data with one `file` field -> the Attachment to send with a reply."""
        try:
            reader = await call.request.multipart()
        except (AssertionError, ValueError, KeyError):
            raise BadInput("send the file as multipart/form-data, field 'file'") from None
        part = await reader.next()
        if not isinstance(part, BodyPartReader) or part.name != "file":
            raise BadInput("send the file as multipart/form-data, field 'file'")
        name = check_name(os.path.basename((part.filename or "").replace("\\", "/")))
        content_type = part.headers.get("Content-Type", "").split(";")[0].strip()
        if not _MEDIA_TYPE.match(content_type):
            content_type = "application/octet-stream"
        sha256, size = await self._store(part)
        return Attachment(
            name=name or "attachment",
            content_type=content_type,
            size=size,
            url=attachment_url(sha256, name or "attachment"),
            sha256=sha256,
        )

    async def _store(self, part: BodyPartReader) -> tuple[str, int]:
        chunks: list[bytes] = []
        size = 0
        while chunk := await part.read_chunk(CHUNK):
            size += len(chunk)
            if size > self._max:
                raise TooLarge(size, self._max)
            chunks.append(chunk)
        data = b"".join(chunks)
        return await asyncio.to_thread(self._write, data), size

    def _write(self, data: bytes) -> str:
        """Written under a temporary name and renamed: a reader never sees half a file."""
        sha256 = hashlib.sha256(data).hexdigest()
        target = self._root / sha256
        if not target.exists():
            self._root.mkdir(mode=0o700, parents=True, exist_ok=True)
            # mkstemp makes the file 0600, and the rename keeps it so.
            fd, temp = tempfile.mkstemp(dir=self._root, prefix=".upload-")
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.replace(temp, target)
        return sha256
