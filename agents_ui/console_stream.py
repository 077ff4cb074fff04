"""What the agent console is sent of the hub's state: the welcome snapshot, offers, and each
stream event as a frame with its id (docs/protocol.md, "Agent socket")."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from hub.events import Assigned, Envelope, OfferMade
from hub.models import Agent, Offer
from hub.ports import ConversationReader
from hub.services.offers import preview_of


class ConsoleFrames:
    def __init__(self, reader: ConversationReader) -> None:
        self._reader = reader

    async def welcome(self, agent: Agent, last_event_id: int) -> dict[str, Any]:
        """What the agent holds and is offered now, and the id the live stream goes on from."""
        offers = [await self.offer(o) for o in await self._reader.pending_offers(agent.id)]
        conversations = await self._reader.assigned_to(agent.id)
        return {
            "type": "welcome",
            "agent": agent.model_dump(mode="json"),
            "last_event_id": last_event_id,
            "conversations": [c.model_dump(mode="json") for c in conversations],
            "offers": [frame for frame in offers if frame is not None],
        }

    async def offer(self, offer: Offer) -> dict[str, Any] | None:
        conversation = await self._reader.conversation(offer.conversation_id)
        if conversation is None:
            return None
        said = [
            m.text for m in await self._reader.messages(conversation.id) if m.author == "customer"
        ]
        return {
            "type": "offer",
            "preview": preview_of(said[-1] if said else None),
            "offer_id": offer.id,
            "agent_id": offer.agent_id,
            "conversation": conversation.model_dump(mode="json"),
            "expires_at": offer.expires_at.isoformat(),
            "expires_in": seconds_until(offer.expires_at),
            "waiting_since": conversation.queued_at.isoformat(),
            "waited_seconds": seconds_since(conversation.queued_at),
        }

    async def stream(self, envelope: Envelope) -> dict[str, Any]:
        """A stream event's frame. Offers and assignments reference their conversation; the
        console is sent it as it stands now, so a replayed one shows it up to date."""
        event = envelope.event
        frame = {
            "event_id": envelope.id,
            "at": envelope.at.isoformat(),
            **event.model_dump(mode="json"),
        }
        if isinstance(event, OfferMade):
            frame["expires_in"] = seconds_until(event.expires_at)
            if event.waiting_since is not None:
                frame["waited_seconds"] = seconds_since(event.waiting_since)
        if isinstance(event, OfferMade | Assigned):
            conversation = await self._reader.conversation(event.conversation_id)
            frame["conversation"] = conversation.model_dump(mode="json") if conversation else None
        return frame


def seconds_until(at: datetime) -> float:
    return max(0.0, round((at - datetime.now(UTC)).total_seconds(), 1))


def seconds_since(at: datetime) -> float:
    """Relative to when the frame is sent, as `expires_in` is: the console's clock may be off."""
    return max(0.0, round((datetime.now(UTC) - at).total_seconds(), 1))
