"""Customer profiles, merges and their undoing, canned responses and saved views behave the
same on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from hub.errors import Conflict, Forbidden, NotFound
from hub.flow.bus import Bus
from hub.flow.placement import place
from hub.flow.publishing import PublishingWork
from hub.ids import AgentId, CustomerId
from hub.models import Agent, InboundMessage
from hub.ports import Store
from hub.services.customers import CustomerService
from hub.services.search_terms import parse_terms
from storage import open_store


@pytest.fixture
async def store(database_url: str) -> AsyncIterator[Store]:
    async with open_store(database_url, migrate=True) as opened:
        yield opened


@pytest.fixture
async def service(store: Store) -> AsyncIterator[CustomerService]:
    async with Bus() as bus, PublishingWork(store.work, bus) as work:
        yield CustomerService(work)


SUPERVISOR = Agent(id=AgentId("sup"), name="Sue", email="sue@example.com", role="supervisor")
AGENT = Agent(id=AgentId("ag"), name="Al", email="al@example.com", role="agent")


async def say(store: Store, customer: CustomerId, text: str, key: str, channel: str) -> str:
    message = InboundMessage(
        channel=channel,  # type: ignore[arg-type]
        customer_id=customer,
        dedupe_key=key,
        text=text,
        queue="general",
    )
    results, _ = await store.inbound.ingest([message], place)
    return results[0].conversation.id


async def test_a_profile_lists_identities_fields_and_conversations(
    store: Store, service: CustomerService
) -> None:
    ana = await store.customers.identify("email", "ana@example.com", "Ana")
    first = await say(store, ana, "one", "e1", "email")
    await store.work.run_batch(
        [lambda tx: tx.conversations.save(_resolved(tx.conversations.get(first)))]
    )
    second = await say(store, ana, "two", "e2", "email")
    await service.update(AGENT, ana, {"attributes": {"plan": "gold"}, "labels": ["vip"]})
    profile = await store.profiles.profile(ana)
    assert profile is not None
    assert [c.id for c in profile.conversations] == [second, first]  # newest first
    assert profile.attributes == {"plan": "gold"} and profile.labels == ("vip",)
    assert [(i.kind, i.address) for i in profile.customer.identities] == [
        ("email", "ana@example.com")
    ]
    with pytest.raises(NotFound):
        await service.update(AGENT, CustomerId("nobody"), {"labels": []})


def _resolved(conversation: object) -> object:
    assert conversation is not None
    return conversation.model_copy(update={"status": "resolved"})  # type: ignore[attr-defined]


async def test_the_list_is_newest_first_and_paged_by_cursor(store: Store) -> None:
    made = [await store.customers.identify("phone", f"+1555000{i:04d}", f"C{i}") for i in range(5)]
    seen: list[str] = []
    page = await store.profiles.page(2)
    while True:
        seen += [p.customer.id for p in page.customers]
        if page.next_cursor is None:
            break
        page = await store.profiles.page(2, page.next_cursor)
    assert seen == list(reversed(made))


async def test_merge_then_unmerge_restores_both_profiles_exactly(
    store: Store, service: CustomerService
) -> None:
    token = "web-ana-token-0123456789"
    web = await store.visitors.register(token, "Web Ana", "ana@example.com")  # a claim
    chat = await say(store, web, "hi from the widget", "w1", "webchat")
    mail = await store.customers.identify("email", "ana@example.com", "Ana Lima")
    mailed = await say(store, mail, "the invoice", "m1", "email")
    phone = await store.customers.identify("phone", "+15550001111", "Ana phone")
    await service.update(
        AGENT, web, {"attributes": {"plan": "free", "tz": "UTC"}, "labels": ["web"]}
    )
    await service.update(AGENT, mail, {"attributes": {"plan": "gold"}, "labels": ["vip", "web"]})
    before = {c: await store.profiles.profile(c) for c in (web, mail, phone)}
    timeline_before = {c: await store.reader.timeline(c) for c in (web, mail)}

    record = await service.merge(SUPERVISOR, mail, web)
    assert (record.identities, record.conversations) == (2, 1)
    survivor, gone = await store.profiles.profile(mail), await store.profiles.profile(web)
    assert survivor is not None and gone is not None
    assert gone.merged_into == mail and gone.conversations == ()
    assert gone.customer.identities == ()
    assert {c.id for c in survivor.conversations} == {chat, mailed}
    assert survivor.attributes == {"plan": "gold", "tz": "UTC"}
    assert survivor.labels == ("vip", "web")
    kinds = [(i.kind, i.address, i.verified) for i in survivor.customer.identities]
    assert kinds == [("webchat", "web visitor", True), ("email", "ana@example.com", True)]
    resumed = await store.visitors.find(token)  # the widget now resumes the survivor
    assert resumed is not None and resumed.customer.id == mail
    assert [e.kind for e in await store.reader.timeline(mail)][-1] == "customers_merged"
    assert [e.kind for e in await store.reader.timeline(web)][-1] == "customers_merged"
    moved = [e for e in await store.reader.timeline(mail) if e.conversation_id == chat]
    assert moved and all(e.conversation_id == chat for e in moved)
    terms = parse_terms("widget")
    assert terms is not None
    hits = await store.search.conversations(terms, 5)
    assert [(h.conversation_id, h.customer_id) for h in hits] == [(chat, mail)]
    assert [h.customer_id for h in await store.search.customers(parse_terms("web ana"), 5)] == []  # type: ignore[arg-type]
    with pytest.raises(Conflict):  # a merged-away customer is read only
        await service.update(AGENT, web, {"labels": []})

    await service.unmerge(SUPERVISOR, mail, record.id)
    after = {c: await store.profiles.profile(c) for c in (web, mail, phone)}
    assert after == before
    for customer in (web, mail):
        timeline = await store.reader.timeline(customer)
        assert [e.kind for e in timeline][-2:] == ["customers_merged", "customers_unmerged"]
        assert timeline[:-2] == timeline_before[customer]
    hits = await store.search.conversations(terms, 5)
    assert [(h.conversation_id, h.customer_id) for h in hits] == [(chat, web)]
    resumed = await store.visitors.find(token)
    assert resumed is not None and resumed.customer.id == web
    with pytest.raises(Conflict):
        await service.unmerge(SUPERVISOR, mail, record.id)


async def test_merge_refusals(store: Store, service: CustomerService) -> None:
    a = await store.customers.identify("phone", "+15550000001", "A")
    b = await store.customers.identify("phone", "+15550000002", "B")
    c = await store.customers.identify("phone", "+15550000003", "C")
    with pytest.raises(Forbidden):
        await service.merge(AGENT, a, b)
    with pytest.raises(Exception, match="itself"):
        await service.merge(SUPERVISOR, a, a)
    with pytest.raises(NotFound):
        await service.merge(SUPERVISOR, a, CustomerId("nobody"))
    first = await service.merge(SUPERVISOR, a, b)
    with pytest.raises(Conflict):
        await service.merge(SUPERVISOR, c, b)  # b is merged away already
    second = await service.merge(SUPERVISOR, a, c)
    with pytest.raises(Conflict, match="later merge"):
        await service.unmerge(SUPERVISOR, a, first.id)
    with pytest.raises(NotFound):
        await service.unmerge(SUPERVISOR, b, second.id)  # not b's merge
    await service.unmerge(SUPERVISOR, a, second.id)
    await service.unmerge(SUPERVISOR, a, first.id)
    merged = await store.profiles.merge(first.id)
    assert merged is not None and merged.undone_at is not None


async def test_canned_responses(store: Store) -> None:
    hello = await store.canned.add("hello", "Greeting", "Hi {name}, {agent} here")
    await store.canned.add("help", None, "How can I help?")
    await store.canned.add("bye", None, "Bye")
    assert [c.short_code for c in await store.canned.list("HE")] == ["hello", "help"]
    assert [c.short_code for c in await store.canned.list("%")] == []  # no LIKE wildcards
    with pytest.raises(Conflict):
        await store.canned.add("hello", None, "again")
    updated = await store.canned.update(hello.id, {"text": "Hello {name}"})
    assert updated is not None and updated.text == "Hello {name}" and updated.title == "Greeting"
    with pytest.raises(Conflict):
        await store.canned.update(hello.id, {"short_code": "help"})
    assert await store.canned.update("nope", {"text": "x"}) is None
    assert await store.canned.delete(hello.id) and not await store.canned.delete(hello.id)


async def test_saved_views(store: Store) -> None:
    ann = await store.agents.add_agent("Ann", "ann@example.com", "h", "agent", [], {})
    bea = await store.agents.add_agent("Bea", "bea@example.com", "h", "agent", [], {})
    mine = await store.views.add(ann.id, "Mine", False, {"status": ["open"]})
    shared = await store.views.add(bea.id, "Team", True, {"queue": ["billing"], "q": "refund"})
    await store.views.add(bea.id, "Bea's", False, {})
    assert [v.id for v in await store.views.visible_to(ann.id)] == [mine.id, shared.id]
    changed = await store.views.update(mine.id, {"name": "Mine!", "filters": {"label": ["x"]}})
    assert changed is not None and changed.filters == {"label": ["x"]}
    assert changed.updated_at >= mine.updated_at and changed.created_at == mine.created_at
    assert await store.views.delete(mine.id)
    assert await store.views.get(mine.id) is None
