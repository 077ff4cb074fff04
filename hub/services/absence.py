"""An agent nobody answers for: offers left to time out `routing.max_missed_offers` times in
a row set them away, in the transaction of the last timeout, so work is not offered to an
empty chair every timeout and the agent is told why it stopped coming."""

from __future__ import annotations

from dataclasses import dataclass

from hub.events import PresenceChanged
from hub.models import Offer
from hub.ports import Transaction


@dataclass(frozen=True)
class Closed:
    """An offer the router closed; whether its agent was set away by that (the router must
    not offer them the next one before it hears of it)."""

    agent_set_away: bool = False


def set_away_if_absent(tx: Transaction, offer: Offer, most: int) -> bool:
    """Offers left to time out `most` times in a row say nobody is at the console: set the
    agent away (as TaskRouter's timeout activity does), telling them why, so work goes to
    someone who is there and the agent knows why it stopped coming."""
    missed = tx.offers.missed_in_a_row(offer.agent_id, most)
    agent = tx.agents.get(offer.agent_id)
    if missed < most or agent is None or agent.status != "available":
        return False
    tx.agents.set_presence(agent.id, "away")
    reason = f"{missed} offers in a row went unanswered"
    tx.emit(PresenceChanged(agent_id=agent.id, status="away", reason=reason), audience=agent.id)
    return True
