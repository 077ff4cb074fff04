"""What a visitor may see: the customer socket's frames, built from hub records and events.
Agents appear by display name only; no frame carries an agent's id or other internal data
(meta, attachment URLs, which are agents' own, delivery state)."""

from __future__ import annotations

from typing import Any

from hub.events import Assigned, Envelope, Ephemeral, MessageCreated, StatusChanged
from hub.models import Message


def history_item(message: Message) -> dict[str, Any]:
    """A message of `welcome.history`, with the visitor's own `client_id` so the widget can
    match what it still holds unacknowledged."""
    item: dict[str, Any] = {
        "message_id": message.id,
        "conversation_id": message.conversation_id,
        "author": message.author,
        "agent_name": message.agent_name if message.author == "agent" else None,
        "text": message.text,
        "created_at": message.created_at.isoformat(),
    }
    if message.author == "customer" and message.client_id:
        item["client_id"] = message.client_id
    return item


def frame_for(message: Envelope | Ephemeral) -> dict[str, Any] | None:
    """The frame a visitor gets for what happened on their conversation, if any."""
    if isinstance(message, Ephemeral):
        return _ephemeral(message)
    event = message.event
    if isinstance(event, MessageCreated) and event.author == "agent":
        return {
            "type": "message",
            "message_id": event.message_id,
            "conversation_id": event.conversation_id,
            "author": "agent",
            "agent_name": event.agent_name,
            "text": event.text,
            "created_at": event.created_at.isoformat(),
        }
    if isinstance(event, Assigned):
        return {
            "type": "assigned",
            "conversation_id": event.conversation_id,
            "agent_name": event.agent_name,
        }
    if isinstance(event, StatusChanged) and event.status == "resolved":
        return {"type": "status", "conversation_id": event.conversation_id, "status": "resolved"}
    return None


def _ephemeral(message: Ephemeral) -> dict[str, Any] | None:
    if message.type == "queue":
        return {
            "type": "queue",
            "conversation_id": message.conversation_id,
            "position": message.position,
        }
    if message.author == "agent":
        return {
            "type": "typing",
            "conversation_id": message.conversation_id,
            "typing": message.typing,
            "agent_name": message.agent_name,
        }
    return None
