"""The outbox's records and the contract a channel's sender keeps. An outbound send is a row
committed with the change that asks for it; OutboxRelay (hub/outbox/relay.py) carries it out,
so a reply survives a crash and a provider outage and reaches the customer once.

A payload is one model of a closed union, chosen by its `kind`: it is validated when the row
is written (the model is built then) and again when the row is claimed (storage reads it back
through `read_payload`), so a sender only ever receives the typed model of its own kind."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, Generic, Literal, Protocol, TypeVar

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from hub.ids import ConversationId, CustomerId, MessageId
from hub.models import Attachment

OutboxState = Literal["pending", "sending", "sent", "failed"]


class Payload(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class SmsPayload(Payload):
    kind: Literal["sms"] = "sms"
    # The customer's number (E.164). None when the conversation has none: refused at send.
    to: str | None
    # Our number the customer wrote to; None: the configured default (or messaging service).
    sender: str | None = None
    text: str
    # Media at public URLs (as they came); and files we hold, sent as signed links.
    media_urls: tuple[str, ...] = ()
    attachments: tuple[Attachment, ...] = ()


class EmailPayload(Payload):
    kind: Literal["email"] = "email"
    to: str | None
    sender: str | None = None  # our mailbox the customer wrote to
    subject: str | None = None
    text: str
    agent_name: str | None = None
    attachments: tuple[Attachment, ...] = ()
    auto_reply: bool = False  # the auto-acknowledgement, marked per RFC 3834


class CallRedirectPayload(Payload):
    """Move a call waiting in the provider's queue to the agent who accepted it."""

    kind: Literal["call_redirect"] = "call_redirect"
    call_sid: str = Field(min_length=2)
    url: str = Field(pattern=r"^https?://")


OutboxPayload = Annotated[
    SmsPayload | EmailPayload | CallRedirectPayload, Field(discriminator="kind")
]
_PAYLOADS: TypeAdapter[OutboxPayload] = TypeAdapter(OutboxPayload)
P = TypeVar("P", bound=Payload)
P_contra = TypeVar("P_contra", bound=Payload, contravariant=True)


class UnreadablePayload(ValueError):
    """A stored payload that is not a valid model of its kind (written by hand, or by a
    version that knew other kinds): never handed to a sender."""

    def __init__(self, kind: str, reason: str) -> None:
        super().__init__(f"unreadable {kind} payload: {reason}")
        self.kind = kind
        self.reason = reason


def read_payload(kind: str, raw: Mapping[str, Any]) -> OutboxPayload:
    """A stored payload as its kind's model. The row's kind wins over one inside the JSON."""
    try:
        return _PAYLOADS.validate_python({**raw, "kind": kind})
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = first["loc"][1:] if first["loc"][:1] == (kind,) else first["loc"]  # the tag
        where = ".".join(str(part) for part in loc) or "payload"
        if first["type"] == "union_tag_invalid":
            raise UnreadablePayload(kind, "no sender knows this kind") from None
        raise UnreadablePayload(kind, f"{where}: {first['msg']}") from None


class OutboxItem(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    id: str
    # One send per key, whoever asks again: "message:<id>", "redirect:<CallSid>:<agent>".
    idempotency_key: str
    message_id: MessageId | None = None
    conversation_id: ConversationId | None = None
    customer_id: CustomerId | None = None
    payload: OutboxPayload
    state: OutboxState = "pending"
    attempts: int = 0
    next_attempt_at: datetime
    last_error: str | None = None

    @property
    def kind(self) -> str:
        """Which sender carries it: a channel ("sms", "email") or an action ("call_redirect")."""
        return self.payload.kind


@dataclass(frozen=True)
class OutboxRef:
    """An outbox row without its payload: enough to settle it and its message."""

    item_id: str
    message_id: MessageId | None
    attempts: int


@dataclass(frozen=True)
class Claimed:
    """What a claim found due: items marked sending, and rows whose payload does not read
    as its kind's model (left pending, with the reason, for the relay to fail)."""

    items: list[OutboxItem]
    refused: list[tuple[OutboxRef, str]]


class Sent(BaseModel):
    """What the provider said when it took the item: its id (Twilio SID, Message-ID) and the
    delivery status to record (a provider may report "queued" before "sent")."""

    model_config = ConfigDict(frozen=True)
    provider_id: str | None = None
    status: Literal["queued", "sent", "delivered"] = "sent"


class Sender(Protocol[P_contra]):
    async def send(self, item: OutboxItem, payload: P_contra) -> Sent:
        """Hand the item to the provider. Raise TransientSendError to be retried later, or
        PermanentSendError when retrying cannot help."""
        ...


@dataclass(frozen=True)
class SenderFor(Generic[P]):
    """A sender with the payload model it takes, so the relay hands it only that kind."""

    payload: type[P]
    sender: Sender[P]

    @property
    def kind(self) -> str:
        kind: str = self.payload.model_fields["kind"].default
        return kind
