"""Delivers mail into the Dovecot test mailbox and reads its flags back: an IMAP session of
its own (APPEND), so a poller's IDLE sees the new mail as it would from a mail server."""

from __future__ import annotations

import asyncio
import re

import aioimaplib

from tests.channels.email.dovecot import Dovecot

_FLAGS = re.compile(rb"UID (\d+) FLAGS \(([^)]*)\)|FLAGS \(([^)]*)\) UID (\d+)")


class TestMailbox:
    __test__ = False  # not a test class, whatever its name

    def __init__(self, server: Dovecot) -> None:
        self.server = server
        self._client: aioimaplib.IMAP4 | None = None

    async def __aenter__(self) -> TestMailbox:
        client = aioimaplib.IMAP4(self.server.host, self.server.port, timeout=10)
        await client.wait_hello_from_server()
        response = await client.login(self.server.user, self.server.password)
        assert response.result == "OK", response
        self._client = client
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._client is not None:
            client, self._client = self._client, None
            try:  # the server may have been restarted under it
                async with asyncio.timeout(3):
                    await client.logout()
            except (TimeoutError, OSError, aioimaplib.AioImapException):
                pass

    @property
    def client(self) -> aioimaplib.IMAP4:
        assert self._client is not None
        return self._client

    async def deliver(self, raw: bytes, folder: str = "INBOX", flags: str | None = None) -> int:
        """APPEND one message; returns its UID."""
        response = await self.client.append(raw, mailbox=folder, flags=flags)
        assert response.result == "OK", response
        match = re.search(rb"APPENDUID \d+ (\d+)", b" ".join(map(bytes, response.lines)))
        assert match is not None, response
        return int(match.group(1))

    async def flags(self, folder: str = "INBOX") -> dict[int, set[str]]:
        """UID -> flags of every message in `folder`."""
        response = await self.client.select(folder)
        assert response.result == "OK", response
        response = await self.client.uid("fetch", "1:*", "(FLAGS)")
        assert response.result == "OK", response
        found: dict[int, set[str]] = {}
        for line in response.lines:
            if not isinstance(line, bytes):
                continue
            match = _FLAGS.search(line)
            if match:
                uid = match.group(1) or match.group(4)
                flags = match.group(2) if match.group(2) is not None else match.group(3)
                found[int(uid)] = set(flags.decode().split())
        return found
