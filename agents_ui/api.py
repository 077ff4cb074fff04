"""The console's HTTP side: the REST API (agents_ui/rest/, described at /api/v1/openapi.json
and /api/docs) and the static pages."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path, PurePosixPath

from aiohttp import hdrs, web

from agents_ui.headers import SecurityHeaders
from agents_ui.rest import binding
from agents_ui.rest.auth import AuthRoutes
from agents_ui.rest.conversations import ConversationRoutes
from agents_ui.rest.directory import DirectoryRoutes
from agents_ui.rest.endpoint import Endpoint
from agents_ui.rest.errors import hub_errors
from agents_ui.rest.reference import Reference
from agents_ui.session import COOKIE, Sessions, bearer_of
from agents_ui.timing import server_timing
from hub.errors import AuthError
from hub.ports import AgentDirectory, ConversationReader
from hub.services.logins import Logins
from hub.settings import QueueSettings

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


class ConsoleApi:
    """The REST API (agents_ui/rest/) and the pages, installed on the app as one piece."""

    def __init__(
        self,
        sessions: Sessions,
        logins: Logins,
        reader: ConversationReader,
        agents: AgentDirectory,
        queues: Sequence[QueueSettings],
    ) -> None:
        self._sessions = sessions
        self.endpoints: list[Endpoint] = [
            *AuthRoutes(sessions, logins).endpoints(),
            *DirectoryRoutes(logins, reader, agents, queues).endpoints(),
            *ConversationRoutes(reader).endpoints(),
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
