"""The router's records: an agent's slots, a conversation's ticket, an offer's reservation.
Plain dataclasses: RoutingState alone creates and changes them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from hub.ids import AgentId, ConversationId, CustomerId, OfferId
from hub.models import Offer, Presence


@dataclass
class AgentSlot:
    agent_id: AgentId
    status: Presence
    skills: frozenset[str]
    capacity: Mapping[str, int]
    idle_since: datetime | None = None
    # channel -> conversations assigned to or reserved for this agent. Sets, so a reservation
    # that turns into an assignment, or an event applied twice, still takes one slot.
    load: dict[str, set[ConversationId]] = field(default_factory=dict)

    def load_on(self, channel: str) -> int:
        return len(self.load.get(channel, ()))

    def capacity_on(self, channel: str) -> int:
        return self.capacity.get(channel, 0)

    def serves(self, channel: str) -> bool:
        return self.status == "available" and self.capacity_on(channel) > 0


@dataclass
class Ticket:
    """An unresolved conversation. It is waiting while `assignee` is None."""

    conversation_id: ConversationId
    customer_id: CustomerId
    queue: str
    channel: str
    priority: int
    queued_at: datetime
    target_agent_id: AgentId | None = None
    pinned_until: datetime | None = None  # a supervisor's pin ends then (hub/services/pins.py)
    assignee: AgentId | None = None
    declined_by: set[AgentId] = field(default_factory=set)


@dataclass(frozen=True)
class Reservation:
    """A pending offer; it holds a slot of its agent until it is decided."""

    offer_id: OfferId
    conversation_id: ConversationId
    agent_id: AgentId
    expires_at: datetime
    timeout_seconds: float
    channel: str = ""

    @classmethod
    def of(cls, offer: Offer) -> Reservation:
        timeout = (offer.expires_at - offer.created_at).total_seconds()
        return cls(offer.id, offer.conversation_id, offer.agent_id, offer.expires_at, timeout)


class DecidedOffers:
    """Offer ids decided lately, the oldest forgotten first, so a late echo of an offer's
    OfferMade is not taken for a new one. Echoes arrive within moments; `limit` only has to
    outlast a burst."""

    def __init__(self, limit: int = 10_000) -> None:
        self._limit = limit
        self._ids: dict[OfferId, None] = {}  # an insertion-ordered set

    def add(self, offer_id: OfferId) -> None:
        self._ids[offer_id] = None
        if len(self._ids) > self._limit:
            del self._ids[next(iter(self._ids))]

    def __contains__(self, offer_id: object) -> bool:
        return offer_id in self._ids
