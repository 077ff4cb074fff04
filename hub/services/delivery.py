"""Delivery receipts: an outbound message's status moves forward only, each step recorded on
the timeline and sent to the console. Providers call back out of order (Twilio may report
"delivered" before our own "sent" lands), so a step behind the current one is kept on the
timeline but does not move the status back."""

from __future__ import annotations

import logging

from hub.events import DeliveryUpdated
from hub.flow.publishing import PublishingWork
from hub.models import ChannelName, DeliveryStatus, Message
from hub.ports import Transaction

log = logging.getLogger(__name__)
RANK: dict[DeliveryStatus, int] = {
    "queued": 0,
    "sending": 1,
    "sent": 2,
    "delivered": 3,
    "undelivered": 3,
    "failed": 3,
    "read": 4,
}


def record_delivery(
    tx: Transaction,
    message: Message,
    status: DeliveryStatus,
    *,
    error: str | None = None,
    error_code: str | None = None,
    external_id: str | None = None,
    attempts: int | None = None,
) -> None:
    """Move `message` to `status` (unless it is already further on) and emit the step."""
    current = message.delivery_status
    if current is None or RANK[status] >= RANK[current]:
        tx.messages.set_delivery(message.id, status, error, external_id)
    elif external_id is not None and message.external_id is None:
        tx.messages.set_delivery(message.id, current, message.delivery_error, external_id)
    conversation = tx.conversations.get(message.conversation_id)
    if conversation is None:
        return
    tx.emit(
        DeliveryUpdated(
            conversation_id=conversation.id,
            customer_id=conversation.customer_id,
            message_id=message.id,
            channel=message.channel,
            status=status,
            attempts=attempts,
            error_code=error_code,
            error=error,
            external_id=external_id or message.external_id,
        ),
        audience=conversation.assignee_id,
    )


class DeliveryService:
    """Receipts from providers: Twilio status callbacks, email bounces."""

    def __init__(self, work: PublishingWork) -> None:
        self._work = work

    async def update(
        self,
        channel: ChannelName,
        external_id: str,
        status: DeliveryStatus,
        *,
        error: str | None = None,
        error_code: str | None = None,
    ) -> Message | None:
        """Record a receipt for the message the provider knows as `external_id`. Returns
        None, changing nothing, when no message has that id (a stranger's callback)."""

        def act(tx: Transaction) -> Message | None:
            message = tx.messages.by_external_id(channel, external_id)
            if message is None:
                return None
            record_delivery(tx, message, status, error=error, error_code=error_code)
            return message

        found = await self._work.run(act)
        if found is None:
            log.warning(
                "receipt for unknown %s message %s (%s) ignored", channel, external_id, status
            )
        return found
