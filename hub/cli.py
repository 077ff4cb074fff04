"""`contacthub`: serve the hub, manage agents, read the audit trail, upgrade the database."""

from __future__ import annotations

import argparse
import asyncio
import errno
import getpass
import logging
import re
import secrets
import socket
import sys
from collections.abc import Sequence
from pathlib import Path

from aiohttp import web

from hub.errors import ConfigError, HubError
from hub.services.auth import hash_password
from hub.settings import Settings, load_settings
from hub.wire.access_log import RedactedAccessLogger

EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = load_settings(args.config)
        _announce_database(settings)
        return int(args.run(settings, args) or 0)
    except HubError as exc:
        print(f"contacthub: {exc.message}", file=sys.stderr)
        return 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="contacthub", description=__doc__)
    parser.add_argument(
        "--config", type=Path, help="config file (default: ./config.toml if present)"
    )
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    serve = commands.add_parser("serve", help="run the hub")
    serve.add_argument("--config", type=Path, default=argparse.SUPPRESS)
    serve.set_defaults(run=_serve)

    agents = commands.add_parser("agents", help="manage agents").add_subparsers(required=True)
    add = agents.add_parser("add", help="create an agent")
    add.add_argument("--name", required=True)
    add.add_argument("--email", required=True)
    add.add_argument("--password", help="prompted for when omitted")
    add.add_argument("--skills", default="", help="comma-separated, e.g. billing,spanish")
    add.add_argument("--role", choices=["agent", "supervisor", "admin"], default="agent")
    add.add_argument("--capacity", default="", help="per channel, e.g. webchat=3,email=5")
    add.add_argument(
        "--phone",
        help="where calls are connected: a phone number, or client:<identity> for Twilio Client "
        "(default client:<agent id>)",
    )
    add.set_defaults(run=_agents_add)
    listing = agents.add_parser("list", help="list agents")
    listing.set_defaults(run=_agents_list)
    passwd = agents.add_parser(
        "passwd", help="set an agent's password (ends every session it has open)"
    )
    passwd.add_argument("--email", required=True)
    passwd.add_argument("--password", help="prompted for when omitted")
    passwd.set_defaults(run=_agents_passwd)

    audit = commands.add_parser("audit", help="the security audit trail, newest first")
    audit.add_argument("--limit", type=int, default=50)
    audit.set_defaults(run=_audit)

    demo = commands.add_parser(
        "demo", help="fill the database with a realistic, backdated demo history"
    )
    demo.add_argument("--conversations", type=int, required=True, metavar="N")
    demo.add_argument("--days", type=float, default=30.0, help="spread over the last D days")
    demo.add_argument("--seed", help="the same seed makes the same history (default: random)")
    demo.add_argument(
        "--password", help="the demo agents' password (default: generated and printed once)"
    )
    demo.set_defaults(run=_demo)

    db = commands.add_parser("db", help="database schema").add_subparsers(required=True)
    db.add_parser("upgrade", help="migrate the database to the current schema").set_defaults(
        run=_db_upgrade
    )
    return parser


def _serve(settings: Settings, _args: argparse.Namespace) -> None:
    from hub.app import build_app  # the composition root pulls in every package

    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    # Bound before anything else, so a busy port stops start-up before the database is
    # touched, and nothing can take the port between the check and the start.
    listening = _listening_socket(settings.server.host, settings.server.port)
    address = f"http://{settings.server.host}:{listening.getsockname()[1]}"
    with listening:  # closed however start-up ends
        web.run_app(
            build_app(settings),
            sock=listening,
            access_log_class=RedactedAccessLogger,
            print=lambda _: print(
                f"ContactHub on {address} "
                f"(database {settings.database_url}, bus {settings.bus.url or 'in-process'})",
                flush=True,
            ),
        )


def _listening_socket(host: str, port: int) -> socket.socket:
    listening = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
    listening.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        listening.bind((host, port))
    except OSError as exc:
        listening.close()
        reason = f"{host}:{port} is in use; set CONTACTHUB_SERVER__PORT (or server.port)"
        if exc.errno != errno.EADDRINUSE:
            reason = f"cannot listen on {host}:{port} ({exc.strerror})"
        raise ConfigError("server.port", reason) from None
    listening.listen(128)
    listening.setblocking(False)
    return listening


def _announce_database(settings: Settings) -> None:
    """Every command says which database it works on, and warns before making a new one:
    run from another directory, the embedded default (./var) is another, empty database."""
    url = settings.database_url
    if not url.startswith("sqlite"):
        print(f"contacthub: database {url.split('@')[-1]}", file=sys.stderr)
        return
    path = Path(url.split(":///", 1)[1]).resolve()
    if path.exists():
        print(f"contacthub: database {path}", file=sys.stderr)
    else:
        print(
            f"contacthub: creating a new database at {path} (none there yet: run from the "
            "directory that holds var/, or set CONTACTHUB_DATABASE__URL)",
            file=sys.stderr,
        )


