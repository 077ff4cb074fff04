"""`Server-Timing: app;dur=<ms>` on every HTTP answer: the time from the request reaching the
app's middlewares to the handler's return (errors included, as the error middleware answers
inside it), so a client can tell the hub's time from the network's and its own
(benchmarks/api.py reads it). Two clock reads and a header: cheap enough to be always on.
Answers already sent when the handler returns (websockets, streamed files) carry none."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable

from aiohttp import web

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@web.middleware
async def server_timing(request: web.Request, handler: Handler) -> web.StreamResponse:
    began = time.perf_counter()
    try:
        response = await handler(request)
    except web.HTTPException as exc:  # aiohttp's own answers (no route, wrong method)
        exc.headers["Server-Timing"] = _header(began)
        raise
    if not response.prepared:
        response.headers["Server-Timing"] = _header(began)
    return response


def _header(began: float) -> str:
    return f"app;dur={(time.perf_counter() - began) * 1000:.3f}"
