"""Loop protection: mail that a machine sent (auto-replies, bounces, bulk mail, our own
outbound coming back) never opens a conversation or triggers an auto-acknowledgement,
otherwise two auto-responders can mail each other forever (RFC 3834).

`List-Id` alone is not taken as bulk: support addresses are often Google Groups or
Microsoft 365 groups, which add it to every genuine customer mail. `List-Unsubscribe` is
only sent by bulk senders, so it counts."""

from __future__ import annotations

from collections.abc import Callable

from channels.email.headers import HeaderReader
from channels.email.parsed import Address

_DAEMONS = ("mailer-daemon", "postmaster", "mail-daemon", "noreply-dmarc-support")
_BULK = {"bulk", "junk", "list", "auto_reply", "auto-reply"}


def loop_reason(
    headers: HeaderReader,
    sender: Address | None,
    message_id: str | None,
    ours: Callable[[str], bool],
    content_type: str,
) -> str | None:
    """Why this mail must not open a conversation, or None for mail a person wrote.
    `ours(message_id)` says whether a Message-ID has the shape of ours (the signed token):
    colleagues' mail clients write Message-IDs in our domain too, and they are people."""
    auto = headers.text("Auto-Submitted").lower()
    if auto and auto != "no":
        return f"auto-submitted: {auto}"
    precedence = headers.text("Precedence").lower()
    if precedence in _BULK:
        return f"precedence: {precedence}"
    for name in ("X-Autoreply", "X-Autorespond", "X-Auto-Reply"):
        if headers.text(name):
            return f"{name.lower()} header"
    if headers.text("List-Unsubscribe"):
        return "bulk mail (list-unsubscribe)"
    if content_type == "multipart/report":
        return "delivery report"
    if sender is None or sender.address.split("@")[0] in _DAEMONS:
        return "mailer-daemon sender"
    if headers.text("X-ContactHub-Message"):
        return "our own outbound mail"
    if message_id and ours(message_id):
        return "our own outbound mail"
    return None
