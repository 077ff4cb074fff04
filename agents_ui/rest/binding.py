"""Endpoints onto aiohttp: authenticate and check the role, validate the query and the body
with the endpoint's models, call the handler, answer with its model as JSON."""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from typing import Any

from aiohttp import web
from pydantic import BaseModel, ValidationError

from agents_ui.rest.endpoint import Call, Endpoint
from agents_ui.rest.errors import invalid
from agents_ui.session import Sessions
from hub.errors import Invalid, UnsupportedMedia
from hub.models import Session

_NO_STORE = {"Cache-Control": "no-store"}


def install(app: web.Application, endpoints: Iterable[Endpoint], sessions: Sessions) -> None:
    for endpoint in endpoints:
        app.router.add_route(endpoint.method, endpoint.path, _bound(endpoint, sessions))


def _bound(endpoint: Endpoint, sessions: Sessions) -> Any:
    async def handle(request: web.Request) -> web.StreamResponse:
        session = await _session(endpoint, sessions, request)
        query = _query(endpoint.query, request) if endpoint.query else None
        body = await _body(endpoint.body, request) if endpoint.body else None
        result = await endpoint.handler(Call(request, session, query, body))
        if isinstance(result, web.StreamResponse):
            return result
        return web.Response(
            text=result.model_dump_json(),
            content_type="application/json",
            status=endpoint.status,
            headers=_NO_STORE,
        )

    handle.__name__ = endpoint.operation_id
    return handle


async def _session(endpoint: Endpoint, sessions: Sessions, request: web.Request) -> Session | None:
    if endpoint.access == "public":
        return None
    return await sessions.session(
        request,
        supervisor=endpoint.access == "supervisor",
        admin=endpoint.access == "admin",
    )


def _query(model: type[BaseModel], request: web.Request) -> BaseModel:
    known, lists = _query_fields(model)
    raw: dict[str, Any] = {}
    for key in set(request.query.keys()):
        if key not in known:
            raise Invalid(f"unknown query parameter {key!r}", field=key)
        values = request.query.getall(key)
        if key in lists:
            raw[key] = values
        elif len(values) > 1:
            raise Invalid(f"query parameter {key!r} is given more than once", field=key)
        else:
            raw[key] = values[0]
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        raise invalid(exc, "query") from None


async def _body(model: type[BaseModel], request: web.Request) -> BaseModel:
    # A page on another site can send text/plain without asking; application/json it cannot
    # (the browser asks first, and the hub does not answer that question).
    if request.content_type != "application/json":
        raise UnsupportedMedia("send the body as application/json")
    try:
        return model.model_validate_json(await request.read())
    except ValidationError as exc:
        raise invalid(exc, "body") from None


@cache
def _query_fields(model: type[BaseModel]) -> tuple[frozenset[str], frozenset[str]]:
    """The query's parameter names (aliases where set: `from`), and those that take a list
    (`?status=open&status=pending`)."""
    properties = model.model_json_schema().get("properties", {})
    lists = (name for name, schema in properties.items() if _is_array(schema))
    return frozenset(properties), frozenset(lists)


def _is_array(schema: dict[str, Any]) -> bool:
    if schema.get("type") == "array":
        return True
    return any(_is_array(option) for option in schema.get("anyOf", ()))
