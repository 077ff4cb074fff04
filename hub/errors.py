"""The error tree. Every error carries the values an operator or client needs, and a `code`
that the wire protocol sends unchanged (see docs/protocol.md)."""

from __future__ import annotations


class HubError(Exception):
    code = "error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ConfigError(HubError):
    """Bad configuration: names the key and the reason; start-up stops."""

    code = "config"

    def __init__(self, key: str, reason: str) -> None:
        super().__init__(f"config {key}: {reason}")
        self.key = key
        self.reason = reason


class BadInput(HubError):
    """A frame or request that does not match the protocol; `field` names the part of a
    request body or query that is wrong, when one is."""

    code = "bad_frame"

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class Invalid(BadInput):
    """A REST request whose body, query or path does not match its schema (HTTP 400)."""

    code = "invalid"


class TooLarge(BadInput):
    code = "too_large"

    def __init__(self, size: int, limit: int) -> None:
        super().__init__(f"frame of {size} bytes exceeds the limit of {limit} bytes")
        self.size = size
        self.limit = limit


class NotFound(HubError):
    code = "not_found"

    def __init__(self, kind: str, ident: str) -> None:
        super().__init__(f"unknown {kind} {ident!r}")
        self.kind = kind
        self.ident = ident


class Forbidden(HubError):
    code = "forbidden"


class Conflict(HubError):
    """The state moved on before the action landed (offer decided, conversation resolved),
    or the change clashes with what is stored; `field` names the part of the request that
    clashes (an email already taken), when one does."""

    code = "conflict"

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class Unfit(Conflict):
    """The agent may not hold this conversation now (no free slot, on a call, lacking the
    queue's skills): the offer is not made, or not accepted."""

    def __init__(self, agent_id: str, conversation_id: str, reason: str) -> None:
        super().__init__(f"agent {agent_id} cannot take conversation {conversation_id}: {reason}")
        self.agent_id = agent_id
        self.conversation_id = conversation_id
        self.reason = reason


class LeaseLost(Conflict):
    """A write fenced with a lease's epoch came after another holder took the lease: the
    writer was deposed and must stop (its successor decides from now on)."""

    def __init__(self, name: str, epoch: int, current: int | None) -> None:
        super().__init__(
            f"the {name} lease is at epoch {current}, not {epoch}: this holder was deposed"
        )
        self.name = name
        self.epoch = epoch
        self.current = current


class AuthError(HubError):
    code = "auth"


class UnsupportedMedia(BadInput):
    """A request body of a content type the endpoint does not take (HTTP 415)."""


class RateLimited(HubError):
    """Too many attempts or requests from one client (logins per account or address, a
    locked account, chat messages per visitor or address): refused before anything is
    stored; try again after `retry_after` seconds (HTTP 429 with Retry-After, or an error
    frame with `retry_after`; resending the same `client_id` is safe)."""

    code = "rate_limited"

    def __init__(self, message: str, retry_after: float) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class Overloaded(HubError):
    """A bounded resource (the password hashing pool) is full: refused at once rather than
    queued without end (HTTP 503 with Retry-After)."""

    code = "busy"

    def __init__(self, message: str, retry_after: float = 1.0) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class StorageUnavailable(HubError):
    """The database could not be reached or timed out; the caller should retry later.
    `message` is what a client may be told; `detail` (the driver's words, which can quote
    SQL) is for the log only."""

    code = "unavailable"

    def __init__(self, operation: str, detail: str = "") -> None:
        super().__init__(f"the database could not be reached ({operation}); try again shortly")
        self.operation = operation
        self.detail = detail

    def __str__(self) -> str:
        return f"{self.message}: {self.detail}" if self.detail else self.message


class SchemaOutdated(HubError):
    code = "schema"

    def __init__(self, current: str | None, head: str) -> None:
        super().__init__(
            f"database schema is at {current or 'nothing'}, the code needs {head}: "
            "run `contacthub db upgrade`"
        )
        self.current = current
        self.head = head


class OptedOut(Conflict):
    """The customer opted out of this address (SMS STOP): nothing may be sent to it."""

    code = "opted_out"

    def __init__(self, kind: str, address: str) -> None:
        super().__init__(
            f"the customer opted out of {kind} at {address} (they texted STOP); "
            "they can opt back in by texting START"
        )
        self.kind = kind
        self.address = address


class SendError(HubError):
    """A channel could not send an outbox item."""

    code = "send_failed"


class TransientSendError(SendError):
    """Worth retrying (rate limit, provider 5xx, connection lost): the outbox relay backs off."""

    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.retry_after = retry_after


class PermanentSendError(SendError):
    """Retrying cannot help (invalid number, mailbox rejected): the message is marked failed
    with the provider's code, for the agent to see."""

    def __init__(self, reason: str, code: str | None = None) -> None:
        super().__init__(reason)
        self.provider_code = code
