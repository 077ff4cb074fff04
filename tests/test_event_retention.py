"""A console resuming from an event id the log has pruned is told to reload, once, and keeps
its connection: it rebuilds from the welcome it just got instead of reconnecting forever."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp

from storage import open_store
from tests.harness import RunningHub, connect_agent, connect_customer, make_settings


async def test_a_resume_from_a_pruned_id_is_answered_reload(
    tmp_path: Path, database_url: str
) -> None:
    hub = await RunningHub(make_settings(tmp_path, database_url)).start()
    ann = await hub.add_agent("Ann")
    async with aiohttp.ClientSession() as http:
        try:
            customer = await connect_customer(http, hub, name="Dana")
            await customer.say("hello")
            console = await connect_agent(http, hub, ann)
            await console.accept_next()
            seen = max(f["event_id"] for f in console.frames if "event_id" in f)
            await console.close()
            # Events the console never saw; the pruner takes all but the newest.
            await customer.say("while you were away")
            await customer.say("are you there?")

            async with open_store(hub.settings.database_url) as store:
                # What the pruner does once these rows are past the retention.
                pruned = await store.events.prune(datetime.now(UTC) + timedelta(days=1), 1000)
                assert pruned > 0 and await store.events.pruned_through() > seen

            again = await connect_agent(http, hub, ann, token=console.token, available=False)
            [conversation] = again.welcome["conversations"]  # the snapshot holds what matters
            await again.send(type="resume", last_event_id=seen)
            reload = await again.expect("reload")
            assert reload["last_event_id"] == again.welcome["last_event_id"]
            assert "pruned" in reload["reason"]
            assert again.of_type("resumed") == []

            # The connection lives on: a resume from the snapshot's id is an ordinary one,
            # and the live stream continues.
            await again.send(type="resume", last_event_id=reload["last_event_id"])
            await again.expect("resumed")
            await customer.say("still there?")
            message = await again.expect("message", lambda f: f["text"] == "still there?")
            assert message["conversation_id"] == conversation["id"]
            await again.close()
            await customer.close()
        finally:
            await hub.stop()
