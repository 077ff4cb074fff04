"""A REST client for tests that checks every exchange against the hub's own OpenAPI document
(GET /api/v1/openapi.json) with openapi-core: the request the test makes and the answer the
hub gives must both match it, so a test of a route is also a test of its reference."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

import aiohttp
from openapi_core import OpenAPI
from openapi_core.testing import MockRequest, MockResponse
from werkzeug.datastructures import ImmutableMultiDict

from tests.harness import RunningHub


class Api:
    """`await Api.open(http, hub, token)`, then `status, body = await api.get(path, ...)`."""

    def __init__(self, http: aiohttp.ClientSession, hub: RunningHub, spec: OpenAPI) -> None:
        self.http = http
        self.hub = hub
        self.spec = spec
        self.token: str | None = None

    @classmethod
    async def open(
        cls, http: aiohttp.ClientSession, hub: RunningHub, token: str | None = None
    ) -> Api:
        async with http.get(f"{hub.url}/api/v1/openapi.json") as r:
            assert r.status == 200
            spec = OpenAPI.from_dict(await r.json())
        api = cls(http, hub, spec)
        api.token = token
        return api

    def as_(self, token: str | None) -> Api:
        other = Api(self.http, self.hub, self.spec)
        other.token = token
        return other

    async def get(self, path: str, **params: Any) -> tuple[int, Any]:
        return await self.call("GET", path, params=params)

    async def post(self, path: str, body: Any = None, **params: Any) -> tuple[int, Any]:
        return await self.call("POST", path, body, params=params)

    async def patch(self, path: str, body: Any) -> tuple[int, Any]:
        return await self.call("PATCH", path, body)

    async def delete(self, path: str) -> tuple[int, Any]:
        return await self.call("DELETE", path)

    async def call(
        self, method: str, path: str, body: Any = None, params: dict[str, Any] | None = None
    ) -> tuple[int, Any]:
        query = [(k, str(v)) for k, vs in (params or {}).items() for v in _listed(vs)]
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        data = json.dumps(body).encode() if body is not None else None
        if data is not None:
            headers["Content-Type"] = "application/json"
        url = f"{self.hub.url}{path}"
        async with self.http.request(method, url, params=query, data=data, headers=headers) as r:
            raw = await r.read()
            status, content_type = r.status, r.content_type
        request = MockRequest(
            self.hub.url,
            method.lower(),
            urlsplit(path).path,
            args=ImmutableMultiDict(query),
            headers=headers,
            data=data,
        )
        if status < 400:  # a refusal may well be of a request the document does not allow
            self.spec.validate_request(request)
        self.spec.validate_response(request, MockResponse(raw, status, content_type=content_type))
        return status, json.loads(raw) if raw and content_type == "application/json" else None


def _listed(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list | tuple) else [value]
