"""The inbound hot path's port. The rules of where a message lands live in hub
(hub/flow/placement.py) as a pure function over a lookup; storage fills the lookup for a
whole batch with a few set-based reads, applies the function, and writes its plan, all in one
serialized write transaction, so no other writer moves a conversation in between."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from hub.events import Envelope, Event
from hub.ids import AgentId, ConversationId, CustomerId
from hub.models import ChannelName, Conversation, InboundMessage, Ingested, Message

# An event, the agent whose stream it belongs to, and when it happened (None: at the write).
Emitted = tuple[Event, AgentId | None, datetime | None]


@dataclass(frozen=True)
class InboundLookup:
    """What the database holds that a batch of inbound messages touches."""

    # Messages already stored under one of the batch's dedupe keys (a provider's retry).
    known: Mapping[str, Ingested]
    # The conversations the batch names (`InboundMessage.conversation_id`), found ones only.
    named: Mapping[ConversationId, Conversation]
    # Each batch customer's newest unresolved conversation per channel.
    unresolved: Mapping[tuple[CustomerId, ChannelName], Conversation]
    # Display names of the batch's customers, for the conversations opened for them.
    customer_names: Mapping[CustomerId, str]


@dataclass
class InboundPlan:
    """What to write for a batch, decided by hub; storage writes it as it stands."""

    results: list[Ingested]  # in input order, repeats marked duplicate
    opened: list[Conversation] = field(default_factory=list)
    reopened: list[Conversation] = field(default_factory=list)
    messages: list[tuple[Message, CustomerId, str]] = field(default_factory=list)  # + key
    emitted: list[Emitted] = field(default_factory=list)


Placement = Callable[[Sequence[InboundMessage], InboundLookup, datetime], InboundPlan]


class InboundWriter(Protocol):
    async def ingest(
        self, batch: Sequence[InboundMessage], place: Placement
    ) -> tuple[list[Ingested], list[Envelope]]:
        """In one transaction: read the batch's `InboundLookup`, let `place` decide, write
        the plan (conversations opened and reopened, messages, timeline entries and events)
        and commit. Results come in input order, with the envelopes to publish after commit."""
        ...
