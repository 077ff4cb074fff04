"""Which conversation an inbound mail belongs to: a pure function of the mail and what we
know (a ThreadLookup, filled from storage for a whole batch at once). The rules, in order
(docs/protocol.md has the operator's version):

1. Headers: In-Reply-To, then References (newest first), against every Message-ID we have
   seen or sent; our own Message-IDs also carry a signed token.
2. Fallbacks: the signed token in a `support+<token>@` recipient, then a `[#<id>]` subject
   tag, each only when the sender is a participant of that conversation (its customer or a
   CC'd address). A stranger gets a new conversation linked to that one.
3. CC'd addresses of a threaded mail become participants; a stranger whose reply threads
   by headers (say, someone BCC'd) joins the thread but never replaces the customer.
4. A resolved conversation reopens within the reopen window; after it, the mail opens a new
   conversation linked to the old one.
5. The subject is never compared: a changed subject keeps the thread."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from channels.email.parsed import ParsedMail
from channels.email.tokens import Tokens, subject_tag


@dataclass(frozen=True)
class KnownConversation:
    id: str
    customer: str  # the customer's address on the email channel
    participants: frozenset[str]  # addresses CC'd into it
    status: str
    resolved_at: datetime | None = None
    customer_id: str | None = None  # the hub's customer, when known

    def has_participant(self, address: str) -> bool:
        return address == self.customer or address in self.participants


class ThreadLookup(Protocol):
    def by_message_id(self, message_id: str) -> KnownConversation | None:
        """The conversation holding a message (inbound or sent) with this Message-ID."""
        ...

    def by_id(self, conversation_id: str) -> KnownConversation | None: ...


@dataclass(frozen=True)
class Thread:
    conversation_id: str | None  # None: open a new conversation
    rule: str  # which rule decided, kept on the message for agents and debugging
    linked_to: str | None = None
    reopen: bool = False
    participants: tuple[str, ...] = ()  # addresses to record on the conversation


def decide(
    mail: ParsedMail,
    lookup: ThreadLookup,
    tokens: Tokens,
    own_addresses: frozenset[str],
    now: datetime,
    reopen_window: timedelta,
) -> Thread:
    sender = mail.sender.address if mail.sender else ""
    found, rule, link = _match(mail, lookup, tokens, sender)
    participants = _participants(mail, sender, own_addresses, tokens)
    if found is None:
        return Thread(None, rule, linked_to=link, participants=participants)
    if found.status == "resolved":
        resolved_at = found.resolved_at or now
        if now - resolved_at > reopen_window:
            return Thread(None, f"{rule}; reopen window passed", found.id, False, participants)
        return Thread(found.id, rule, reopen=True, participants=_new(participants, found))
    return Thread(found.id, rule, participants=_new(participants, found))


def _match(
    mail: ParsedMail, lookup: ThreadLookup, tokens: Tokens, sender: str
) -> tuple[KnownConversation | None, str, str | None]:
    for rule, message_id in _header_ids(mail):
        known = lookup.by_message_id(message_id)
        if known is None:
            ours = tokens.conversation_of_message_id(message_id)
            known = lookup.by_id(ours) if ours else None
        if known is not None:
            return known, rule, None
    link: str | None = None
    for rule, conversation_id in _fallback_ids(mail, tokens):
        known = lookup.by_id(conversation_id)
        if known is None:
            continue
        if known.has_participant(sender):
            return known, rule, None
        link = link or known.id  # a stranger quoting it: new conversation, linked
    return (
        None,
        "new conversation" if link is None else "new conversation (not a participant)",
        link,
    )


def _header_ids(mail: ParsedMail) -> Iterator[tuple[str, str]]:
    for message_id in mail.in_reply_to:
        yield "in-reply-to", message_id
    for message_id in reversed(mail.references):
        yield "references", message_id


def _fallback_ids(mail: ParsedMail, tokens: Tokens) -> Iterator[tuple[str, str]]:
    for address in mail.recipients:
        conversation_id = tokens.conversation_of_address(address)
        if conversation_id:
            yield "reply-address token", conversation_id
    tagged = subject_tag(mail.subject)
    if tagged:
        yield "subject tag", tagged


def _participants(
    mail: ParsedMail, sender: str, own: frozenset[str], tokens: Tokens
) -> tuple[str, ...]:
    """Visible co-recipients: CC'd people and other To addresses, never us."""
    found = []
    for address in (a.address for a in (*mail.to, *mail.cc)):
        if address == sender or address in own or tokens.conversation_of_address(address):
            continue
        if address.split("+")[0] + "@" + address.partition("@")[2] in own:
            continue
        found.append(address)
    return tuple(dict.fromkeys(found))


def _new(participants: tuple[str, ...], known: KnownConversation) -> tuple[str, ...]:
    return tuple(a for a in participants if not known.has_participant(a))


@dataclass
class Known:
    """A ThreadLookup over what was fetched for one batch (one query for all its ids)."""

    by_message: dict[str, KnownConversation]
    by_conversation: dict[str, KnownConversation]

    def by_message_id(self, message_id: str) -> KnownConversation | None:
        return self.by_message.get(message_id)

    def by_id(self, conversation_id: str) -> KnownConversation | None:
        return self.by_conversation.get(conversation_id)


def candidate_ids(mail: ParsedMail, tokens: Tokens) -> tuple[set[str], set[str]]:
    """The Message-IDs and conversation ids `decide` may ask about, to fetch them at once."""
    message_ids = {m for _, m in _header_ids(mail)}
    conversations = {c for _, c in _fallback_ids(mail, tokens)}
    conversations |= {c for m in message_ids if (c := tokens.conversation_of_message_id(m))}
    return message_ids, conversations
