"""Who is calling, and from where.

A request is authenticated by, in this order:
- `Authorization: Bearer <token>` (REST, and websocket clients that are not browsers);
- `?ticket=<ticket>` on a websocket upgrade: single-use, valid seconds, from
  POST /api/v1/auth/ticket (what the console and supervisor pages use);
- the `contacthub_session` cookie, only from the hub's own pages: a request carrying it with
  an Origin of another scheme, host or port is refused, and a state change (any method but
  GET and HEAD) riding on it must show its origin (Origin, else Referer).

Tokens never travel in URLs: the query string is not a place for credentials (access logs,
history, Referer)."""

from __future__ import annotations

import asyncio
import contextlib
from collections import defaultdict
from collections.abc import AsyncIterator

from aiohttp import web
from yarl import URL

from hub.errors import AuthError, Forbidden
from hub.flow.tasks import stop
from hub.ids import AgentId
from hub.models import Agent, Session
from hub.services.auth import Authenticator
from hub.wire.sockets import error_frame, send_quietly

COOKIE = "contacthub_session"
# An open socket checks now and then that its session still stands (logout, password change
# or expiry in any process); a logout through this process wakes its sockets at once.
RECHECK_SECONDS = 15.0
Origin = tuple[str, str, int | None]


def bearer_of(request: web.Request) -> str | None:
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip() or None
    return None


def is_websocket(request: web.Request) -> bool:
    return request.headers.get("Upgrade", "").lower() == "websocket"


def _origin(url: URL) -> Origin | None:
    if not url.scheme or not url.host:
        return None
    return (url.scheme.lower(), url.host.lower().rstrip("."), url.port)


class Sessions:
    """The session checks of every agent-facing handler."""

    def __init__(self, auth: Authenticator, public_url: str = "") -> None:
        self.auth = auth
        self._public = _origin(URL(public_url)) if public_url else None
        self.secure_cookie = public_url.startswith("https://")
        self._wakers: defaultdict[AgentId, set[asyncio.Event]] = defaultdict(set)

    # ------------------------------------------------------------------ origins

    def own_origin(self, request: web.Request) -> bool | None:
        """Whether the page that made the request is one of ours: None when the request
        names no origin (not sent by a browser on a page's behalf, or an old one)."""
        origin = request.headers.get("Origin")
        if origin is None:
            referer = request.headers.get("Referer")
            if referer is None:
                return None
            origin = referer
        theirs = _origin(URL(origin))
        if theirs is None:
            return False  # "null": a sandboxed frame, a file, a redirect across sites
        ours = _origin(request.url)
        return theirs == ours or (self._public is not None and theirs == self._public)

    def require_own_origin(self, request: web.Request) -> None:
        """For login: a page on another site may not sign the browser in."""
        if self.own_origin(request) is False:
            raise Forbidden("this is accepted from the hub's own pages only")

    # ------------------------------------------------------------------ sessions

    async def session(
        self, request: web.Request, *, supervisor: bool = False, admin: bool = False
    ) -> Session:
        session = await self._authenticate(request)
        agent = session.agent
        if admin and agent.role != "admin":
            raise Forbidden("this needs the admin role")
        if supervisor and not agent.is_supervisor:
            raise Forbidden("this needs the supervisor or admin role")
        return session

    async def caller(self, request: web.Request, *, supervisor: bool = False) -> Agent:
        return (await self.session(request, supervisor=supervisor)).agent

    async def _authenticate(self, request: web.Request) -> Session:
        token = bearer_of(request)
        if token:
            return await self.auth.check(token)
        ticket = request.query.get("ticket")
        if ticket and is_websocket(request):
            return await self.auth.redeem(ticket)
        cookie = request.cookies.get(COOKIE)
        if not cookie:
            raise AuthError("log in first: no token, ticket or session cookie")
        own = self.own_origin(request)
        # The browser attaches the cookie to requests any page makes, websockets included:
        # only our own pages may ride on it (bearer tokens are not sent implicitly).
        if own is False:
            raise AuthError("the session cookie is only accepted from the hub's own pages")
        if own is None and request.method not in ("GET", "HEAD"):
            raise AuthError("a change made with the session cookie must come with its Origin")
        return await self.auth.check(cookie)

    def set_cookie(self, response: web.StreamResponse, token: str) -> None:
        response.set_cookie(
            COOKIE,
            token,
            max_age=self.auth.ttl_seconds,
            path="/",
            httponly=True,
            samesite="Lax",
            secure=self.secure_cookie,
        )

    def clear_cookie(self, response: web.StreamResponse) -> None:
        response.del_cookie(
            COOKIE, path="/", httponly=True, samesite="Lax", secure=self.secure_cookie
        )

    # ------------------------------------------------------------------ open sockets

    def ended(self, agent_id: AgentId) -> None:
        """The agent's sessions were revoked here: its sockets check again now."""
        for waker in self._wakers.get(agent_id, ()):
            waker.set()

    @contextlib.asynccontextmanager
    async def watching(self, ws: web.WebSocketResponse, session: Session) -> AsyncIterator[None]:
        """While the block runs, close `ws` with 4401 once `session` no longer stands."""
        waker = asyncio.Event()
        self._wakers[session.agent.id].add(waker)
        task = asyncio.create_task(self._watch(ws, session, waker))
        try:
            yield
        finally:
            await stop(task)
            wakers = self._wakers.get(session.agent.id)
            if wakers is not None:
                wakers.discard(waker)
                if not wakers:
                    del self._wakers[session.agent.id]

    async def _watch(
        self, ws: web.WebSocketResponse, session: Session, waker: asyncio.Event
    ) -> None:
        while not ws.closed:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(RECHECK_SECONDS):
                    await waker.wait()
            waker.clear()
            try:
                valid = await self.auth.still_valid(session)
            except Exception:  # storage down: keep the socket, check again later
                continue
            if not valid:
                await send_quietly(ws, error_frame(AuthError("the session has ended")))
                await ws.close(code=4401, message=b"session ended")
                return
