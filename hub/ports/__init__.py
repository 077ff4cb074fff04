"""What the hub needs from storage, as narrow Protocols, one per aggregate:
`transaction` holds the facets an action sees inside one write transaction, `inbound` the hot
path's batch contract, `stores` the async ports bundled as `Store`. Everything is re-exported
here, so the rest of hub imports `hub.ports`."""

from hub.ports.admin import AuditWrites, QueueStore, QueueWrites
from hub.ports.inbound import Emitted, InboundLookup, InboundPlan, InboundWriter, Placement
from hub.ports.listing import ConversationFilter, ConversationListing, PageKey, Scope
from hub.ports.profiles import CustomerProfiles
from hub.ports.search import Search
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
    CustomerWrites,
    Failed,
    IdentityWrites,
    InboundWrites,
    LabelWrites,
    LeaseReads,
    MessageWrites,
    OfferWrites,
    OutboxWrites,
    Transaction,
    UnitOfWork,
)
from hub.ports.workspace import CannedResponses, SavedViews

__all__ = [
    "Action",
    "AgentDirectory",
    "AgentWrites",
    "AuditWrites",
    "CallWrites",
    "Calls",
    "CannedResponses",
    "Connections",
    "ConversationFilter",
    "ConversationListing",
    "ConversationReader",
    "ConversationWrites",
    "CustomerProfiles",
    "CustomerWrites",
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
    "LabelWrites",
    "LeaseReads",
    "Leases",
    "MailboxCursors",
    "MessageWrites",
    "OfferWrites",
    "OutboxWrites",
    "PageKey",
    "Placement",
    "QueueStore",
    "QueueWrites",
    "SavedViews",
    "Scope",
    "Search",
    "Store",
    "Transaction",
    "UnitOfWork",
    "Visitors",
]
