"""MIME parsing at the edge: bodies, charsets, attachments, quoted history, loop and bounce
detection, and bad input that must never crash (stored raw, marked with the error)."""

from __future__ import annotations

import base64
import os
from email.message import EmailMessage
from pathlib import Path

import pytest

from channels.email.attachments import AttachmentStore
from channels.email.parse import MailParser
from channels.email.tokens import Tokens
from tests.channels.email import shapes

OURS = Tokens(b"test-secret", shapes.OUR_DOMAIN)
SENT = OURS.message_id("m1", "0005f1a2b3c4d5e6f7a8b9c0")  # one of our outbound Message-IDs


@pytest.fixture
def parser(tmp_path: Path) -> MailParser:
    return MailParser(AttachmentStore(tmp_path / "attachments", max_bytes=1_000_000), OURS)


def test_plain_first_mail(parser: MailParser) -> None:
    mail = parser.parse(shapes.first_mail(message_id="<m1@customer.test>", cc="dan@customer.test"))
    assert mail.parse_error is None
    assert mail.message_id == "m1@customer.test"
    assert mail.sender is not None and mail.sender.address == "carol@customer.test"
    assert mail.sender.name == "Carol Customer"
    assert [a.address for a in mail.cc] == ["dan@customer.test"]
    assert mail.subject == "My order has not arrived"
    assert mail.new_text.startswith("Hello, order 1234")
    assert mail.quoted == "" and mail.loop_reason is None and mail.bounce is None
    assert parser.store.path(mail.raw_sha256) is None  # readable mail: the mailbox keeps it


def test_gmail_reply_splits_quote_and_sanitizes_html(parser: MailParser) -> None:
    raw = shapes.gmail_reply(
        "carol@customer.test",
        shapes.SUPPORT,
        "Order",
        "a.b@hub.example.com",
        ["m1@customer.test", "a.b@hub.example.com"],
        "Thanks, it arrived <script>x</script>",
    )
    mail = parser.parse(raw)
    assert mail.in_reply_to == ("a.b@hub.example.com",)
    assert mail.references == ("m1@customer.test", "a.b@hub.example.com")
    assert mail.new_text == "Thanks, it arrived <script>x</script>"  # text stays text
    assert mail.quoted.startswith("On Mon, 23 Nov 2026") and "looking into it" in mail.quoted
    assert mail.html is not None and "<script" not in mail.html and "gmail_quote" not in mail.html
    assert "Thanks, it arrived" in mail.html


def test_outlook_reply_splits_at_the_header_block(parser: MailParser) -> None:
    mail = parser.parse(
        shapes.outlook_reply("olivia@corp.test", shapes.SUPPORT, "Invoice", "Fine.")
    )
    assert mail.new_text == "Fine.\n\nRegards,\nOlivia"
    assert mail.quoted.startswith("________________________________\nFrom: Ann via")
    assert mail.subject == "RE: Invoice" and mail.in_reply_to == ()


def test_outlook_original_message_marker(parser: MailParser) -> None:
    body = "See below.\n\n-----Original Message-----\nFrom: Ann\nSent: today\nOld text"
    mail = parser.parse(shapes.first_mail(body=body))
    assert mail.new_text == "See below."
    assert mail.quoted.startswith("-----Original Message-----")


def test_apple_mail_reply(parser: MailParser) -> None:
    raw = shapes.apple_reply(
        "ian@icloud.test",
        shapes.SUPPORT,
        "Hi",
        "x.y@hub.example.com",
        ["x.y@hub.example.com"],
        "Yes",
    )
    mail = parser.parse(raw)
    assert mail.new_text == "Yes\n\nSent from my iPhone"
    assert mail.quoted.startswith("> On 23 Nov 2026, at 09:00")


def test_interleaved_reply_is_kept_whole(parser: MailParser) -> None:
    body = "> Which order?\n1234\n> And the date?\nMonday"
    mail = parser.parse(shapes.first_mail(body=body))
    assert mail.new_text == body and mail.quoted == ""


def _with_attachments(inline_image: bytes, document: bytes) -> bytes:
    msg = EmailMessage()
    msg["From"] = "carol@customer.test"
    msg["To"] = shapes.SUPPORT
    msg["Subject"] = "Photo"
    msg["Message-ID"] = "<att@customer.test>"
    msg.set_content("See the photo.")
    msg.add_alternative('<p>See <img src="cid:photo1@c"></p>', subtype="html")
    html_part = msg.get_payload()[1]
    html_part.add_related(inline_image, "image", "png", cid="<photo1@c>")
    msg.add_attachment(document, maintype="application", subtype="pdf", filename="../../etc/x.pdf")
    return msg.as_bytes()


