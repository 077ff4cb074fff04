"""The console's HTTP side: login, the read API, and the static pages."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path, PurePosixPath
from typing import Any

from aiohttp import hdrs, web

from agents_ui.session import COOKIE, caller, token_of
from hub.errors import AuthError, BadInput, Forbidden, HubError, NotFound
from hub.ids import ConversationId, CustomerId
from hub.ports import AgentDirectory, ConversationReader
from hub.services.auth import Authenticator
from hub.settings import QueueSettings

STATIC = Path(__file__).parent / "static"
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
_STATUS = {AuthError: 401, Forbidden: 403, NotFound: 404, BadInput: 400}
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
        return web.json_response(
            {"error": exc.code, "message": exc.message}, status=_status_of(exc)
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
        auth: Authenticator,
        reader: ConversationReader,
        agents: AgentDirectory,
        queues: Sequence[QueueSettings],
        token_ttl_seconds: int,
    ) -> None:
        self._auth = auth
        self._reader = reader
        self._agents = agents
        self._queues = queues
        self._ttl = token_ttl_seconds

    def install(self, app: web.Application) -> None:
        app.middlewares.append(hub_errors)
        app.middlewares.append(asset_types)
        app.router.add_post("/api/v1/auth/login", self.login)
        app.router.add_post("/api/v1/auth/logout", self.logout)
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
        body = await _json_body(request)
        email, password = body.get("email"), body.get("password")
        if not isinstance(email, str) or not isinstance(password, str):
            raise BadInput('login needs "email" and "password" strings')
        token, agent = await self._auth.login(email, password)
        response = web.json_response({"token": token, "agent": agent.model_dump(mode="json")})
        response.set_cookie(COOKIE, token, max_age=self._ttl, httponly=True, samesite="Lax")
        return response

    async def logout(self, _request: web.Request) -> web.Response:
        response = web.json_response({"status": "ok"})
        response.del_cookie(COOKIE)
        return response

    async def me(self, request: web.Request) -> web.Response:
        agent = await caller(request, self._auth)
        return web.json_response(agent.model_dump(mode="json"))

    async def agents(self, request: web.Request) -> web.Response:
        await caller(request, self._auth)
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
        await caller(request, self._auth)
        return web.json_response({"queues": [q.model_dump(mode="json") for q in self._queues]})

    async def conversation(self, request: web.Request) -> web.Response:
        await caller(request, self._auth)
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
        await caller(request, self._auth)
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
        if token_of(request):
            try:
                await caller(request, self._auth, supervisor=True)
            except AuthError:
                pass
        return web.FileResponse(STATIC / "supervisor.html")


def _page(name: str) -> Handler:
    async def serve(_request: web.Request) -> web.StreamResponse:
        return web.FileResponse(STATIC / name)

    return serve


async def _json_body(request: web.Request) -> dict[str, Any]:
    try:
        body = await request.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise BadInput("the body must be JSON") from None
    if not isinstance(body, dict):
        raise BadInput("the body must be a JSON object")
    return body
