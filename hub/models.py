"""The hub's own records: what storage returns and what the wire shows. Storage tables never
leave storage/; these frozen models are what the rest of the code sees."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from hub.ids import AgentId, ConversationId, CustomerId, MessageId, OfferId

# A channel's name; `hub.channel.Channel` is the protocol a channel adapter keeps.
ChannelName = Literal["webchat", "email", "sms", "voice"]
CHANNELS: tuple[ChannelName, ...] = ("webchat", "email", "sms", "voice")
# pending: waiting in its queue; open: assigned; snoozed: held until `snoozed_until` (not
# offered), then back to pending (or open, if it has an assignee); resolved: done.
ConversationStatus = Literal["pending", "open", "snoozed", "resolved"]
CONVERSATION_STATUSES: tuple[ConversationStatus, ...] = ("open", "pending", "snoozed", "resolved")
# The statuses in which an assignee holds the conversation (and one of their slots): a
# snoozed conversation stays its assignee's and comes back open to them.
HELD_STATUSES: tuple[ConversationStatus, ...] = ("open", "snoozed")
# The kind of customer identity each channel's address is (opt-outs are kept per identity).
IDENTITY_KIND: dict[ChannelName, str] = {"sms": "phone", "voice": "phone", "email": "email"}
Presence = Literal["available", "away", "offline"]
Role = Literal["agent", "supervisor", "admin"]
Direction = Literal["in", "out"]
Author = Literal["customer", "agent", "system"]
# An outbound message's way to the customer: the outbox states, then the provider's receipts.
DeliveryStatus = Literal["queued", "sending", "sent", "delivered", "undelivered", "failed", "read"]


class Record(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


# How a web chat identity's address shows: what is stored is the hash of the visitor's token,
# the customer's only credential, and it never leaves storage.
WEB_VISITOR = "web visitor"


class Identity(Record):
    kind: str  # "email", "phone", "webchat" (address shown as WEB_VISITOR)
    address: str
    # False for a claim nobody proved (an email typed into the chat widget): mail from that
    # address is never filed under this customer, and agents see it marked unverified.
    verified: bool = True
    # When the customer opted out of this address (SMS STOP); sends to it are refused.
    opted_out_at: datetime | None = None


class Attachment(Record):
    """A file on a message: MMS media at the provider's URL, or an email part stored by hash."""

    name: str
    content_type: str
    size: int | None = None
    url: str
    sha256: str | None = None


class Customer(Record):
    id: CustomerId
    display_name: str
    email: str | None = None
    identities: tuple[Identity, ...] = ()
    created_at: datetime


class Conversation(Record):
    id: ConversationId
    customer_id: CustomerId
    customer_name: str
    channel: ChannelName
    queue: str
    status: ConversationStatus
    priority: int = 0
    assignee_id: AgentId | None = None
    assignee_name: str | None = None
    # Waiting for this agent only (a transfer or a reassignment to them), until they accept
    # it; a supervisor's choice holds until `pinned_until` at most, then it is the queue's.
    target_agent_id: AgentId | None = None
    pinned_until: datetime | None = None
    subject: str | None = None
    # The customer's address on this channel (E.164 number, email) and ours (number, mailbox).
    contact: str | None = None
    via: str | None = None
    # A related conversation shown to the agent (an old thread a new email referred to, ...).
    linked_to: ConversationId | None = None
    created_at: datetime
    # Since when the customer waits for an agent: set on arrival and on reopening, kept
    # through transfers, so the order of the queue and the wait shown stay the customer's.
    queued_at: datetime
    # Set by the first assignment only (hub/services/offers.py): the service level counts it.
    first_assigned_at: datetime | None = None
    first_response_at: datetime | None = None
    resolved_at: datetime | None = None
    # A snoozed conversation wakes then (hub/services/snoozes.py), or at the customer's next
    # message, whichever comes first.
    snoozed_until: datetime | None = None


class Label(Record):
    """A tag agents put on conversations (`billing`, `vip`); names are unique."""

    name: str
    color: str = "#888888"
    description: str = ""


class LastMessage(Record):
    """A conversation's latest message as the listing shows it."""

    text: str  # at most 140 characters
    direction: Direction
    at: datetime


class ListedConversation(Conversation):
    """A row of GET /api/v1/conversations: the conversation, its labels (by name), its latest
    message, and when anything last happened in it (the listing's order)."""

    labels: tuple[str, ...] = ()
    last_message: LastMessage | None = None
    last_activity_at: datetime


class Message(Record):
    id: MessageId
    conversation_id: ConversationId
    direction: Direction
    author: Author
    agent_id: AgentId | None = None
    agent_name: str | None = None
    channel: ChannelName
    text: str
    client_id: str | None = None
    created_at: datetime
    html: str | None = None
    attachments: tuple[Attachment, ...] = ()
    # The provider's id: Twilio MessageSid, the email Message-ID header.
    external_id: str | None = None
    meta: dict[str, Any] = Field(default_factory=dict)
    delivery_status: DeliveryStatus | None = None
    delivery_error: str | None = None


class Agent(Record):
    id: AgentId
    name: str
    email: str
    role: Role
    skills: tuple[str, ...] = ()
    capacity: dict[str, int] = Field(default_factory=dict)
    # Where calls are connected: an E.164 number, or "client:<identity>" (Twilio Client).
    voice_target: str | None = None
    status: Presence = "offline"
    # Cannot log in and is offered nothing; kept so the history naming them stays whole.
    disabled: bool = False

    @property
    def is_supervisor(self) -> bool:
        return self.role in ("supervisor", "admin")


class Session(Record):
    """What a session token or websocket ticket stands for: the agent, as loaded when it was
    checked, and the token version it was issued under (bumped by logout and a password
    change, which so revokes every earlier token)."""

    agent: Agent
    version: int
    expires_at: float  # epoch seconds


