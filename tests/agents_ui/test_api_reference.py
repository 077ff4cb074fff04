"""The OpenAPI document is valid OpenAPI 3.1, names every REST route the hub serves, and the
reference page renders it from the vendored Swagger UI."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from openapi_spec_validator import validate
from openapi_spec_validator.validation.exceptions import OpenAPIValidationError

from tests.api_client import Api
from tests.harness import RunningHub, login, make_settings

# Served outside the declared endpoints: the document itself.
UNDECLARED = {"/api/v1/openapi.json"}


@pytest.fixture
async def hub(tmp_path: Path) -> AsyncIterator[RunningHub]:
    running = await RunningHub(
        make_settings(tmp_path, f"sqlite+aiosqlite:///{tmp_path}/c.db")
    ).start()
    yield running
    await running.stop()


async def test_the_document_is_openapi_31_and_names_every_route(hub: RunningHub) -> None:
    async with aiohttp.ClientSession() as http, http.get(f"{hub.url}/api/v1/openapi.json") as r:
        assert r.status == 200
        spec = await r.json()
    assert spec["openapi"] == "3.1.0"
    validate(spec)  # raises on any schema error
    app = hub._runner.app  # type: ignore[union-attr]
    served = {
        (route.method, route.resource.canonical)
        for route in app.router.routes()
        if route.resource is not None
        and route.resource.canonical.startswith("/api/v1/")
        and route.method != "HEAD"
    }
    documented = {(m.upper(), p) for p, ops in spec["paths"].items() for m in ops}
    assert {r for r in served if r[1] not in UNDECLARED} == documented
    login_op = spec["paths"]["/api/v1/auth/login"]["post"]
    assert "security" not in login_op
    assert spec["paths"]["/api/v1/audit"]["get"]["security"]


async def test_a_broken_document_is_caught() -> None:
    # The validator the test above trusts does refuse a document that is wrong.
    with pytest.raises(OpenAPIValidationError):
        validate({"openapi": "3.1.0", "info": {"title": "x"}, "paths": {}})


async def test_answers_match_the_document(hub: RunningHub) -> None:
    admin = await hub.add_agent("Ada", "admin")
    async with aiohttp.ClientSession() as http:
        api = await Api.open(http, hub, await login(http, hub, admin))
        assert (await api.get("/api/v1/me"))[1]["email"] == admin["email"]
        assert (await api.get("/api/v1/agents"))[0] == 200
        assert (await api.get("/api/v1/queues"))[0] == 200
        assert (await api.get("/api/v1/audit", limit=5))[0] == 200
        status, error = await api.get("/api/v1/audit", limit=0)
        assert status == 400 and error["error"] == "invalid" and error["field"] == "limit"
        status, error = await api.get("/api/v1/conversations/nope")
        assert status == 404 and error["error"] == "not_found"
        status, error = await api.as_(None).get("/api/v1/me")
        assert status == 401 and error["error"] == "auth"


async def test_unknown_query_parameters_are_refused(hub: RunningHub) -> None:
    admin = await hub.add_agent("Ada", "admin")
    async with aiohttp.ClientSession() as http:
        token = await login(http, hub, admin)
        headers = {"Authorization": f"Bearer {token}"}
        async with http.get(f"{hub.url}/api/v1/audit?limt=5", headers=headers) as r:
            assert r.status == 400
            assert await r.json() == {
                "error": "invalid",
                "message": "unknown query parameter 'limt'",
                "field": "limt",
            }


async def test_the_reference_page_uses_the_vendored_viewer(hub: RunningHub) -> None:
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{hub.url}/api/docs") as r:
            assert r.status == 200
            page = await r.text()
            assert "script-src 'self'" in r.headers["Content-Security-Policy"]
        assert "/static/vendor/swagger-ui-dist/swagger-ui-bundle.js" in page
        async with http.get(f"{hub.url}/static/vendor/swagger-ui-dist/swagger-ui-bundle.js") as r:
            assert r.status == 200 and r.content_type == "text/javascript"
            assert "SwaggerUIBundle" in await r.text()
