"""The API's own description: the OpenAPI document, and the browsable reference at /api/docs
(Swagger UI, vendored from the npm registry under static/vendor/)."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from aiohttp import web

from agents_ui.rest.endpoint import Endpoint
from agents_ui.rest.openapi import document

DOCS_PAGE = "api-docs.html"


def hub_version() -> str:
    try:
        return version("contacthub")
    except PackageNotFoundError:  # run from a source tree that was never installed
        return "0+unknown"


class Reference:
    def __init__(self, endpoints: Callable[[], Sequence[Endpoint]], static: Any) -> None:
        self._endpoints = endpoints
        self._static = static
        self._text: str | None = None

    def install(self, app: web.Application) -> None:
        app.router.add_get("/api/v1/openapi.json", self.openapi)
        app.router.add_get("/api/docs", self.page)

    async def openapi(self, _request: web.Request) -> web.Response:
        if self._text is None:  # every endpoint is installed by the first request
            spec = document(self._endpoints(), title="ContactHub API", version=hub_version())
            self._text = json.dumps(spec, separators=(",", ":"))
        return web.Response(text=self._text, content_type="application/json")

    async def page(self, _request: web.Request) -> web.StreamResponse:
        return web.FileResponse(self._static / DOCS_PAGE)
