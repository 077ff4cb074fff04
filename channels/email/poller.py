"""One mailbox's poller: connect, SELECT, fetch what is new since the stored cursor in
batches, hand each batch to the sink (which returns once its rows are committed), move the
cursor, and only then flag or move the mail on the server. Waits with IDLE when the server
offers it, else polls; reconnects with jittered backoff. `state` is what the supervisor sees.

Nothing is lost or imported twice: a crash after the commit and before the cursor moved
fetches the batch again, and the sink drops it by Message-ID. A new UIDVALIDITY (a restored
or rebuilt mailbox) resyncs by Message-ID: only mail we do not hold is fetched in full."""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Protocol

import aioimaplib

from channels.email.imap import Fetched, ImapError, ImapSession
from channels.email.parsed import ParsedMail
from hub.flow.tasks import stop
from hub.models import MailboxState
from hub.ports import MailboxCursors
from hub.settings.email import MailboxSettings

log = logging.getLogger(__name__)
BACKOFF_BASE = 1.0
BACKOFF_MAX = 300.0
NETWORK_ERRORS = (OSError, TimeoutError, ImapError, aioimaplib.AioImapException)


class MailSink(Protocol):
    async def parse(self, mails: Sequence[Fetched]) -> list[ParsedMail]:
        """Parse fetched mail, off the event loop."""
        ...

    async def deliver(self, mailbox: MailboxSettings, mails: Sequence[ParsedMail]) -> None:
        """Commit these mails (or drop them as duplicates); return only once committed."""
        ...

    async def known(self, message_ids: Sequence[str]) -> set[str]:
        """Which of these Message-IDs are already stored."""
        ...


class MailboxPoller:
    def __init__(self, settings: MailboxSettings, cursors: MailboxCursors, sink: MailSink) -> None:
        self.settings = settings
        self._cursors = cursors
        self._sink = sink
        self.state = MailboxState(name=settings.name, address=settings.address)
        self._task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> MailboxPoller:
        self._task = asyncio.create_task(self._run(), name=f"imap-{self.settings.name}")
        return self

    async def __aexit__(self, *exc: object) -> None:
        await stop(self._task)
        self._set(connection="stopped")

    def _set(self, **changes: object) -> None:
        self.state = self.state.model_copy(update=changes)

    async def _run(self) -> None:
        failures = 0
        while True:
            self._set(connection="connecting")
            try:
                session = await self._connect()
            except NETWORK_ERRORS as exc:
                failures += 1
                await self._back_off(failures, exc)
                continue
            try:
                failures = 0
                await self._serve(session)
            except NETWORK_ERRORS as exc:
                failures += 1
                await self._back_off(failures, exc)
            except Exception as exc:  # storage down, a bug: nothing flagged, so retry later
                log.exception("mailbox %s: import failed", self.settings.name)
                failures += 1
                await self._back_off(failures, exc)
            finally:
                await session.close()

    async def _connect(self) -> ImapSession:
        s = self.settings
        async with asyncio.timeout(s.timeout_seconds):
            return await ImapSession.open(
                s.host, s.port, s.tls, s.user, s.password.get_secret_value(), s.timeout_seconds
            )

    async def _back_off(self, failures: int, exc: BaseException) -> None:
        ceiling = min(BACKOFF_MAX, BACKOFF_BASE * 2 ** min(failures - 1, 16))
        delay = ceiling / 2 + random.uniform(0, ceiling / 2)
        reason = f"{type(exc).__name__}: {exc}"
        log.warning("mailbox %s: %s; reconnecting in %.1f s", self.settings.name, reason, delay)
        self._set(connection="reconnecting", last_error=reason)
        await asyncio.sleep(delay)

    async def _serve(self, session: ImapSession) -> None:
        idle = self.settings.idle and session.supports_idle
        while True:
            self._set(connection="syncing")
            session.changed = False
            await self._sync(session)
            if session.changed:
                continue  # mail arrived while we synced: fetch it before waiting
            if idle:
                self._set(connection="idle", last_error=None)
                await session.wait_for_mail(self.settings.idle_seconds)
            else:
                self._set(connection="polling", last_error=None)
                await asyncio.sleep(self.settings.poll_seconds)

    async def _sync(self, session: ImapSession) -> None:
        uidvalidity = await session.select(self.settings.folder)
        cursor = await self._cursors.cursor(self.settings.name)
        if cursor is not None and cursor[0] != uidvalidity:
            log.warning("mailbox %s: UIDVALIDITY changed; resyncing", self.settings.name)
            await self._resync(session, uidvalidity)
            return
        # A mailbox's first run imports what nobody has read yet, not years of history;
        # the cursor then starts above everything that was there.
        top = max(await session.uids_after(0), default=0) if cursor is None else 0
        uids = await session.unseen() if cursor is None else await session.uids_after(cursor[1])
        for start in range(0, len(uids), self.settings.batch_size):
            chunk = uids[start : start + self.settings.batch_size]
            # Parsing the next batch while this one commits was measured slower: both are
            # Python, and the parse thread takes the GIL from the loop that commits.
            parsed = await self._sink.parse(await session.fetch(chunk))
            await self._import(session, chunk, parsed, uidvalidity)
        if cursor is None:
            await self._cursors.save_cursor(self.settings.name, uidvalidity, top)
        self._set(uidvalidity=uidvalidity, last_sync_at=datetime.now(UTC))

    async def _resync(self, session: ImapSession, uidvalidity: int) -> None:
        uids = await session.uids_after(0)
        for start in range(0, len(uids), self.settings.batch_size):
            chunk = uids[start : start + self.settings.batch_size]
            ids = await session.message_ids(chunk)
            known = await self._sink.known([m for m in ids.values() if m])
            missing = [uid for uid in chunk if ids.get(uid) not in known]
            mails = await session.fetch(missing) if missing else []
            await self._import(session, chunk, await self._sink.parse(mails), uidvalidity)
        if not uids:
            await self._cursors.save_cursor(self.settings.name, uidvalidity, 0)
        self._set(uidvalidity=uidvalidity, last_sync_at=datetime.now(UTC))

    async def _import(
        self,
        session: ImapSession,
        uids: list[int],
        mails: list[ParsedMail],
        uidvalidity: int,
    ) -> None:
        if mails:
            await self._sink.deliver(self.settings, mails)  # committed when it returns
        await self._cursors.save_cursor(self.settings.name, uidvalidity, max(uids))
        if self.settings.after_import == "move" and self.settings.move_to:
            await session.move(uids, self.settings.move_to)
        else:
            await session.mark_seen(uids)
        self._set(
            imported=self.state.imported + len(mails), last_uid=max(uids), uidvalidity=uidvalidity
        )