def _agents_add(settings: Settings, args: argparse.Namespace) -> None:
    if not EMAIL.fullmatch(args.email):
        raise SystemExit(f"contacthub: --email {args.email!r} is not an email address")
    password = _new_password(args.password)
    capacity = dict(settings.routing.default_capacity) | _capacity(args.capacity)
    skills = [s.strip() for s in args.skills.split(",") if s.strip()]
    voice_target = _voice_target(args.phone, settings.channels.twilio.default_region)

    async def add() -> None:
        from storage import open_store

        async with open_store(settings.database_url) as store:
            agent = await store.agents.add_agent(
                args.name,
                args.email,
                hash_password(password),
                args.role,
                skills,
                capacity,
                voice_target=voice_target,
            )
        print(f"added {agent.role} {agent.name} <{agent.email}> id={agent.id}")

    asyncio.run(add())


def _new_password(given: str | None) -> str:
    password = given or getpass.getpass("Password: ")
    if len(password) < 8:
        raise SystemExit("contacthub: the password needs at least 8 characters")
    return password


def _agents_passwd(settings: Settings, args: argparse.Namespace) -> None:
    password = _new_password(args.password)

    async def passwd() -> None:
        from datetime import UTC, datetime

        from storage import open_store

        async with open_store(settings.database_url) as store:
            found = await store.agents.credentials(args.email)
            if found is None:
                raise SystemExit(f"contacthub: no agent with email {args.email!r}")
            agent = found[0]
            await store.agents.set_password(agent.id, hash_password(password))
            await store.agents.clear_login_failures(agent.email)
            await store.agents.record_audit(
                "password_changed",
                datetime.now(UTC),
                agent_id=agent.id,
                email=agent.email,
                detail="set with contacthub agents passwd; every earlier session revoked",
            )
        print(f"password of {agent.name} <{agent.email}> changed; its sessions are ended")

    asyncio.run(passwd())


def _audit(settings: Settings, args: argparse.Namespace) -> None:
    async def listing() -> None:
        from storage import open_store

        async with open_store(settings.database_url) as store:
            entries = await store.agents.audit(max(1, args.limit))
        if not entries:
            print("the audit trail is empty")
        for e in entries:
            print(
                f"{e.at.isoformat(timespec='seconds')}  {e.kind:<16} {e.email or '-':<28} "
                f"{e.address or '-':<15} {e.detail}" + (f" (by {e.actor_id})" if e.actor_id else "")
            )

    asyncio.run(listing())


def _voice_target(phone: str | None, region: str) -> str | None:
    if phone is None or phone.startswith("client:"):
        return phone
    import phonenumbers

    try:
        number = phonenumbers.parse(phone, region)
    except phonenumbers.NumberParseException as exc:
        raise SystemExit(f"contacthub: --phone {phone!r}: {exc}") from None
    if not phonenumbers.is_possible_number(number):
        raise SystemExit(f"contacthub: --phone {phone!r} is not a possible phone number")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _capacity(text: str) -> dict[str, int]:
    capacity: dict[str, int] = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        channel, _, value = part.partition("=")
        if not value.isdigit():
            raise SystemExit(f"contacthub: --capacity {part!r}: use channel=number")
        capacity[channel.strip()] = int(value)
    return capacity


def _agents_list(settings: Settings, _args: argparse.Namespace) -> None:
    async def listing() -> None:
        from storage import open_store

        async with open_store(settings.database_url) as store:
            agents = await store.agents.agents()
        if not agents:
            print("no agents yet: contacthub agents add --name ... --email ... --password ...")
        for a in agents:
            capacity = ",".join(f"{k}={v}" for k, v in sorted(a.capacity.items()))
            print(
                f"{a.id}  {a.name:<20} {a.email:<28} {a.role:<10} {a.status:<9} "
                f"skills={','.join(a.skills) or '-'} capacity={capacity} "
                f"phone={a.voice_target or '-'}" + (" DISABLED" if a.disabled else "")
            )

    asyncio.run(listing())


def _demo(settings: Settings, args: argparse.Namespace) -> None:
    from hub.demo import DemoOptions, run_demo

    if args.conversations < 1 or args.days <= 0:
        raise SystemExit("contacthub: --conversations and --days must be positive")
    password = args.password or secrets.token_urlsafe(12)
    if len(password) < 8:
        raise SystemExit("contacthub: the password needs at least 8 characters")
    options = DemoOptions(args.conversations, args.days)
    if args.seed is not None:
        options = DemoOptions(args.conversations, args.days, seed=args.seed)

    async def demo() -> None:
        from storage import open_store

        async with open_store(settings.database_url, migrate=True) as store:
            say = lambda line: print(f"contacthub demo: {line}", file=sys.stderr, flush=True)  # noqa: E731
            report = await run_demo(store, settings, options, hash_password(password), say)
        rate = report.messages / report.seconds if report.seconds else 0.0
        print(
            f"{report.conversations} conversations, {report.messages} messages over "
            f"{args.days:g} days in {report.seconds:.1f} s ({rate:,.0f} messages/s); "
            f"seed {options.seed}"
        )
        print("agents (all with the same password):")
        for agent in report.agents:
            print(f"  {agent.email:<40} {agent.role:<10} {','.join(agent.skills) or '-'}")
        print(f"password: {password}" + ("" if args.password else "  (generated: shown once)"))

    asyncio.run(demo())


def _db_upgrade(settings: Settings, _args: argparse.Namespace) -> None:
    async def upgrade() -> None:
        from storage import open_store

        async with open_store(settings.database_url, migrate=True):
            pass
        print(f"database {settings.database_url} is at the current schema")

    asyncio.run(upgrade())
