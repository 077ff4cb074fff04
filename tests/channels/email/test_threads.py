"""Threading rules (docs/protocol.md, "Email threading"), each with replies shaped like
Gmail, Outlook and Apple Mail send them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from channels.email.attachments import AttachmentStore
from channels.email.parse import MailParser
from channels.email.parsed import ParsedMail
from channels.email.threads import Known, KnownConversation, Thread, candidate_ids, decide
from channels.email.tokens import Tokens, base_subject, reply_subject
from tests.channels.email import shapes

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
WINDOW = timedelta(days=7)
CONV = "0005f1a2b3c4d5e6f7a8b9c0"
OTHER = "0005f1a2b3c4d5e6f7a8ffff"
CAROL = "carol@customer.test"
DAN = "dan@customer.test"
tokens = Tokens(b"test-secret", shapes.OUR_DOMAIN)
OURS = frozenset({shapes.SUPPORT})
SENT_ID = tokens.message_id("msg0001", CONV)  # our first reply to Carol
CAROL_FIRST = "first@customer.test"


@pytest.fixture
def parser(tmp_path: Path) -> MailParser:
    return MailParser(AttachmentStore(tmp_path, 1_000_000), tokens)


def conversation(
    status: str = "open",
    resolved_ago: timedelta | None = None,
    participants: frozenset[str] = frozenset(),
) -> KnownConversation:
    resolved_at = NOW - resolved_ago if resolved_ago is not None else None
    return KnownConversation(CONV, CAROL, participants, status, resolved_at)


def known(conv: KnownConversation, message_ids: tuple[str, ...] = (CAROL_FIRST,)) -> Known:
    return Known({m: conv for m in message_ids}, {conv.id: conv})


def thread(mail: ParsedMail, lookup: Known) -> Thread:
    return decide(mail, lookup, tokens, OURS, NOW, WINDOW)


def test_gmail_reply_threads_by_in_reply_to(parser: MailParser) -> None:
    # In-Reply-To is our Message-ID; the lookup does not know it, the signed token does.
    raw = shapes.gmail_reply(CAROL, shapes.SUPPORT, "Order", SENT_ID, [CAROL_FIRST, SENT_ID], "Ok")
    result = thread(parser.parse(raw), Known({}, {CONV: conversation()}))
    assert result == Thread(CONV, "in-reply-to")


def test_references_when_in_reply_to_is_unknown(parser: MailParser) -> None:
    raw = shapes.apple_reply(
        CAROL,
        shapes.SUPPORT,
        "Order",
        "lost@elsewhere.test",
        [CAROL_FIRST, "lost@elsewhere.test"],
        "Yes",
    )
    result = thread(parser.parse(raw), known(conversation()))
    assert result.conversation_id == CONV and result.rule == "references"


def test_outlook_reply_without_headers_threads_by_reply_token(parser: MailParser) -> None:
    reply_to = tokens.reply_address(shapes.SUPPORT, CONV)
    raw = shapes.outlook_reply(CAROL, reply_to, f"Order [#{CONV}]", "Thanks")
    mail = parser.parse(raw)
    assert mail.in_reply_to == () and mail.references == ()
    assert thread(mail, known(conversation())) == Thread(CONV, "reply-address token")


def test_subject_tag_threads_a_participant(parser: MailParser) -> None:
    raw = shapes.outlook_reply(CAROL, shapes.SUPPORT, f"Order [#{CONV}]", "Thanks")
    assert thread(parser.parse(raw), known(conversation())) == Thread(CONV, "subject tag")


def test_forged_or_foreign_token_is_ignored(parser: MailParser) -> None:
    forged = f"support+{CONV}-000000000000@example.com"
    mail = parser.parse(shapes.outlook_reply(CAROL, forged, "Order", "Hi"))
    assert thread(mail, known(conversation())) == Thread(None, "new conversation")


def test_stranger_quoting_a_ticket_gets_a_new_linked_conversation(parser: MailParser) -> None:
    raw = shapes.first_mail(
        "Mallory <mallory@evil.test>",
        f"About [#{CONV}]",
        "let me in",
        to=tokens.reply_address(shapes.SUPPORT, CONV),
    )
    result = thread(parser.parse(raw), known(conversation()))
    assert result.conversation_id is None and result.linked_to == CONV
    assert result.rule == "new conversation (not a participant)"


def test_cc_participant_reply_joins_and_new_cc_is_recorded(parser: MailParser) -> None:
    raw = shapes.outlook_reply(
        DAN,
        tokens.reply_address(shapes.SUPPORT, CONV),
        "Order",
        "Dan here, I am Carol's colleague",
        cc=f"{CAROL}, erin@customer.test",
    )
    result = thread(parser.parse(raw), known(conversation(participants=frozenset({DAN}))))
    assert result.conversation_id == CONV
    assert result.participants == ("erin@customer.test",)  # Carol is the customer already


def test_first_mail_records_its_cc(parser: MailParser) -> None:
    mail = parser.parse(shapes.first_mail(cc=f"{DAN}, Support <{shapes.SUPPORT}>"))
    assert thread(mail, Known({}, {})) == Thread(None, "new conversation", participants=(DAN,))


def test_bcc_stranger_joins_by_headers_but_is_not_the_customer(parser: MailParser) -> None:
    # Frank got Carol's mail as a BCC and replies to it: the headers thread it; he is
    # neither made the customer nor recorded as a participant.
    raw = shapes.gmail_reply(
        "frank@else.test", shapes.SUPPORT, "Order", CAROL_FIRST, [CAROL_FIRST], "Frank here"
    )
    result = thread(parser.parse(raw), known(conversation()))
    assert result == Thread(CONV, "in-reply-to")
    assert "frank@else.test" not in result.participants


def test_resolved_conversation_reopens_within_the_window(parser: MailParser) -> None:
    raw = shapes.gmail_reply(CAROL, shapes.SUPPORT, "Order", SENT_ID, [SENT_ID], "Again")
    lookup = known(conversation("resolved", resolved_ago=timedelta(days=2)), (SENT_ID,))
    assert thread(parser.parse(raw), lookup) == Thread(CONV, "in-reply-to", reopen=True)


def test_resolved_conversation_past_the_window_links_a_new_one(parser: MailParser) -> None:
    raw = shapes.apple_reply(CAROL, shapes.SUPPORT, "Order", SENT_ID, [SENT_ID], "Again")
    lookup = known(conversation("resolved", resolved_ago=timedelta(days=30)), (SENT_ID,))
    result = thread(parser.parse(raw), lookup)
    assert result == Thread(None, "in-reply-to; reopen window passed", linked_to=CONV)


def test_changed_subject_keeps_the_thread(parser: MailParser) -> None:
    raw = shapes.gmail_reply(
        CAROL,
        shapes.SUPPORT,
        "Something else entirely",
        SENT_ID,
        [SENT_ID],
        "New topic, same thread",
    )
    assert thread(parser.parse(raw), known(conversation())).conversation_id == CONV


def test_headers_win_over_a_tag_for_another_conversation(parser: MailParser) -> None:
    raw = shapes.gmail_reply(CAROL, shapes.SUPPORT, f"Order [#{OTHER}]", SENT_ID, [SENT_ID], "x")
    other = KnownConversation(OTHER, CAROL, frozenset(), "open")
    lookup = Known({}, {CONV: conversation(), OTHER: other})
    assert thread(parser.parse(raw), lookup).conversation_id == CONV


def test_candidate_ids_cover_every_lookup(parser: MailParser) -> None:
    raw = shapes.gmail_reply(
        CAROL,
        tokens.reply_address(shapes.SUPPORT, OTHER),
        f"x [#{CONV}]",
        SENT_ID,
        [CAROL_FIRST, SENT_ID],
        "x",
    )
    message_ids, conversation_ids = candidate_ids(parser.parse(raw), tokens)
    assert message_ids == {SENT_ID, CAROL_FIRST}
    assert conversation_ids == {CONV, OTHER}


@pytest.mark.parametrize(
    ("subject", "expected"),
    [
        ("Order", "Re: Order [#%s]"),
        ("Re: RE: Aw: Order", "Re: Order [#%s]"),
        ("Re[2]: Order [#%s]", "Re: Order [#%s]"),
        ("", "Re: Your message [#%s]"),
        ("Fwd: Order", "Re: Fwd: Order [#%s]"),
    ],
)
def test_reply_subject_normalizes_re(subject: str, expected: str) -> None:
    subject = subject.replace("%s", CONV)
    assert reply_subject(subject, CONV) == expected % CONV
    if subject:
        assert base_subject(reply_subject(subject, CONV)) == base_subject(subject)


def test_tokens_round_trip_and_reject_tampering() -> None:
    address = tokens.reply_address("support+old@example.com", CONV)
    assert address.startswith("support+") and tokens.conversation_of_address(address) == CONV
    assert tokens.conversation_of_address(address.replace(CONV, OTHER)) is None
    assert tokens.conversation_of_message_id(SENT_ID) == CONV
    assert tokens.conversation_of_message_id(SENT_ID.replace(shapes.OUR_DOMAIN, "x.test")) is None
    assert Tokens(b"other-secret", shapes.OUR_DOMAIN).conversation_of_message_id(SENT_ID) is None