def test_attachments_and_inline_images_stored_by_hash(tmp_path: Path) -> None:
    store = AttachmentStore(tmp_path / "att", max_bytes=100)
    parser = MailParser(store, OURS)
    mail = parser.parse(_with_attachments(b"\x89PNG small", b"%PDF" + b"x" * 500))
    image, document = mail.attachments
    assert image.inline and image.content_id == "photo1@c" and image.stored
    assert (store.root / image.sha256).read_bytes() == b"\x89PNG small"
    assert mail.html is not None and f"/api/v1/attachments/{image.sha256}/" in mail.html
    assert document.name == "x.pdf" and document.size == 504
    assert not document.stored and store.path(document.sha256) is None  # over the limit
    assert store.path("../secret") is None


def test_unknown_charset_falls_back_and_is_recorded(parser: MailParser) -> None:
    raw = (
        b"From: a@customer.test\r\nTo: support@example.com\r\nSubject: x\r\n"
        b"Message-ID: <cs@customer.test>\r\nContent-Type: text/plain; charset=x-klingon\r\n\r\n"
        b"caf\xc3\xa9\r\n"
    )
    mail = parser.parse(raw)
    assert mail.text.strip() == "café"
    assert mail.charset_fallbacks == ("x-klingon: unknown charset, read as utf-8",)


def test_bytes_invalid_in_declared_charset(parser: MailParser) -> None:
    raw = (
        b"From: a@customer.test\r\nSubject: x\r\nMessage-ID: <cs2@customer.test>\r\n"
        b"Content-Type: text/plain; charset=utf-8\r\n\r\nna\xefve \xff\xfe text\r\n"
    )
    mail = parser.parse(raw)
    assert "text" in mail.text and "\ufffd" in mail.text
    assert mail.charset_fallbacks == ("utf-8: invalid bytes, replaced",)


def test_windows_1252_body(parser: MailParser) -> None:
    raw = (
        b"From: a@customer.test\r\nSubject: x\r\nMessage-ID: <cp@customer.test>\r\n"
        b"Content-Type: text/plain; charset=windows-1252\r\n\r\n\x93quoted\x94 \x80 5\r\n"
    )
    mail = parser.parse(raw)
    assert mail.text.strip() == "\u201cquoted\u201d \u20ac 5" and mail.charset_fallbacks == ()


def test_missing_message_id_is_a_parse_error_keyed_by_content(parser: MailParser) -> None:
    raw = b"From: a@customer.test\r\nSubject: no id\r\n\r\nhello\r\n"
    mail = parser.parse(raw)
    assert mail.message_id is None and mail.parse_error is not None
    assert "no Message-ID" in mail.parse_error
    assert mail.key == f"sha256:{mail.raw_sha256}" and mail.text.strip() == "hello"


def test_header_injection_through_encoded_words(parser: MailParser) -> None:
    evil = base64.b64encode(b"Hello\r\nBcc: victim@example.org").decode()
    raw = (
        f"From: a@customer.test\r\nSubject: =?utf-8?b?{evil}?=\r\n"
        "Message-ID: <inj@customer.test>\r\n\r\nbody\r\n"
    ).encode()
    mail = parser.parse(raw)
    assert "\n" not in mail.subject and "\r" not in mail.subject
    assert mail.parse_error is not None and "header injection" in mail.parse_error


def test_eight_bit_garbage_headers(parser: MailParser) -> None:
    raw = b"From: \xff\xfe Gr\xfcn <g@customer.test>\r\nSubject: \xe9t\xe9\r\n\r\n\x00\x01\xff\r\n"
    mail = parser.parse(raw)
    assert mail.parse_error is not None
    mail.subject.encode("utf-8")  # storable: no surrogates left
    assert mail.sender is not None and mail.sender.address == "g@customer.test"


def test_malformed_mime_never_raises(parser: MailParser) -> None:
    raw = (
        b"From: a@customer.test\r\nMessage-ID: <mal@customer.test>\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/mixed; boundary="XYZ"\r\n\r\n--XYZ\r\nContent-Type: text/plain'
        b"\r\nContent-Transfer-Encoding: base64\r\n\r\n!!!not base64!!!\r\n--XY"
    )
    mail = parser.parse(raw)
    assert mail.parse_error is not None and mail.raw == raw


@pytest.mark.parametrize("seed", range(5))
def test_random_bytes_never_raise(parser: MailParser, seed: int) -> None:
    raw = os.urandom(2000 + seed)
    mail = parser.parse(raw)
    assert mail.parse_error is not None and (parser.store.root / mail.raw_sha256).exists()


def test_thirty_megabyte_mail(tmp_path: Path) -> None:
    parser = MailParser(AttachmentStore(tmp_path / "att", max_bytes=10_000_000), OURS)
    big = os.urandom(30 * 1024 * 1024)
    msg = EmailMessage()
    msg["From"] = "a@customer.test"
    msg["Message-ID"] = "<big@customer.test>"
    msg.set_content("Huge file attached")
    msg.add_attachment(big, maintype="application", subtype="octet-stream", filename="big.bin")
    mail = parser.parse(msg.as_bytes())
    assert mail.parse_error is None and mail.new_text == "Huge file attached"
    (attachment,) = mail.attachments
    assert attachment.size == len(big) and not attachment.stored


