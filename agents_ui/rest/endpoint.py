"""One REST endpoint, declared once: its route, who may call it, and the models of its query,
body and answer. The binding validates with these models and the OpenAPI document is built
from them, so the reference can never drift from what the hub accepts."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Literal

from aiohttp import web
from pydantic import BaseModel

from hub.errors import AuthError
from hub.models import Agent, Session

# Who may call: anyone (login), any signed-in agent, supervisors and admins, admins only.
Access = Literal["public", "agent", "supervisor", "admin"]


@dataclass(frozen=True)
class Call:
    """What a handler gets: the request, the caller's session (None on a public endpoint)
    and the query and body already validated into the endpoint's models (None when the
    endpoint declares none). Handlers annotate them locally: `body: PatchBody = call.body`."""

    request: web.Request
    session: Session | None
    query: Any
    body: Any

    @property
    def agent(self) -> Agent:
        if self.session is None:
            raise AuthError("log in first")
        return self.session.agent

    def path(self, name: str) -> str:
        return self.request.match_info[name]


# A handler answers with a model (serialized as JSON with the endpoint's status), or with a
# response of its own (a cookie to set, a file).
Handler = Callable[[Call], Awaitable[BaseModel | web.StreamResponse]]


@dataclass(frozen=True)
class Endpoint:
    method: Literal["GET", "POST", "PATCH", "PUT", "DELETE"]
    path: str
    handler: Handler
    summary: str
    tag: str
    access: Access = "agent"
    query: type[BaseModel] | None = None
    body: type[BaseModel] | None = None
    response: type[BaseModel] | None = None
    status: int = 200
    # Bodies other than JSON (multipart uploads) are read by the handler itself; the
    # document names the media type.
    body_media: str = "application/json"
    # An answer that is not a model (a file download) names its media type.
    response_media: str = "application/json"
    description: str = ""

    @property
    def operation_id(self) -> str:
        return f"{self.tag}_{getattr(self.handler, '__name__', 'call').strip('_')}"
