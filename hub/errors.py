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
    """A frame or request that does not match the protocol."""

    code = "bad_frame"


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
    """The state moved on before the action landed (offer decided, conversation resolved)."""

    code = "conflict"


class AuthError(HubError):
    code = "auth"


class StorageUnavailable(HubError):
    """The database could not be reached or timed out; the caller should retry later."""

    code = "unavailable"


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


class RateLimited(HubError):
    """Too many requests from one client: refused before anything is stored. The client
    should wait `retry_after` seconds and send again (the same `client_id` is safe)."""

    code = "rate_limited"

    def __init__(self, what: str, retry_after: int) -> None:
        super().__init__(f"too many {what}; try again in {retry_after} s")
        self.what = what
        self.retry_after = retry_after
