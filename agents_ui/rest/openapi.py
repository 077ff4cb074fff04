"""The OpenAPI 3.1 document, built from the endpoint declarations and their pydantic models
(whose JSON Schema is the 2020-12 dialect OpenAPI 3.1 uses), so no copy is kept by hand."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import JsonSchemaMode, models_json_schema

from agents_ui.rest.endpoint import Endpoint
from agents_ui.rest.errors import ErrorBody

_PATH_PARAM = re.compile(r"\{(\w+)(?::[^}]*)?\}")
_REF = "#/components/schemas/{model}"
_REFUSALS = {
    "400": "The query or body does not match the schema (`field` names the part)",
    "401": "Not signed in, or the token expired or was revoked",
    "403": "The caller's role or queues do not allow this",
    "404": "No such resource",
    "409": "The state moved on (already resolved, not yours, ...)",
    "429": "Too many requests; retry after the Retry-After header's seconds",
}
_ROLE = {
    "public": "No sign-in needed.",
    "agent": "Any signed-in agent (agents see what their queues allow).",
    "supervisor": "Supervisors and admins.",
    "admin": "Admins only.",
}


def document(endpoints: Sequence[Endpoint], *, title: str, version: str) -> dict[str, Any]:
    refs, schemas = _schemas(endpoints)
    paths: dict[str, dict[str, Any]] = {}
    for endpoint in endpoints:
        path = _PATH_PARAM.sub(r"{\1}", endpoint.path)
        paths.setdefault(path, {})[endpoint.method.lower()] = _operation(endpoint, refs, schemas)
    return {
        "openapi": "3.1.0",
        "info": {"title": title, "version": version},
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer"},
                "session": {"type": "apiKey", "in": "cookie", "name": "contacthub_session"},
            },
        },
    }


Key = tuple[type[BaseModel], JsonSchemaMode]


def _schemas(endpoints: Sequence[Endpoint]) -> tuple[dict[Key, Any], dict[str, Any]]:
    keys: list[Key] = [(ErrorBody, "serialization")]
    for endpoint in endpoints:
        keys += [(m, "validation") for m in (endpoint.query, endpoint.body) if m is not None]
        if endpoint.response is not None:
            keys.append((endpoint.response, "serialization"))
    refs, top = models_json_schema(list(dict.fromkeys(keys)), ref_template=_REF)
    by_key: dict[Key, Any] = {}
    for (model, mode), ref in refs.items():
        if isinstance(model, type) and issubclass(model, BaseModel):
            by_key[(model, mode)] = ref
    return by_key, top.get("$defs", {})


def _operation(endpoint: Endpoint, refs: dict[Key, Any], schemas: dict[str, Any]) -> dict[str, Any]:
    operation: dict[str, Any] = {
        "operationId": endpoint.operation_id,
        "summary": endpoint.summary,
        "tags": [endpoint.tag],
        "description": " ".join(filter(None, [endpoint.description, _ROLE[endpoint.access]])),
        "parameters": _path_parameters(endpoint.path),
        "responses": _responses(endpoint, refs),
        # Machine-readable for clients and for the test that walks every route's access.
        "x-access": endpoint.access,
    }
    if endpoint.access != "public":
        operation["security"] = [{"bearer": []}, {"session": []}]
    if endpoint.query is not None:
        operation["parameters"] += _query_parameters(refs[(endpoint.query, "validation")], schemas)
    if endpoint.body is not None:
        operation["requestBody"] = {
            "required": True,
            "content": {endpoint.body_media: {"schema": refs[(endpoint.body, "validation")]}},
        }
    elif endpoint.body_media != "application/json":
        operation["requestBody"] = {"required": True, "content": {endpoint.body_media: {}}}
    return operation


def _path_parameters(path: str) -> list[dict[str, Any]]:
    return [
        {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
        for name in _PATH_PARAM.findall(path)
    ]


def _query_parameters(ref: dict[str, Any], schemas: dict[str, Any]) -> list[dict[str, Any]]:
    model = schemas[ref["$ref"].rsplit("/", 1)[1]]
    required = set(model.get("required", ()))
    parameters = []
    for name, schema in model.get("properties", {}).items():
        parameter: dict[str, Any] = {
            "name": name,
            "in": "query",
            "required": name in required,
            "schema": {k: v for k, v in schema.items() if k != "description"},
        }
        if "description" in schema:
            parameter["description"] = schema["description"]
        parameters.append(parameter)
    return parameters


def _responses(endpoint: Endpoint, refs: dict[Key, Any]) -> dict[str, Any]:
    status = str(endpoint.status)
    answer: dict[str, Any] = {"description": "OK" if endpoint.status < 300 else "Done"}
    if endpoint.response is not None:
        schema = refs[(endpoint.response, "serialization")]
        answer["content"] = {"application/json": {"schema": schema}}
    elif endpoint.response_media != "application/json":
        answer["content"] = {endpoint.response_media: {}}
    responses = {status: answer}
    error = {"content": {"application/json": {"schema": refs[(ErrorBody, "serialization")]}}}
    for code, why in _REFUSALS.items():
        if code == "401" and endpoint.access == "public":
            continue
        responses[code] = {"description": why, **error}
    return responses