# Security entries, then admin changes (hub/services/admin.py, hub/services/queue_admin.py).
AuditKind = Literal[
    "lockout",
    "password_changed",
    "logout",
    "agent_created",
    "agent_updated",
    "agent_disabled",
    "agent_enabled",
    "password_reset",
    "queue_created",
    "queue_updated",
    "queue_deleted",
]


class AuditRecord(Record):
    """One line of the audit trail as it is written. `agent_id` is the agent the entry is
    about, `actor_id` the admin who made the change (None for security entries, made by the
    agent themselves or by nobody); `before` and `after` are the record (agent or queue) as
    it was and as it became."""

    at: datetime
    kind: AuditKind
    agent_id: AgentId | None = None
    email: str | None = None
    address: str | None = None
    detail: str = ""
    actor_id: AgentId | None = None
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None


class AuditEntry(AuditRecord):
    """One line of the audit trail as read (GET /api/v1/audit, `contacthub audit`)."""

    id: int


class LoginFailures(Record):
    """Wrong passwords for one email: how many in a row, how many lockouts so far (each
    longer than the last) and until when it is locked."""

    failures: int = 0
    lockouts: int = 0
    locked_until: datetime | None = None
    updated_at: datetime


class TimelineEntry(Record):
    id: int
    kind: str
    conversation_id: ConversationId | None
    at: datetime
    payload: dict[str, Any]


class QueueStats(Record):
    name: str
    waiting: int
    longest_wait_seconds: float
    service_level_seconds: int
    answered: int  # today's conversations first assigned (from when they were created)
    answered_within_target: int
    # Today's conversations never assigned yet and waiting longer than the target already:
    # whenever they are answered it will be late, so they count as missed now.
    waiting_past_target: int = 0

    @property
    def service_level_pct(self) -> float | None:
        """Answered within target, over answered plus waiting past target; None before any
        conversation was answered or missed, so a queue whose customers wait unanswered
        cannot read 100%."""
        counted = self.answered + self.waiting_past_target
        if not counted:
            return None
        return round(100.0 * self.answered_within_target / counted, 1)


OfferState = Literal["pending", "accepted", "rejected", "timeout", "cancelled"]


class LeaseTerm(Record):
    """One holder's tenure of a named lease (hub/ports/stores.py `Leases`). Writes fenced with
    it are refused once another holder has taken the lease, whose epoch is then higher."""

    name: str
    epoch: int


class Offer(Record):
    id: OfferId
    conversation_id: ConversationId
    agent_id: AgentId
    state: OfferState
    reason: str | None = None
    created_at: datetime
    expires_at: datetime
    decided_at: datetime | None = None


class InboundMessage(Record):
    """One customer message as a channel adapter normalized it. `dedupe_key` is the provider's
    unique id (Twilio MessageSid, email Message-ID + UID, web chat customer + client_id)."""

    channel: ChannelName
    customer_id: CustomerId
    dedupe_key: str
    text: str
    client_id: str | None = None
    subject: str | None = None
    queue: str
    priority: int = 0
    html: str | None = None
    attachments: tuple[Attachment, ...] = ()
    external_id: str | None = None
    contact: str | None = None
    via: str | None = None
    # Thread into this conversation (reopened if resolved) instead of the customer's open one.
    conversation_id: ConversationId | None = None
    # Open a fresh conversation even if the customer has one unresolved on this channel.
    new_conversation: bool = False
    linked_to: ConversationId | None = None
    meta: dict[str, Any] = Field(default_factory=dict)
    # When it arrived by the sender's clock (a backdated history, a service with a clock of
    # its own); None: when its batch is written, which is what live channels leave it at.
    received_at: datetime | None = None


class Ingested(Record):
    """What the group-commit writer gives back for one InboundMessage once its batch committed."""

    message: Message
    conversation: Conversation
    duplicate: bool


class Visitor(Record):
    """A returning web chat visitor: their customer and latest web chat conversation."""

    customer: Customer
    conversation: Conversation | None


class Call(Record):
    """A phone call: Twilio's CallSid, the conversation it opened, and where it stands
    (ringing, routing, queued, connecting, in-progress, completed, no-answer, busy, failed,
    voicemail, missed)."""

    sid: str
    conversation_id: ConversationId
    customer_id: CustomerId
    from_number: str
    to_number: str
    state: str
    agent_id: AgentId | None = None
    answered_at: datetime | None = None
    ended_at: datetime | None = None
    duration_seconds: int | None = None
    created_at: datetime


MailboxConnection = Literal["connecting", "syncing", "idle", "polling", "reconnecting", "stopped"]


class MailboxState(Record):
    """An email mailbox's poller as the supervisor page shows it."""

    name: str
    address: str
    connection: MailboxConnection = "connecting"
    last_error: str | None = None
    uidvalidity: int | None = None
    last_uid: int = 0
    imported: int = 0
    last_sync_at: datetime | None = None


class EmailThread(Record):
    """What email threading needs to know of a conversation (channels/email/threads.py)."""

    conversation_id: ConversationId
    customer_id: CustomerId
    contact: str | None
    status: ConversationStatus
    resolved_at: datetime | None = None
    participants: tuple[str, ...] = ()  # addresses CC'd into it, lowercased


class EmailReplyContext(Record):
    """What an outbound email reply needs from its conversation: the Message-IDs so far
    (oldest first, inbound and sent) for References, the one to answer, the latest subject,
    and the CC'd participants."""

    message_ids: tuple[str, ...] = ()
    in_reply_to: str | None = None
    subject: str | None = None
    participants: tuple[str, ...] = ()
