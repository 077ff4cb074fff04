"""Which address a request came from. Behind a reverse proxy every socket's peer is the proxy,
so the client is in X-Forwarded-For; but anyone can send that header, so it is believed only
from a peer the operator named in `server.trusted_proxies`."""

from __future__ import annotations

from collections.abc import Sequence
from ipaddress import IPv4Network, IPv6Network, ip_address

from aiohttp import web


class ClientAddresses:
    def __init__(self, trusted_proxies: Sequence[IPv4Network | IPv6Network] = ()) -> None:
        self._trusted = tuple(trusted_proxies)

    def of(self, request: web.Request) -> str:
        """The socket peer; or, when the peer is a trusted proxy, the nearest address in
        X-Forwarded-For that no trusted proxy added (each proxy appends the address it saw,
        so what lies left of that one is the client's own say and proves nothing)."""
        peer = request.remote or "unknown"
        if not self._is_trusted(peer):
            return peer
        hops = [
            h.strip()
            for h in ",".join(request.headers.getall("X-Forwarded-For", ())).split(",")
            if h.strip()
        ]
        for hop in reversed(hops):
            if not self._is_trusted(hop):
                return hop
        return hops[0] if hops else peer

    def _is_trusted(self, address: str) -> bool:
        try:
            ip = ip_address(address)
        except ValueError:
            return False
        return any(ip in network for network in self._trusted)
