"""Signing in and out: login, logout, websocket tickets, password changes."""

from __future__ import annotations

from aiohttp import web
from pydantic import BaseModel

from agents_ui.rest.endpoint import Call, Endpoint
from agents_ui.session import COOKIE, Sessions
from hub.errors import AuthError
from hub.models import Agent
from hub.services.logins import Logins

_NO_STORE = {"Cache-Control": "no-store"}


class LoginBody(BaseModel):
    email: str
    password: str


class LoginAnswer(BaseModel):
    token: str
    agent: Agent


class PasswordBody(BaseModel):
    current_password: str
    new_password: str


class TokenAnswer(BaseModel):
    token: str


class TicketAnswer(BaseModel):
    ticket: str
    expires_in: float


class Done(BaseModel):
    status: str = "ok"


def address_of(request: web.Request) -> str:
    return request.remote or "unknown"


class AuthRoutes:
    def __init__(self, sessions: Sessions, logins: Logins) -> None:
        self._sessions = sessions
        self._logins = logins

    def endpoints(self) -> list[Endpoint]:
        tag = "auth"
        return [
            Endpoint("POST", "/api/v1/auth/login", self.login, "Sign in", tag, "public",
                     body=LoginBody, response=LoginAnswer,
                     description="Answers a session token and sets the session cookie."),
            Endpoint("POST", "/api/v1/auth/logout", self.logout, "Sign out", tag, "public",
                     response=Done,
                     description="Ends every session of the caller and clears the cookie."),
            Endpoint("POST", "/api/v1/auth/ticket", self.ticket, "A websocket ticket", tag,
                     response=TicketAnswer,
                     description="Single-use and short-lived, so no token goes in a URL."),
            Endpoint("POST", "/api/v1/auth/password", self.password, "Change my password",
                     tag, body=PasswordBody, response=TokenAnswer,
                     description="Every earlier session ends; the answer is a new token."),
        ]  # fmt: skip

    async def login(self, call: Call) -> web.StreamResponse:
        self._sessions.require_own_origin(call.request)
        body: LoginBody = call.body
        token, agent = await self._logins.login(body.email, body.password, address_of(call.request))
        response = _json(LoginAnswer(token=token, agent=agent))
        self._sessions.set_cookie(response, token)
        return response

    async def logout(self, call: Call) -> web.StreamResponse:
        """Without a valid session, only clears the cookie."""
        self._sessions.require_own_origin(call.request)
        try:
            session = await self._sessions.session(call.request)
        except AuthError:
            pass
        else:
            await self._logins.logout(session, address_of(call.request))
            self._sessions.ended(session.agent.id)
        response = _json(Done())
        self._sessions.clear_cookie(response)
        return response

    async def ticket(self, call: Call) -> TicketAnswer:
        assert call.session is not None
        ticket = self._sessions.auth.ticket(call.session)
        return TicketAnswer(ticket=ticket, expires_in=self._sessions.auth.ticket_ttl_seconds)

    async def password(self, call: Call) -> web.StreamResponse:
        assert call.session is not None
        body: PasswordBody = call.body
        token = await self._logins.change_password(
            call.session, body.current_password, body.new_password, address_of(call.request)
        )
        self._sessions.ended(call.agent.id)
        response = _json(TokenAnswer(token=token))
        if call.request.cookies.get(COOKIE):
            self._sessions.set_cookie(response, token)
        return response


def _json(model: BaseModel) -> web.Response:
    return web.Response(
        text=model.model_dump_json(), content_type="application/json", headers=_NO_STORE
    )
