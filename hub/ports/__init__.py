"""What the hub needs from storage, as narrow Protocols, one per aggregate:
`transaction` holds the facets an action sees inside one write transaction, `inbound` the hot
path's batch contract, `stores` the async ports bundled as `Store`. Everything is re-exported
here, so the rest of hub imports `hub.ports`."""

from hub.ports.inbound import Emitted, InboundLookup, InboundPlan, InboundWriter, Placement
from hub.ports.stores import (
    AgentDirectory,
    Calls,
    Connections,
    ConversationReader,
    Customers,
    EmailStore,
    EventLog,
    Leases,
    MailboxCursors,
    Store,
    Visitors,
)
from hub.ports.transaction import (
    Action,
    AgentWrites,
    CallWrites,
    ConversationWrites,
    Failed,
    IdentityWrites,
    InboundWrites,
    LeaseReads,
    MessageWrites,
    OfferWrites,
    OutboxWrites,
    Transaction,
    UnitOfWork,
)

__all__ = [
    "Action",
    "AgentDirectory",
    "AgentWrites",
    "CallWrites",
    "Calls",
    "Connections",
    "ConversationReader",
    "ConversationWrites",
    "Customers",
    "EmailStore",
    "Emitted",
    "EventLog",
    "Failed",
    "IdentityWrites",
    "InboundLookup",
    "InboundPlan",
    "InboundWriter",
    "InboundWrites",
    "LeaseReads",
    "Leases",
    "MailboxCursors",
    "MessageWrites",
    "OfferWrites",
    "OutboxWrites",
    "Placement",
    "Store",
    "Transaction",
    "UnitOfWork",
    "Visitors",
]
