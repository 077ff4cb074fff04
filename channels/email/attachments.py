"""Attachments by content hash under <data_dir>/attachments/<sha256>: the same file sent twice
is stored once, and a name can never escape the directory. Writes go to a temporary file and
are renamed into place, so a reader never sees half a file."""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from pathlib import Path

_SHA256 = re.compile(r"^[0-9a-f]{64}$")


class AttachmentStore:
    def __init__(self, root: Path, max_bytes: int) -> None:
        self.root = root
        self.max_bytes = max_bytes

    def put(self, data: bytes, *, limit: bool = True) -> tuple[str, bool]:
        """Store `data`; returns its sha256 and whether it was kept (False: over the limit).
        Blocking file I/O: call it from a worker thread."""
        digest = hashlib.sha256(data).hexdigest()
        if limit and len(data) > self.max_bytes:
            return digest, False
        target = self.root / digest
        if not target.exists():
            self.root.mkdir(mode=0o700, parents=True, exist_ok=True)
            fd, temp = tempfile.mkstemp(dir=self.root, prefix=".incoming-")  # 0600
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.replace(temp, target)
        return digest, True

    def path(self, sha256: str) -> Path | None:
        """The file for a hash, or None (also for anything that is not a hash)."""
        if not _SHA256.match(sha256):
            return None
        target = self.root / sha256
        return target if target.is_file() else None
