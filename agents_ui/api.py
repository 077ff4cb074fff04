"""The console's HTTP side: login, logout, tickets and passwords, the read API, the audit
trail, and the static pages."""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path, PurePosixPath
from typing import Any

from aiohttp import hdrs, web

from agents_ui.headers import SecurityHeaders
from agents_ui.session import COOKIE, Sessions, bearer_of
from hub.errors import (
    AuthError,
    BadInput,
    Forbidden,
    HubError,
    NotFound,
    Overloaded,
    RateLimited,
    UnsupportedMedia,
)
from hub.ids import ConversationId, CustomerId
from hub.ports import AgentDirectory, ConversationReader
from hub.services.logins import Logins
from hub.settings import QueueSettings

STATIC = Path(__file__).parent / "static"
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
_STATUS: dict[type[HubError], int] = {
    AuthError: 401,
    Forbidden: 403,
    NotFound: 404,
    UnsupportedMedia: 415,
    BadInput: 400,
    RateLimited: 429,
    Overloaded: 503,
}
_NO_STORE = {"Cache-Control": "no-store"}
# Browsers run a module script only when it is served as JavaScript; say so whatever the
# host's MIME database (which aiohttp's guess reads) thinks of the extension.
_ASSET_TYPES = {
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
}


def _status_of(exc: HubError) -> int:
    for kind, status in _STATUS.items():
        if isinstance(exc, kind):
            return status
    return 503 if exc.code == "unavailable" else 409


@web.middleware
async def hub_errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Turn hub errors into JSON answers that name the problem."""
    try:
        return await handler(request)
    except HubError as exc:
        headers = {}
        if isinstance(exc, RateLimited | Overloaded):
            headers[hdrs.RETRY_AFTER] = str(max(1, math.ceil(exc.retry_after)))
        return web.json_response(
            {"error": exc.code, "message": exc.message}, status=_status_of(exc), headers=headers
        )


@web.middleware
async def asset_types(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Serve the front end's scripts and stylesheets with their content types."""
    response = await handler(request)
    kind = _ASSET_TYPES.get(PurePosixPath(request.path).suffix)
    if kind and isinstance(response, web.FileResponse):
        response.headers[hdrs.CONTENT_TYPE] = kind
    return response


