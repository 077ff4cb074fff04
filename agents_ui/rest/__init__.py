"""The REST API under /api/v1: endpoints declared with the typed models they validate with,
bound to aiohttp by `binding`, and described by the OpenAPI document `openapi` builds from
the same declarations (docs/api.md)."""