@pytest.mark.parametrize(
    ("header", "reason"),
    [
        ("Auto-Submitted: auto-replied", "auto-submitted: auto-replied"),
        ("Precedence: bulk", "precedence: bulk"),
        ("Precedence: junk", "precedence: junk"),
        ("X-Autoreply: yes", "x-autoreply header"),
        ("List-Unsubscribe: <mailto:u@news.test>", "bulk mail (list-unsubscribe)"),
        ("X-ContactHub-Message: 1", "our own outbound mail"),
    ],
)
def test_loop_protection_headers(parser: MailParser, header: str, reason: str) -> None:
    raw = f"From: a@customer.test\r\nMessage-ID: <l@customer.test>\r\n{header}\r\n\r\nx\r\n"
    assert parser.parse(raw.encode()).loop_reason == reason


def test_loop_protection_senders_and_own_message_ids(parser: MailParser) -> None:
    daemon = parser.parse(shapes.first_mail(sender="MAILER-DAEMON@mx.customer.test"))
    assert daemon.loop_reason == "mailer-daemon sender"
    ours = parser.parse(shapes.first_mail(message_id=f"<{SENT}>"))
    assert ours.loop_reason == "our own outbound mail"
    # A colleague's mail client writes Message-IDs in our domain too: a person's mail.
    colleague = f"<CAF+x7Qk2@{shapes.OUR_DOMAIN}>"
    assert parser.parse(shapes.first_mail(message_id=colleague)).loop_reason is None
    forged = f"<m1.0005f1a2b3c4d5e6f7a8b9c0-000000000000@{shapes.OUR_DOMAIN}>"
    assert parser.parse(shapes.first_mail(message_id=forged)).loop_reason is None
    group = parser.parse(b"From: a@customer.test\r\nList-Id: <support.example.com>\r\n\r\nhi\r\n")
    assert group.loop_reason is None  # a Google Group as the support alias is a person's mail
    assert parser.parse(shapes.first_mail()).loop_reason is None


def _dsn(action: str, original_id: str) -> bytes:
    return (
        "From: Mail Delivery System <MAILER-DAEMON@mx.example.com>\r\n"
        "To: support@example.com\r\nSubject: Undelivered Mail Returned to Sender\r\n"
        "Message-ID: <dsn1@mx.example.com>\r\nMIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="B"\r\n\r\n'
        "--B\r\nContent-Type: text/plain\r\n\r\nThe mail could not be delivered.\r\n"
        "--B\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.example.com"
        f"\r\n\r\nFinal-Recipient: rfc822; nobody@customer.test\r\nAction: {action}\r\n"
        "Status: 5.1.1\r\nDiagnostic-Code: smtp; 550 5.1.1 User unknown\r\n\r\n"
        "--B\r\nContent-Type: text/rfc822-headers\r\n\r\nFrom: support@example.com\r\n"
        f"Message-ID: <{original_id}>\r\nSubject: Re: Order\r\n\r\n--B--\r\n"
    ).encode()


def test_bounce_names_our_failed_message(parser: MailParser) -> None:
    mail = parser.parse(_dsn("failed", SENT))
    assert mail.loop_reason == "delivery report"
    assert mail.bounce is not None
    assert mail.bounce.message_ids == (SENT,)
    assert mail.bounce.recipients == ("nobody@customer.test",)
    assert mail.bounce.reason == "5.1.1 550 5.1.1 User unknown"


def test_delay_notices_and_foreign_bounces_are_no_failure(parser: MailParser) -> None:
    assert parser.parse(_dsn("delayed", SENT)).bounce is None
    assert parser.parse(_dsn("failed", "someone@else.test")).bounce is None
    # A colleague's mail that bounced is not one of our sends.
    assert parser.parse(_dsn("failed", f"CAF+x7Qk2@{shapes.OUR_DOMAIN}")).bounce is None


def test_remote_images_are_held_back_and_inline_ones_kept() -> None:
    from channels.email.bodies import sanitize_html

    html = (
        '<p>Hi</p><img src="https://track.example/p.gif?u=1&amp;t=2" width="1">'
        '<img SRC=//cdn.example/a.png srcset="https://cdn.example/a2.png 2x"><img src="cid:logo">'
    )
    clean = sanitize_html(html, {"logo": "/api/v1/attachments/ab12/logo.png"})
    assert ' src="https:' not in clean and ' src="//' not in clean and "srcset" not in clean
    assert 'data-remote-src="https://track.example/p.gif?u=1&amp;t=2"' in clean
    assert 'data-remote-src="//cdn.example/a.png"' in clean
    assert '<img src="/api/v1/attachments/ab12/logo.png">' in clean