class ConsoleApi:
    def __init__(
        self,
        sessions: Sessions,
        logins: Logins,
        reader: ConversationReader,
        agents: AgentDirectory,
        queues: Sequence[QueueSettings],
    ) -> None:
        self._sessions = sessions
        self._logins = logins
        self._reader = reader
        self._agents = agents
        self._queues = queues

    def install(self, app: web.Application) -> None:
        app.middlewares.append(hub_errors)
        app.middlewares.append(asset_types)
        SecurityHeaders(STATIC).install(app)
        app.router.add_post("/api/v1/auth/login", self.login)
        app.router.add_post("/api/v1/auth/logout", self.logout)
        app.router.add_post("/api/v1/auth/ticket", self.ticket)
        app.router.add_post("/api/v1/auth/password", self.password)
        app.router.add_get("/api/v1/audit", self.audit)
        app.router.add_get("/api/v1/me", self.me)
        app.router.add_get("/api/v1/agents", self.agents)
        app.router.add_get("/api/v1/queues", self.queues)
        app.router.add_get("/api/v1/conversations/{id}", self.conversation)
        app.router.add_get("/api/v1/customers/{id}/timeline", self.timeline)
        app.router.add_get("/", _page("console.html"))
        app.router.add_get("/supervisor", self.supervisor_page)
        app.router.add_get("/chat", _page("chat.html"))
        app.router.add_get("/widget.js", _page("widget.js"))
        app.router.add_static("/static", STATIC)

    async def login(self, request: web.Request) -> web.Response:
        self._sessions.require_own_origin(request)
        body = await _json_body(request)
        email, password = body.get("email"), body.get("password")
        if not isinstance(email, str) or not isinstance(password, str):
            raise BadInput('login needs "email" and "password" strings')
        token, agent = await self._logins.login(email, password, _address(request))
        response = web.json_response(
            {"token": token, "agent": agent.model_dump(mode="json")}, headers=_NO_STORE
        )
        self._sessions.set_cookie(response, token)
        return response

    async def logout(self, request: web.Request) -> web.Response:
        """Ends every session of the caller (all its tokens are refused from now on) and
        clears the cookie; without a valid session, only clears the cookie."""
        self._sessions.require_own_origin(request)
        try:
            session = await self._sessions.session(request)
        except AuthError:
            pass
        else:
            await self._logins.logout(session, _address(request))
            self._sessions.ended(session.agent.id)
        response = web.json_response({"status": "ok"})
        self._sessions.clear_cookie(response)
        return response

    async def ticket(self, request: web.Request) -> web.Response:
        """A single-use websocket ticket, so no token ever goes into a socket URL."""
        session = await self._sessions.session(request)
        ttl = self._sessions.auth.ticket_ttl_seconds
        ticket = self._sessions.auth.ticket(session)
        return web.json_response({"ticket": ticket, "expires_in": ttl}, headers=_NO_STORE)

    async def password(self, request: web.Request) -> web.Response:
        session = await self._sessions.session(request)
        body = await _json_body(request)
        current, new = body.get("current_password"), body.get("new_password")
        if not isinstance(current, str) or not isinstance(new, str):
            raise BadInput('send "current_password" and "new_password" strings')
        token = await self._logins.change_password(session, current, new, _address(request))
        self._sessions.ended(session.agent.id)
        response = web.json_response({"token": token}, headers=_NO_STORE)
        if request.cookies.get(COOKIE):
            self._sessions.set_cookie(response, token)
        return response

    async def audit(self, request: web.Request) -> web.Response:
        await self._sessions.session(request, admin=True)
        try:
            limit = min(max(int(request.query.get("limit", "100")), 1), 1000)
        except ValueError:
            raise BadInput("limit is a number of entries") from None
        entries = await self._logins.audit(limit)
        return web.json_response({"entries": [e.model_dump(mode="json") for e in entries]})

    async def me(self, request: web.Request) -> web.Response:
        agent = await self._sessions.caller(request)
        return web.json_response(agent.model_dump(mode="json"))

    async def agents(self, request: web.Request) -> web.Response:
        await self._sessions.caller(request)
        load: dict[str, dict[str, int]] = {}
        for conversation in await self._reader.unresolved():
            if conversation.status == "open" and conversation.assignee_id:
                per_channel = load.setdefault(conversation.assignee_id, {})
                per_channel[conversation.channel] = per_channel.get(conversation.channel, 0) + 1
        agents = [
            a.model_dump(mode="json") | {"load": load.get(a.id, {})}
            for a in await self._agents.agents()
        ]
        return web.json_response({"agents": agents})

    async def queues(self, request: web.Request) -> web.Response:
        await self._sessions.caller(request)
        return web.json_response({"queues": [q.model_dump(mode="json") for q in self._queues]})

    async def conversation(self, request: web.Request) -> web.Response:
        await self._sessions.caller(request)
        conversation_id = ConversationId(request.match_info["id"])
        conversation = await self._reader.conversation(conversation_id)
        if conversation is None:
            raise NotFound("conversation", conversation_id)
        messages = await self._reader.messages(conversation_id)
        return web.json_response(
            {
                "conversation": conversation.model_dump(mode="json"),
                "messages": [m.model_dump(mode="json") for m in messages],
            }
        )

    async def timeline(self, request: web.Request) -> web.Response:
        await self._sessions.caller(request)
        customer_id = CustomerId(request.match_info["id"])
        customer = await self._reader.customer(customer_id)
        if customer is None:
            raise NotFound("customer", customer_id)
        entries = await self._reader.timeline(customer_id)
        return web.json_response(
            {
                "customer": customer.model_dump(mode="json"),
                "entries": [e.model_dump(mode="json") for e in entries],
            }
        )

    async def supervisor_page(self, request: web.Request) -> web.StreamResponse:
        # A logged-in agent without the role is refused; anyone else gets the login form.
        if bearer_of(request) or request.cookies.get(COOKIE):
            try:
                await self._sessions.caller(request, supervisor=True)
            except AuthError:
                pass
        return web.FileResponse(STATIC / "supervisor.html")


def _page(name: str) -> Handler:
    async def serve(_request: web.Request) -> web.StreamResponse:
        return web.FileResponse(STATIC / name)

    return serve


def _address(request: web.Request) -> str:
    return request.remote or "unknown"


async def _json_body(request: web.Request) -> dict[str, Any]:
    # A page on another site can send text/plain without asking; application/json it cannot
    # (the browser asks first, and the hub does not answer that question).
    if request.content_type != "application/json":
        raise UnsupportedMedia("send the body as application/json")
    try:
        body = await request.json()
    except (ValueError, UnicodeDecodeError):
        raise BadInput("the body must be JSON") from None
    except RecursionError:
        raise BadInput("the body is nested too deeply") from None
    if not isinstance(body, dict):
        raise BadInput("the body must be a JSON object")
    return body
