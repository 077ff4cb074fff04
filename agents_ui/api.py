"""The console's HTTP side: the REST API (agents_ui/rest/, described at /api/v1/openapi.json
and /api/docs) and the static pages."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from aiohttp import hdrs, web

from agents_ui.headers import SecurityHeaders
from agents_ui.rest import binding
from agents_ui.rest.actions import ActionRoutes
from agents_ui.rest.admin import AgentAdminRoutes
from agents_ui.rest.auth import AuthRoutes
from agents_ui.rest.canned import CannedRoutes
from agents_ui.rest.conversations import ConversationRoutes
from agents_ui.rest.customers import CustomerRoutes
from agents_ui.rest.directory import DirectoryRoutes
from agents_ui.rest.endpoint import Endpoint
from agents_ui.rest.errors import hub_errors
from agents_ui.rest.labels import LabelRoutes
from agents_ui.rest.listing import ListingRoutes
from agents_ui.rest.queues import QueueRoutes
from agents_ui.rest.reference import Reference
from agents_ui.rest.search import SearchRoutes
from agents_ui.rest.views import ViewRoutes
from agents_ui.session import COOKIE, Sessions, bearer_of
from agents_ui.timing import server_timing
from hub.errors import AuthError
from hub.flow.queues import QueueDirectory
from hub.models import Agent
from hub.ports import Scope, Store
from hub.services.access import scope_of
from hub.services.admin import AgentAdmin
from hub.services.conversations import ConversationService
from hub.services.customers import CustomerService
from hub.services.handling import ConversationHandling
from hub.services.labels import LabelService
from hub.services.logins import Logins
from hub.services.queue_admin import QueueAdmin

STATIC = Path(__file__).parent / "static"
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
# Browsers run a module script only when it is served as JavaScript; say so whatever the
# host's MIME database (which aiohttp's guess reads) thinks of the extension.
_ASSET_TYPES = {
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
}


@web.middleware
async def asset_types(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Serve the front end's scripts and stylesheets with their content types."""
    response = await handler(request)
    kind = _ASSET_TYPES.get(PurePosixPath(request.path).suffix)
    if kind and isinstance(response, web.FileResponse):
        response.headers[hdrs.CONTENT_TYPE] = kind
    return response


@dataclass(frozen=True)
class ConversationServices:
    """What the conversation routes act through."""

    conversations: ConversationService
    handling: ConversationHandling
    labels: LabelService
    customers: CustomerService


@dataclass(frozen=True)
class Administration:
    """What the admin routes work with, built by hub/app.py."""

    queues: QueueDirectory  # the live queues: access checks read them at every request
    agents: AgentAdmin
    queue_admin: QueueAdmin


class ConsoleApi:
    """The REST API (agents_ui/rest/) and the pages, installed on the app as one piece."""

    def __init__(
        self,
        sessions: Sessions,
        logins: Logins,
        store: Store,
        services: ConversationServices,
        admin: Administration,
        files: Sequence[Endpoint] = (),
    ) -> None:
        self._sessions = sessions
        reader, agents, listing = store.reader, store.agents, store.listing

        def scope(agent: Agent) -> Scope:
            return scope_of(agent, admin.queues.all())

        actions = ActionRoutes(
            reader, listing, agents, services.conversations, services.handling, scope
        )
        self.endpoints: list[Endpoint] = [
            *files,
            *AuthRoutes(sessions, logins).endpoints(),
            *DirectoryRoutes(logins, reader, agents).endpoints(),
            *AgentAdminRoutes(admin.agents, agents, sessions).endpoints(),
            *QueueRoutes(admin.queues, admin.queue_admin).endpoints(),
            # Before /conversations/{id}, so that /conversations/counts is not taken for an id.
            *ListingRoutes(listing, scope).endpoints(),
            *ConversationRoutes(reader, scope).endpoints(),
            *actions.endpoints(),
            *LabelRoutes(listing, services.labels).endpoints(),
            *SearchRoutes(store.search, scope).endpoints(),
            *CustomerRoutes(store.profiles, store.search, services.customers).endpoints(),
            *CannedRoutes(store.canned, reader, scope).endpoints(),
            *ViewRoutes(store.views).endpoints(),
        ]

    def install(self, app: web.Application) -> None:
        app.middlewares.append(server_timing)  # outermost: it times the error answers too
        app.middlewares.append(hub_errors)
        app.middlewares.append(asset_types)
        SecurityHeaders(STATIC).install(app)
        binding.install(app, self.endpoints, self._sessions)
        Reference(lambda: self.endpoints, STATIC).install(app)
        app.router.add_get("/", _page("console.html"))
        app.router.add_get("/supervisor", self.supervisor_page)
        # Static like the console: each section asks the API, which enforces the roles.
        app.router.add_get("/admin", _page("admin.html"))
        app.router.add_get("/chat", _page("chat.html"))
        app.router.add_get("/widget.js", _page("widget.js"))
        app.router.add_static("/static", STATIC)

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
