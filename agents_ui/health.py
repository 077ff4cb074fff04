"""`/livez` (the process answers) and `/healthz` (ready: database, bus and feed, each named
with what is wrong). Both anonymous: they say nothing a caller could use but whether to
send traffic here."""

from __future__ import annotations

from aiohttp import web

from hub.flow.health import Health


class HealthApi:
    def __init__(self, health: Health) -> None:
        self._health = health

    def install(self, app: web.Application) -> None:
        app.router.add_get("/livez", self.livez)
        app.router.add_get("/healthz", self.healthz)

    async def livez(self, _request: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    async def healthz(self, _request: web.Request) -> web.Response:
        readiness = await self._health.readiness()
        body = {"status": "ok" if readiness.ready else "unavailable", "checks": readiness.checks}
        return web.json_response(body, status=200 if readiness.ready else 503)
