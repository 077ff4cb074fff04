"""Conversations and customers as agents read them."""

from __future__ import annotations

from collections.abc import Callable

from pydantic import BaseModel

from agents_ui.rest.endpoint import Call, Endpoint
from hub.errors import NotFound
from hub.ids import ConversationId, CustomerId
from hub.models import Agent, Conversation, Customer, Message, TimelineEntry
from hub.ports import ConversationReader, Scope
from hub.services.access import require_access


class ConversationDetail(BaseModel):
    conversation: Conversation
    messages: list[Message]


class CustomerTimeline(BaseModel):
    customer: Customer
    entries: list[TimelineEntry]


class ConversationRoutes:
    def __init__(self, reader: ConversationReader, scope: Callable[[Agent], Scope]) -> None:
        self._reader = reader
        self._scope = scope

    def endpoints(self) -> list[Endpoint]:
        return [
            Endpoint("GET", "/api/v1/conversations/{id}", self.conversation,
                     "A conversation with its messages", "conversations",
                     response=ConversationDetail),
            Endpoint("GET", "/api/v1/customers/{id}/timeline", self.timeline,
                     "A customer's timeline, every channel", "customers",
                     response=CustomerTimeline),
        ]  # fmt: skip

    async def conversation(self, call: Call) -> ConversationDetail:
        conversation_id = ConversationId(call.path("id"))
        conversation = await self._reader.conversation(conversation_id)
        if conversation is None:
            raise NotFound("conversation", conversation_id)
        require_access(self._scope(call.agent), conversation)
        messages = await self._reader.messages(conversation_id)
        return ConversationDetail(conversation=conversation, messages=messages)

    async def timeline(self, call: Call) -> CustomerTimeline:
        customer_id = CustomerId(call.path("id"))
        customer = await self._reader.customer(customer_id)
        if customer is None:
            raise NotFound("customer", customer_id)
        entries = await self._reader.timeline(customer_id)
        return CustomerTimeline(customer=customer, entries=entries)
