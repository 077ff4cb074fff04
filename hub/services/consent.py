"""SMS consent keywords (the CTIA set Twilio also honours): STOP opts the customer out of the
number they wrote from, START opts them back in. The opt-out is kept on the identity, the
console is told, and replies to an opted-out address are refused before any send."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Literal

from hub.events import ConsentChanged
from hub.flow.publishing import PublishingWork
from hub.ids import CustomerId
from hub.models import ChannelName
from hub.ports import Transaction

Keyword = Literal["stop", "start", "help"]
KEYWORDS: dict[str, Keyword] = {
    **dict.fromkeys(
        ("STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "OPTOUT", "REVOKE"), "stop"
    ),
    **dict.fromkeys(("START", "YES", "UNSTOP", "OPTIN"), "start"),
    **dict.fromkeys(("HELP", "INFO"), "help"),
}


def keyword_of(text: str) -> Keyword | None:
    """The keyword a message is, if it is one: the whole message, in any case, with
    surrounding spaces and a trailing full stop forgiven ("Stop." counts, "stop it" not)."""
    return KEYWORDS.get(text.strip().rstrip(".!").strip().upper())


class ConsentService:
    def __init__(self, work: PublishingWork) -> None:
        self._work = work

    async def record(
        self,
        customer_id: CustomerId,
        channel: ChannelName,
        kind: str,
        address: str,
        keyword: Keyword,
        word: str,
    ) -> bool:
        """Apply STOP or START from `address`; True when it changed anything. A provider's
        retry of the same keyword changes nothing and writes nothing."""
        opted_out = keyword == "stop"

        def act(tx: Transaction) -> bool:
            found = tx.identities.get(kind, address)
            if found is None or (found[1].opted_out_at is not None) == opted_out:
                return False
            tx.identities.set_opt_out(kind, address, datetime.now(UTC) if opted_out else None)
            conversation = tx.conversations.open_for(customer_id, channel)
            tx.emit(
                ConsentChanged(
                    customer_id=customer_id,
                    conversation_id=conversation.id if conversation else None,
                    kind=kind,
                    address=address,
                    opted_out=opted_out,
                    keyword=word.strip().upper(),
                ),
                audience=conversation.assignee_id if conversation else None,
            )
            return True

        return await self._work.run(act)
