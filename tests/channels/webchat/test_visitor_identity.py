"""Who a web chat visitor is, as agents see it: the visitor token (the customer's only
credential) is never shown, and an email address the visitor typed is an unverified claim."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import aiohttp

from tests.harness import RunningHub, connect_agent, connect_customer, make_settings


async def _timeline(http: aiohttp.ClientSession, hub: RunningHub, token: str, customer: str) -> Any:
    headers = {"Authorization": f"Bearer {token}"}
    url = f"{hub.url}/api/v1/customers/{customer}/timeline"
    async with http.get(url, headers=headers) as response:
        assert response.status == 200
        return await response.text(), await response.json()


async def test_agents_never_see_the_visitor_token(tmp_path: Path, database_url: str) -> None:
    hub = await RunningHub(make_settings(tmp_path, database_url)).start()
    try:
        ann = await hub.add_agent("Ann")
        async with aiohttp.ClientSession() as http:
            customer = await connect_customer(http, hub, name="Carol")
            await customer.say("hello")
            agent = await connect_agent(http, hub, ann)
            assigned = await agent.accept_next()
            customer_id = assigned["conversation"]["customer_id"]
            text, body = await _timeline(http, hub, agent.token, customer_id)
            assert customer.token not in text
            identities = body["customer"]["identities"]
            assert [(i["kind"], i["address"]) for i in identities] == [("webchat", "web visitor")]
            # What the agent saw is no way to resume as her.
            for seen in ("web visitor", customer_id):
                other = await connect_customer(http, hub, visitor_token=seen.ljust(8, "x"))
                assert other.welcome["customer_id"] != customer_id
                await other.close()
            for client in (customer, agent):
                await client.close()
    finally:
        await hub.stop()
