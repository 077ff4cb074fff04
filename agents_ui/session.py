"""Who is calling: the bearer token from the Authorization header, ?token= or the cookie."""

from __future__ import annotations

from aiohttp import web
from yarl import URL

from hub.errors import AuthError, Forbidden
from hub.models import Agent
from hub.services.auth import Authenticator

COOKIE = "contacthub_session"


def token_of(request: web.Request) -> str | None:
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip()
    return request.query.get("token") or request.cookies.get(COOKIE)


async def caller(request: web.Request, auth: Authenticator, *, supervisor: bool = False) -> Agent:
    token = token_of(request)
    if not token:
        raise AuthError("log in first: no token or session cookie")
    if token == request.cookies.get(COOKIE) and not _same_origin(request):
        # The browser attaches the cookie to requests any page makes, websockets included:
        # only our own pages may ride on it (bearer tokens are not sent implicitly).
        raise AuthError("the session cookie is only accepted from the hub's own pages")
    agent = await auth.verify(token)
    if supervisor and not agent.is_supervisor:
        raise Forbidden("this needs the supervisor or admin role")
    return agent


def _same_origin(request: web.Request) -> bool:
    origin = request.headers.get("Origin")
    if origin is None:
        return True  # not sent by a browser on another page's behalf
    theirs = URL(origin)
    return (theirs.host, theirs.port) == (request.url.host, request.url.port)
