"""One IMAP session over aioimaplib, with the few commands the poller needs. aioimaplib has
no STARTTLS call, so the upgrade is done here on its transport (RFC 3501 6.2.1)."""

from __future__ import annotations

import asyncio
import re
import ssl
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import aioimaplib

TlsMode = Literal["implicit", "starttls", "none"]
_FETCH_UID = re.compile(rb"^\d+ FETCH \(.*?UID (\d+)")
_UIDVALIDITY = re.compile(rb"\[UIDVALIDITY (\d+)\]")
_EXISTS = re.compile(rb"^(\* )?\d+ EXISTS")
_MSGID_LINE = re.compile(rb"(?im)^Message-ID:\s*<?([^>\s]+)>?")


FETCH_GROUP = 40


class ImapError(Exception):
    """The server refused a command or the connection failed; the poller reconnects."""


@dataclass(frozen=True)
class Fetched:
    uid: int
    raw: bytes


class ImapSession:
    def __init__(self, client: aioimaplib.IMAP4, lost: asyncio.Event) -> None:
        self._client = client
        self._lost = lost
        # Set when the server announces new mail (EXISTS) outside IDLE: aioimaplib drops such
        # announcements, and the server does not repeat them once IDLE starts, so mail that
        # arrives while we sync would otherwise wait for the next IDLE timeout.
        self.changed = False
        protocol = client.protocol
        untagged = protocol._untagged_response

        def watch(line: bytes) -> Any:
            if _EXISTS.match(line):
                self.changed = True
            return untagged(line)

        protocol._untagged_response = watch

    @classmethod
    async def open(
        cls, host: str, port: int, tls: TlsMode, user: str, password: str, timeout: float
    ) -> ImapSession:
        lost = asyncio.Event()
        context = ssl.create_default_context() if tls != "none" else None

        def on_lost(_exc: Exception | None) -> None:
            lost.set()

        if tls == "implicit":
            client: aioimaplib.IMAP4 = aioimaplib.IMAP4_SSL(
                host, port, timeout=timeout, ssl_context=context
            )
            client.protocol.conn_lost_cb = on_lost
        else:
            client = aioimaplib.IMAP4(host, port, timeout=timeout, conn_lost_cb=on_lost)
        session = cls(client, lost)
        try:
            await client.wait_hello_from_server()
            if tls == "starttls":
                assert context is not None
                await session._starttls(host, context)
            session._check(await client.login(user, password), "LOGIN")
        except BaseException:
            # Refused, timed out or cancelled (the hub stopping) before the poller holds the
            # session: close its socket here, or nobody would.
            session.drop()
            raise
        return session

    @property
    def supports_idle(self) -> bool:
        return bool(self._client.has_capability("IDLE"))

    @property
    def supports_move(self) -> bool:
        return bool(self._client.has_capability("MOVE"))

    async def select(self, folder: str) -> int:
        """Select `folder`; returns its UIDVALIDITY."""
        response = self._check(await self._client.select(folder), f"SELECT {folder}")
        self.changed = False  # SELECT itself reports EXISTS: that is no news
        for line in response.lines:
            match = _UIDVALIDITY.search(bytes(line))
            if match:
                return int(match.group(1))
        raise ImapError(f"SELECT {folder}: the server sent no UIDVALIDITY")

    async def uids_after(self, last_uid: int) -> list[int]:
        """UIDs above `last_uid`, ascending (`n:*` also matches the newest message when it is
        below n, so the answer is filtered)."""
        response = self._check(
            await self._client.uid_search(f"UID {last_uid + 1}:*", charset=None), "SEARCH"
        )
        found = [int(t) for line in response.lines[:-1] for t in bytes(line).split() if t.isdigit()]
        return sorted(uid for uid in set(found) if uid > last_uid)

    async def unseen(self) -> list[int]:
        """UIDs of mail without \\Seen, ascending."""
        response = self._check(await self._client.uid_search("UNSEEN", charset=None), "SEARCH")
        found = [int(t) for line in response.lines[:-1] for t in bytes(line).split() if t.isdigit()]
        return sorted(set(found))

    async def fetch(self, uids: Sequence[int]) -> list[Fetched]:
        # In groups: aioimaplib rescans a FETCH answer's lines as each literal arrives, which
        # grows with the square of the messages in one answer.
        found: list[Fetched] = []
        for start in range(0, len(uids), FETCH_GROUP):
            group = _uid_set(uids[start : start + FETCH_GROUP])
            response = self._check(
                await self._client.uid("fetch", group, "(UID BODY.PEEK[])"), "FETCH"
            )
            found += _fetched(response.lines)
        return found

    async def message_ids(self, uids: Sequence[int]) -> dict[int, str | None]:
        """UID -> Message-ID (None when it has none), from the headers alone."""
        response = self._check(
            await self._client.uid(
                "fetch", _uid_set(uids), "(UID BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)])"
            ),
            "FETCH",
        )
        found: dict[int, str | None] = {}
        for item in _fetched(response.lines):
            match = _MSGID_LINE.search(item.raw)
            found[item.uid] = match.group(1).decode("ascii", "replace") if match else None
        return found

    async def mark_seen(self, uids: Sequence[int]) -> None:
        self._check(
            await self._client.uid("store", _uid_set(uids), "+FLAGS.SILENT", r"(\Seen)"), "STORE"
        )

    async def move(self, uids: Sequence[int], folder: str) -> None:
        if self.supports_move:
            self._check(await self._client.uid("move", _uid_set(uids), folder), "MOVE")
            return
        # Without MOVE (RFC 6851): copy, flag deleted, expunge those UIDs.
        self._check(await self._client.uid("copy", _uid_set(uids), folder), "COPY")
        self._check(
            await self._client.uid("store", _uid_set(uids), "+FLAGS.SILENT", r"(\Deleted)"),
            "STORE",
        )
        self._check(await self._client.uid("expunge", _uid_set(uids)), "EXPUNGE")

    async def wait_for_mail(self, seconds: float) -> None:
        """IDLE until the server reports a change, `seconds` pass, or the connection drops."""
        idle = await self._client.idle_start(timeout=seconds + 5)
        push = asyncio.ensure_future(self._client.wait_server_push(seconds + 5))
        lost = asyncio.ensure_future(self._lost.wait())
        try:
            async with asyncio.timeout(seconds):
                await asyncio.wait({push, lost}, return_when=asyncio.FIRST_COMPLETED)
        except TimeoutError:
            pass
        finally:
            push.cancel()
            lost.cancel()
        if self._lost.is_set():
            raise ImapError("connection lost during IDLE")
        self._client.idle_done()
        async with asyncio.timeout(30):
            await idle

    async def noop(self) -> None:
        self._check(await self._client.noop(), "NOOP")

    async def close(self) -> None:
        if not self._lost.is_set():
            try:
                async with asyncio.timeout(2):
                    if self._client.has_pending_idle():
                        self._client.idle_done()  # LOGOUT would queue behind the IDLE
                    await self._client.logout()
            except (TimeoutError, OSError, aioimaplib.AioImapException):
                pass
        self.drop()

    def drop(self) -> None:
        """Close the connection at once, with no LOGOUT."""
        transport = self._client.protocol.transport
        if transport is not None:
            transport.close()

    def _check(self, response: Any, what: str) -> Any:
        if self._lost.is_set():
            raise ImapError(f"{what}: connection lost")
        if response.result != "OK":
            text = b" ".join(bytes(line) for line in response.lines).decode("utf-8", "replace")
            raise ImapError(f"{what} failed: {response.result} {text}")
        return response

    async def _starttls(self, host: str, context: ssl.SSLContext) -> None:
        protocol = self._client.protocol
        command = aioimaplib.Command("STARTTLS", protocol.new_tag(), loop=protocol.loop)
        self._check(await protocol.execute(command), "STARTTLS")
        loop = asyncio.get_running_loop()
        protocol.transport = await loop.start_tls(
            protocol.transport, protocol, context, server_hostname=host
        )
        await protocol.capability()  # capabilities may differ once encrypted


def _uid_set(uids: Sequence[int]) -> str:
    """`1:5,9,12:13` (ranges keep the command short for big batches)."""
    ordered = sorted(set(uids))
    parts: list[str] = []
    start = prev = ordered[0]
    for uid in ordered[1:]:
        if uid != prev + 1:
            parts.append(f"{start}:{prev}" if prev != start else str(start))
            start = uid
        prev = uid
    parts.append(f"{start}:{prev}" if prev != start else str(start))
    return ",".join(parts)


def _fetched(lines: Sequence[Any]) -> list[Fetched]:
    found: list[Fetched] = []
    uid: int | None = None
    for line in lines:
        if isinstance(line, bytearray):
            if uid is not None:
                found.append(Fetched(uid, bytes(line)))
            uid = None
            continue
        match = _FETCH_UID.match(line)
        if match:
            uid = int(match.group(1))
    return found
