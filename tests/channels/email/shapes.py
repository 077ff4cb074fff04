"""Mail shaped like what real clients send, built here (never copied from elsewhere): a first
customer mail, and replies as Gmail, Outlook and Apple Mail write them. Each returns bytes."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

__all__ = ["EmailMessage"]

SUPPORT = "support@example.com"
OUR_DOMAIN = "hub.example.com"


def _base(
    sender: str, to: str, subject: str, *, cc: str | None = None, message_id: str | None = None
) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = to
    if cc:
        msg["Cc"] = cc
    msg["Subject"] = subject
    msg["Date"] = format_datetime(datetime(2026, 11, 23, 10, 0, tzinfo=UTC))
    msg["Message-ID"] = message_id or make_msgid(domain=sender.split("@")[-1].strip(">"))
    return msg


def first_mail(
    sender: str = "Carol Customer <carol@customer.test>",
    subject: str = "My order has not arrived",
    body: str = "Hello, order 1234 has not arrived yet. Can you check?\n\nCarol",
    *,
    to: str = SUPPORT,
    cc: str | None = None,
    message_id: str | None = None,
) -> bytes:
    msg = _base(sender, to, subject, cc=cc, message_id=message_id)
    msg.set_content(body)
    return msg.as_bytes()


def html_mail(sender: str, subject: str, html: str, *, to: str = SUPPORT) -> bytes:
    """A first mail with text and HTML alternatives, as most clients send."""
    msg = _base(sender, to, subject)
    msg.set_content("(see the formatted version)")
    msg.add_alternative(html, subtype="html")
    return msg.as_bytes()


def gmail_reply(
    sender: str,
    to: str,
    subject: str,
    in_reply_to: str,
    references: list[str],
    new: str,
    *,
    cc: str | None = None,
) -> bytes:
    """multipart/alternative; a wrapped "On ... wrote:" line and "> " quoting; a gmail_quote
    div in the HTML."""
    msg = _base(
        sender,
        to,
        f"Re: {subject}",
        cc=cc,
        message_id=f"<CA+{secrets.token_hex(12)}@mail.gmail.com>",
    )
    msg["In-Reply-To"] = f"<{in_reply_to}>"
    msg["References"] = " ".join(f"<{r}>" for r in references)
    quoted = "> We are looking into it.\n> \n> Ann"
    msg.set_content(
        f"{new}\n\nOn Mon, 23 Nov 2026 at 09:00, Ann via Example Support <\n"
        f"{to}> wrote:\n\n{quoted}\n"
    )
    msg.add_alternative(
        f'<div dir="ltr">{new}</div><br><div class="gmail_quote"><div class="gmail_attr">On Mon,'
        f" 23 Nov 2026 at 09:00, Ann wrote:<br></div><blockquote>We are looking into it."
        "</blockquote></div>",
        subtype="html",
    )
    return msg.as_bytes()


def outlook_reply(
    sender: str,
    to: str,
    subject: str,
    new: str,
    *,
    cc: str | None = None,
    in_reply_to: str | None = None,
) -> bytes:
    """Outlook: "RE:" subject, Thread-Index, often no In-Reply-To/References at all (so only
    the reply address and the subject tag remain), and a From/Sent/To/Subject quote block."""
    msg = _base(
        sender,
        to,
        f"RE: {subject}",
        cc=cc,
        message_id=f"<DB9PR0{secrets.token_hex(8).upper()}@DB9PR01.eurprd01.prod.outlook.com>",
    )
    msg["Thread-Topic"] = subject
    msg["Thread-Index"] = "AQHZ" + secrets.token_hex(10)
    if in_reply_to:
        msg["In-Reply-To"] = f"<{in_reply_to}>"
    msg.set_content(
        f"{new}\r\n\r\nRegards,\r\nOlivia\r\n\r\n________________________________\r\n"
        f"From: Ann via Example Support <{SUPPORT}>\r\nSent: Monday, November 23, 2026 9:00 AM"
        f"\r\nTo: Olivia <{sender}>\r\nSubject: {subject}\r\n\r\nWe are looking into it.\r\n"
    )
    return msg.as_bytes()


def apple_reply(
    sender: str,
    to: str,
    subject: str,
    in_reply_to: str,
    references: list[str],
    new: str,
) -> bytes:
    """Apple Mail: "On <date>, at <time>, <name> wrote:" then "> " quoting; Re: subject."""
    msg = _base(
        sender, to, f"Re: {subject}", message_id=f"<{secrets.token_hex(8).upper()}-ABCD@icloud.com>"
    )
    msg["In-Reply-To"] = f"<{in_reply_to}>"
    msg["References"] = " ".join(f"<{r}>" for r in references)
    msg["X-Mailer"] = "Apple Mail (2.3774.200.91.1.1)"
    msg.set_content(
        f"{new}\n\nSent from my iPhone\n\n> On 23 Nov 2026, at 09:00, Ann via Example Support "
        f"<{to}> wrote:\n> \n> We are looking into it.\n> \n> Ann\n"
    )
    return msg.as_bytes()
