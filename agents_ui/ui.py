"""Everything agents and supervisors use, installed on the app as one piece."""

from __future__ import annotations

from collections.abc import Callable

from aiohttp import web

from agents_ui.agent_socket import AgentSocket
from agents_ui.api import Administration, ConsoleApi, ConversationServices
from agents_ui.dashboard import Dashboard
from agents_ui.files import FilesApi
from agents_ui.presence import ConnectionTracker
from agents_ui.session import Sessions
from agents_ui.supervisor_socket import SupervisorSocket
from hub.flow.feed import EventFeed
from hub.models import MailboxState
from hub.ports import Store
from hub.services.auth import Authenticator
from hub.services.conversations import ConversationService
from hub.services.logins import Logins
from hub.services.offers import OfferService
from hub.settings import Settings
from hub.wire.sockets import SocketHub


class AgentsUI:
    def __init__(
        self,
        settings: Settings,
        store: Store,
        auth: Authenticator,
        logins: Logins,
        conversations: ConversationService,
        offers: OfferService,
        feed: EventFeed,
        holder: str,
        sockets: SocketHub,
        mailboxes: Callable[[], list[MailboxState]],
        services: ConversationServices,
        admin: Administration,
    ) -> None:
        self._sockets = sockets
        self._tracker = ConnectionTracker(
            settings.routing.presence_grace_seconds,
            lambda agent_id: conversations.set_presence(agent_id, "offline"),
            store.connections,
            holder,
        )
        limit = settings.server.max_frame_bytes
        sessions = Sessions(auth, settings.server.public_url)
        self._files = FilesApi(
            settings.server.data_dir / "attachments",
            settings.channels.email.max_attachment_bytes,
        )
        self._api = ConsoleApi(
            sessions, logins, store, services, admin, self._files.endpoints()
        )
        self._agent_socket = AgentSocket(
            sessions,
            conversations,
            offers,
            store.reader,
            store.events,
            feed,
            self._tracker,
            self._sockets,
            limit,
            self._files,
        )
        dashboard = Dashboard(store.reader, store.agents, admin.queues.all, mailboxes)
        self._supervisor_socket = SupervisorSocket(
            sessions, conversations, dashboard, feed, self._sockets, limit
        )

    def install(self, app: web.Application) -> None:
        self._api.install(app)
        app.router.add_get("/ws/agent", self._agent_socket.handle)
        app.router.add_get("/ws/supervisor", self._supervisor_socket.handle)

    async def aclose(self) -> None:
        await self._tracker.aclose()
