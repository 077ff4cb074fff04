"""The contacthub command against real databases."""

from __future__ import annotations

from pathlib import Path

import pytest

from hub.cli import main
from hub.errors import SchemaOutdated
from storage import open_store
from tests.services import fresh_postgres


@pytest.fixture
def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)  # no ./config.toml here: built-in defaults, data under ./var
    return tmp_path


def test_agents_add_and_list_on_the_embedded_database(
    config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (
        main(
            [
                "agents",
                "add",
                "--name",
                "Ann",
                "--email",
                "Ann@Example.com",
                "--password",
                "password123",
                "--skills",
                "billing,es",
                "--capacity",
                "webchat=2",
            ]
        )
        == 0
    )
    assert (
        main(
            [
                "agents",
                "add",
                "--name",
                "Sue",
                "--email",
                "sue@example.com",
                "--password",
                "password123",
                "--role",
                "supervisor",
            ]
        )
        == 0
    )
    assert (config / "var" / "contacthub.db").is_file()
    capsys.readouterr()
    assert main(["agents", "list"]) == 0
    listing = capsys.readouterr().out
    assert "ann@example.com" in listing and "skills=billing,es" in listing
    assert "webchat=2" in listing and "email=5" in listing
    assert "supervisor" in listing

    assert (
        main(
            [
                "agents",
                "add",
                "--name",
                "Ann2",
                "--email",
                "ann@example.com",
                "--password",
                "password123",
            ]
        )
        == 2
    )
    assert "already exists" in capsys.readouterr().err


async def test_db_upgrade_on_postgresql_and_refusal_before_it(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    async with fresh_postgres() as url:
        with pytest.raises(SchemaOutdated, match="contacthub db upgrade"):
            async with open_store(url):
                pass
        monkeypatch.setenv("CONTACTHUB_DATABASE__URL", url)
        # main() runs its own event loop, so call it from a worker thread.
        import asyncio

        code = await asyncio.to_thread(main, ["db", "upgrade"])
        assert code == 0 and "current schema" in capsys.readouterr().out
        async with open_store(url) as store:
            assert await store.agents.agents() == []


def test_an_agents_phone_is_kept_in_e164_and_a_bad_one_refused(
    config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    add = ["agents", "add", "--password", "password123"]
    assert (
        main([*add, "--name", "Pat", "--email", "pat@example.com", "--phone", "(555) 010-2000"])
        == 0
    )
    assert (
        main([*add, "--name", "Cy", "--email", "cy@example.com", "--phone", "client:cy-laptop"])
        == 0
    )
    with pytest.raises(SystemExit) as refused:
        main([*add, "--name", "Bo", "--email", "bo@example.com", "--phone", "12"])
    assert "--phone '12'" in str(refused.value)
    capsys.readouterr()
    assert main(["agents", "list"]) == 0
    listing = capsys.readouterr().out
    assert "phone=+15550102000" in listing and "phone=client:cy-laptop" in listing
    assert "bo@example.com" not in listing


CHANNELS_WITHOUT_SECRETS = """
[channels.twilio]
enabled = true
account_sid = "AC00000000000000000000000000000001"
auth_token_env = "CONTACTHUB_TEST_UNSET_TWILIO_TOKEN"
public_base_url = "https://hub.example.test"
numbers = [{ number = "+15559990000" }]

[channels.email]
enabled = true
[[channels.email.mailboxes]]
name = "support"
address = "support@example.com"
host = "imap.example.com"
user = "support@example.com"
password_env = "CONTACTHUB_TEST_UNSET_IMAP_PASSWORD"
"""


def test_commands_need_only_the_secrets_of_what_they_run(
    config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """With Twilio and email on but their secrets unset, adding an agent still works; only
    serving, which runs the channels, stops, naming the key, before it opens a database."""
    (config / "config.toml").write_text(CHANNELS_WITHOUT_SECRETS)
    add = ["agents", "add", "--name", "Ann", "--email", "ann@example.com"]
    assert main([*add, "--password", "password123"]) == 0
    assert main(["agents", "list"]) == 0
    assert "ann@example.com" in capsys.readouterr().out
    (config / "var" / "contacthub.db").unlink()
    assert main(["serve"]) == 2
    error = capsys.readouterr().err
    assert "channels.twilio.auth_token_env" in error
    assert "CONTACTHUB_TEST_UNSET_TWILIO_TOKEN is not set" in error
    assert not (config / "var" / "contacthub.db").exists()


def test_every_command_names_its_database_and_warns_before_making_one(
    config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Run from another directory, the embedded default is another, empty database."""
    assert main(["agents", "list"]) == 0
    first = capsys.readouterr().err
    where = config / "var" / "contacthub.db"
    assert f"creating a new database at {where}" in first
    assert main(["agents", "list"]) == 0
    again = capsys.readouterr().err
    assert f"database {where}" in again and "creating" not in again


def test_a_busy_port_stops_serve_before_the_database_is_touched(
    config: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import socket

    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen()
    try:
        port = taken.getsockname()[1]
        monkeypatch.setenv("CONTACTHUB_SERVER__PORT", str(port))
        assert main(["serve"]) == 2
    finally:
        taken.close()
    error = capsys.readouterr().err
    assert f"config server.port: 127.0.0.1:{port} is in use; set CONTACTHUB_SERVER__PORT" in error
    assert "Traceback" not in error
    assert not (config / "var" / "contacthub.db").exists()
