"""The poller's sink: raw mail to committed conversation messages. A batch is parsed in one
worker thread, threaded against one lookup of everything it refers to, and handed to the
inbound stream together, so it commits in one group. Mail from machines is kept out (loop
protection); bounces mark the message they refer to failed."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from channels.email.imap import Fetched
from channels.email.messages import inbound_message
from channels.email.parse import MailParser
from channels.email.parsed import ParsedMail
from channels.email.threads import Known, KnownConversation, Thread, candidate_ids, decide
from channels.email.tokens import Tokens
from hub.flow.inbound import InboundStream
from hub.ids import CustomerId
from hub.models import EmailThread, Ingested
from hub.ports import Customers, EmailStore
from hub.services.delivery import DeliveryService
from hub.settings.channels import resolved
from hub.settings.email import EmailSettings, MailboxSettings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Imported:
    mail: ParsedMail
    thread: Thread
    result: Ingested


OnImport = Callable[[MailboxSettings, Sequence[Imported]], None]


class EmailIngest:
    def __init__(
        self,
        settings: EmailSettings,
        parser: MailParser,
        tokens: Tokens,
        stream: InboundStream,
        customers: Customers,
        store: EmailStore,
        delivery: DeliveryService,
        on_import: OnImport | None = None,
    ) -> None:
        """`on_import` hears of each batch once it committed (the auto-acknowledgement)."""
        self._settings = settings
        self._parser = parser
        self._tokens = tokens
        self._stream = stream
        self._customers = customers
        self._store = store
        self._delivery = delivery
        self._own = frozenset(m.address.lower() for m in settings.mailboxes)
        self._on_import = on_import
        # Resolved before the channel was built (hub.settings.queues); checked here, at start.
        self._queues = {
            m.name: resolved(m.queue, f"channels.email.mailboxes.{m.name}.queue")
            for m in settings.mailboxes
        }

    async def known(self, message_ids: Sequence[str]) -> set[str]:
        return await self._store.known_message_ids(message_ids)

    async def parse(self, mails: Sequence[Fetched]) -> list[ParsedMail]:
        """One worker-thread hop for the whole batch (a 30 MB mail takes seconds)."""
        if not mails:
            return []
        return await asyncio.to_thread(lambda: [self._parser.parse(m.raw) for m in mails])

    async def deliver(self, mailbox: MailboxSettings, parsed: Sequence[ParsedMail]) -> None:
        people = [m for m in parsed if m.loop_reason is None]
        for mail in parsed:
            if mail.loop_reason is not None:
                await self._machine_mail(mailbox, mail)
        imported: list[Imported] = []
        for chunk in independent_chunks(people):
            imported += await self._commit(mailbox, chunk)
        if self._on_import is not None:
            self._on_import(mailbox, imported)

    async def _machine_mail(self, mailbox: MailboxSettings, mail: ParsedMail) -> None:
        if mail.bounce is None:
            log.info("mailbox %s: %s not imported (%s)", mailbox.name, mail.key, mail.loop_reason)
            return
        for message_id in mail.bounce.message_ids:
            reason = f"bounced: {mail.bounce.reason}"
            await self._delivery.update("email", message_id, "failed", error=reason)

    async def _commit(self, mailbox: MailboxSettings, mails: list[ParsedMail]) -> list[Imported]:
        known = await self._lookup(mails)
        now = datetime.now(UTC)
        window = timedelta(days=self._settings.reopen_days)
        threads = [decide(m, known, self._tokens, self._own, now, window) for m in mails]
        owners = await self._owners(mails, threads, known)
        inbound = [
            inbound_message(mail, thread, owner, mailbox, self._queues[mailbox.name])
            for mail, thread, owner in zip(mails, threads, owners, strict=True)
        ]
        results = await asyncio.gather(*(self._stream.receive(m) for m in inbound))
        entries = [
            (result.conversation.id, address)
            for thread, result in zip(threads, results, strict=True)
            for address in thread.participants
        ]
        await self._store.add_participants(entries)
        return [Imported(*row) for row in zip(mails, threads, results, strict=True)]

    async def _lookup(self, mails: list[ParsedMail]) -> Known:
        message_ids: set[str] = set()
        conversation_ids: set[str] = set()
        for mail in mails:
            found = candidate_ids(mail, self._tokens)
            message_ids |= found[0]
            conversation_ids |= found[1]
        by_message, by_id = await self._store.threads(message_ids, conversation_ids)
        conversations: dict[str, KnownConversation] = {
            t.conversation_id: _known(t) for t in [*by_message.values(), *by_id.values()]
        }
        return Known(
            {m: conversations[t.conversation_id] for m, t in by_message.items()}, conversations
        )

    async def _owners(
        self, mails: list[ParsedMail], threads: list[Thread], known: Known
    ) -> list[CustomerId]:
        """The customer each message is filed under: the conversation's own when it threads
        (a CC'd colleague or a BCC'd stranger never replaces the customer), else the
        sender's, found or created by address."""
        senders = {
            m.sender.address: m.sender.name or m.sender.address
            for m, t in zip(mails, threads, strict=True)
            if t.conversation_id is None and m.sender is not None
        }
        by_address = await self._customers.identify_many("email", senders)
        owners = []
        for mail, thread in zip(mails, threads, strict=True):
            if thread.conversation_id is not None:
                found = known.by_id(thread.conversation_id)
                assert found is not None and found.customer_id is not None
                owners.append(CustomerId(found.customer_id))
            elif mail.sender is not None:
                owners.append(by_address[mail.sender.address.strip().lower()])
            else:  # no readable sender: filed under a customer named for the raw mail
                owners.append(await self._customers.identify("email", _nobody(mail), "Unknown"))
        return owners


def independent_chunks(mails: list[ParsedMail]) -> list[list[ParsedMail]]:
    """Split where a mail answers one earlier in the same batch: that one must be committed
    first, so the answer finds its conversation."""
    chunks: list[list[ParsedMail]] = [[]]
    pending: set[str] = set()
    for mail in mails:
        if pending & {*mail.in_reply_to, *mail.references} and chunks[-1]:
            chunks.append([])
            pending = set()
        chunks[-1].append(mail)
        if mail.message_id:
            pending.add(mail.message_id)
    return [c for c in chunks if c]


def _known(thread: EmailThread) -> KnownConversation:
    return KnownConversation(
        id=thread.conversation_id,
        customer=(thread.contact or "").lower(),
        participants=frozenset(thread.participants),
        status=thread.status,
        resolved_at=thread.resolved_at,
        customer_id=thread.customer_id,
    )


def _nobody(mail: ParsedMail) -> str:
    return f"unknown+{mail.raw_sha256[:16]}@invalid"
