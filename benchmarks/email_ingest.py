"""Email ingest benchmark: messages per second from an IMAP mailbox into committed
conversations, through the whole hub (poller, parsing, threading, group commit, flags).

    python -m benchmarks.email_ingest                    # N=2000, SQLite
    python -m benchmarks.email_ingest -n 5000 --database-url postgresql+asyncpg://...

A temporary Dovecot (tests/channels/email/dovecot.py) gets N realistic 2-5 KB messages by
IMAP APPEND before the clock starts: plain and multipart/alternative, about a fifth of them
replies (In-Reply-To/References to an earlier message of the set), a few with a PDF
attachment. Then the hub starts with one mailbox on it and the clock runs until the
mailbox cursor (moved only after a batch's rows commit, and before its \\Seen flags) reaches
the last UID; the figure is N over that time. Baseline: django-helpdesk 2.6.1 imports about
37 msg/s on this machine (serially, about 6 commits per message); the target is 400."""

from __future__ import annotations

import argparse
import asyncio
import random
import tempfile
import time
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

import aioimaplib
from aiohttp import web

from benchmarks import report
from hub.app import build_app
from hub.settings import Settings, load_settings
from storage import open_store
from tests.channels.email.dovecot import Dovecot

BASELINE = 37.0
TARGET = 400.0
WORDS = (
    "order invoice delivery refund account password shipping parcel address payment card "
    "subscription renewal cancel update warranty repair replacement tracking number arrived "
    "damaged missing item please thanks hello regards could would help urgent today week"
).split()


def sentence(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words)).capitalize() + "."


def body(rng: random.Random, size: int) -> str:
    paragraphs = []
    while sum(len(p) for p in paragraphs) < size:
        paragraphs.append(" ".join(sentence(rng, rng.randint(6, 14)) for _ in range(4)))
    return "\n\n".join(paragraphs)


def make_mail(rng: random.Random, n: int, earlier: list[tuple[str, str, str]]) -> bytes:
    """Message n: a reply to an earlier one about a fifth of the time (from its sender)."""
    msg = EmailMessage()
    reply_to = rng.choice(earlier) if earlier and rng.random() < 0.2 else None
    sender, subject = (
        (reply_to[1], f"Re: {reply_to[2]}")
        if reply_to
        else (
            f"customer{rng.randint(1, 1500)}@example.net",
            f"Question about {rng.choice(WORDS)} {n}",
        )
    )
    msg["From"] = f"Customer {sender.split('@')[0][8:]} <{sender}>"
    msg["To"] = "support@example.com"
    msg["Subject"] = subject
    msg["Date"] = format_datetime(datetime(2026, 11, 1, tzinfo=UTC) + timedelta(minutes=n))
    msg["Message-ID"] = f"<bench{n}.{rng.getrandbits(32):x}@example.net>"
    if reply_to:
        msg["In-Reply-To"] = f"<{reply_to[0]}>"
        msg["References"] = f"<{reply_to[0]}>"
    text = body(rng, rng.randint(1500, 3800))
    if reply_to:
        quoted = "\n".join("> " + line for line in body(rng, 400).splitlines())
        text += f"\n\nOn Mon, 2 Nov 2026 at 10:00, Support <support@example.com> wrote:\n{quoted}"
    msg.set_content(text)
    if rng.random() < 0.3:
        msg.add_alternative(f"<html><body><p>{text[:1500]}</p></body></html>", subtype="html")
    if rng.random() < 0.03:
        msg.add_attachment(
            rng.randbytes(1024), maintype="application", subtype="pdf", filename=f"doc{n}.pdf"
        )
    earlier.append((msg["Message-ID"].strip("<>"), sender, subject))
    return msg.as_bytes()


async def load_mailbox(server: Dovecot, count: int, seed: int) -> tuple[int, list[str]]:
    """APPEND the messages; returns their total size and their Message-IDs."""
    rng = random.Random(seed)
    earlier: list[tuple[str, str, str]] = []
    client = aioimaplib.IMAP4(server.host, server.port, timeout=30)
    await client.wait_hello_from_server()
    await client.login(server.user, server.password)
    total = 0
    for n in range(count):
        raw = make_mail(rng, n, earlier)
        total += len(raw)
        response = await client.append(raw, mailbox="INBOX")
        assert response.result == "OK", response
    await client.logout()
    return total, [m for m, _, _ in earlier]


def settings_for(data_dir: Path, database_url: str, server: Dovecot, batch: int) -> Settings:
    config = data_dir / "config.toml"
    config.write_text(
        f"""
[server]
data_dir = "{data_dir}"
port = 0
[database]
url = "{database_url}"
[channels.email]
enabled = true
domain = "hub.example.com"
[[channels.email.mailboxes]]
name = "bench"
address = "support@example.com"
host = "{server.host}"
port = {server.port}
tls = "none"
user = "{server.user}"
password_env = "BENCH_IMAP_PASSWORD"
batch_size = {batch}
"""
    )
    return load_settings(config, env={"BENCH_IMAP_PASSWORD": server.password})


async def measure(settings: Settings, count: int, timeout: float) -> float:
    """Seconds from the hub's start until every message is committed."""
    if not settings.database_url.startswith("sqlite"):
        async with open_store(settings.database_url, migrate=True):
            pass
    async with open_store(settings.database_url) as store:
        started = time.perf_counter()
        runner = web.AppRunner(await build_app(settings))
        await runner.setup()
        try:
            async with asyncio.timeout(timeout):
                while (await store.email.cursor("bench") or (0, 0))[1] < count:
                    await asyncio.sleep(0.01)
            elapsed = time.perf_counter() - started
        finally:
            await runner.cleanup()
    return elapsed


async def main(args: argparse.Namespace) -> None:
    server = Dovecot().start()
    try:
        with tempfile.TemporaryDirectory(prefix="contacthub-bench-") as temp:
            data_dir = Path(temp)
            url = args.database_url or f"sqlite+aiosqlite:///{data_dir}/contacthub.db"
            loaded, message_ids = await load_mailbox(server, args.messages, args.seed)
            settings = settings_for(data_dir, url, server, args.batch)
            elapsed = await measure(settings, args.messages, args.timeout)
            await check(settings, message_ids)
    finally:
        server.close()
    rate = args.messages / elapsed
    print(f"machine: {report.machine()}")
    print(f"database: {'SQLite (embedded)' if not args.database_url else args.database_url}")
    print(f"mailbox: {args.messages} messages, {loaded / args.messages / 1024:.1f} KB average")
    print(f"imported and committed in {elapsed:.2f} s: {rate:.0f} msg/s")
    print(f"baseline django-helpdesk 2.6.1: {BASELINE:.0f} msg/s -> {rate / BASELINE:.1f}x")
    print(f"target {TARGET:.0f} msg/s: {'met' if rate >= TARGET else 'NOT met'}")


async def check(settings: Settings, message_ids: list[str]) -> None:
    """Every message stored once: the figure counts committed rows, nothing skipped."""
    async with open_store(settings.database_url) as store:
        stored = await store.email.known_message_ids(message_ids)
    assert len(stored) == len(message_ids), f"{len(stored)} of {len(message_ids)} stored"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m benchmarks.email_ingest")
    p.add_argument("--messages", "-n", type=int, default=2000)
    p.add_argument("--batch", type=int, default=200, help="UIDs fetched per IMAP batch")
    p.add_argument("--database-url", default="", help="default: a temporary SQLite file")
    p.add_argument("--seed", type=int, default=4)
    p.add_argument("--timeout", type=float, default=300.0)
    return p.parse_args(argv)


if __name__ == "__main__":
    asyncio.run(main(parse_args()))
