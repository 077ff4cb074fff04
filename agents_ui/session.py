"""Who is calling: the bearer token from the Authorization header, ?token= or the cookie."""

from __future__ import annotations

from aiohttp import web

from hub.auth import Authenticator
from hub.errors import AuthError, Forbidden
from hub.models import Agent

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
    agent = await auth.verify(token)
    if supervisor and not agent.is_supervisor:
        raise Forbidden("this needs the supervisor or admin role")
    return agent
