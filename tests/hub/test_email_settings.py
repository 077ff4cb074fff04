"""The [channels.email] section: passwords come from the environment variables it names, and
bad values stop start-up with the key and the reason."""

from __future__ import annotations

from pathlib import Path

import pytest

from hub.errors import ConfigError
from hub.settings import load_settings
from hub.settings.secrets import require_channel_secrets

MAILBOX = """
[[channels.email.mailboxes]]
name = "support"
address = "support@example.com"
host = "imap.example.com"
user = "support@example.com"
password_env = "IMAP_PASSWORD"
"""


def load(tmp_path: Path, text: str, env: dict[str, str]) -> object:
    path = tmp_path / "config.toml"
    path.write_text(text)
    return load_settings(path, env=env)


def test_passwords_come_from_the_named_variables(tmp_path: Path) -> None:
    text = (
        '[channels.email]\nenabled = true\n[channels.email.smtp]\npassword_env = "SMTP_PW"\n'
        + MAILBOX
    )
    settings = load(tmp_path, text, {"IMAP_PASSWORD": "imap-secret", "SMTP_PW": "smtp-secret"})
    email = settings.channels.email  # type: ignore[attr-defined]
    assert email.mailboxes[0].password.get_secret_value() == "imap-secret"
    assert email.smtp.password.get_secret_value() == "smtp-secret"
    assert "imap-secret" not in repr(email)
    assert email.message_id_domain == "example.com"


@pytest.mark.parametrize(
    ("extra", "env", "key", "reason"),
    [
        (
            'queue = "nowhere"\n',
            {"IMAP_PASSWORD": "x"},
            "channels.email.mailboxes.0.queue",
            "no queue named 'nowhere'",
        ),
        (
            'after_import = "move"\n',
            {"IMAP_PASSWORD": "x"},
            "channels.email.mailboxes.0",
            "needs move_to",
        ),
        ('tls = "ssl"\n', {"IMAP_PASSWORD": "x"}, "channels.email.mailboxes.0.tls", "Input"),
    ],
)
def test_bad_config_names_the_key(
    tmp_path: Path, extra: str, env: dict[str, str], key: str, reason: str
) -> None:
    with pytest.raises(ConfigError) as raised:
        load(tmp_path, "[channels.email]\nenabled = true\n" + MAILBOX + extra, env)
    assert raised.value.key == key and reason in raised.value.reason


def test_a_missing_password_stops_only_what_runs_the_channel(tmp_path: Path) -> None:
    """`contacthub agents add` with mail configured needs no mail password; serving does."""
    settings = load(tmp_path, "[channels.email]\nenabled = true\n" + MAILBOX, {})
    with pytest.raises(ConfigError) as raised:
        require_channel_secrets(settings.channels)  # type: ignore[attr-defined]
    assert raised.value.key == "channels.email.mailboxes.0.password_env"
    assert "IMAP_PASSWORD is not set" in raised.value.reason


@pytest.mark.parametrize(
    ("section", "key"),
    [
        ('[channels.email.smtp]\npassword = "hunter2"\n', "channels.email.smtp.password"),
        (MAILBOX + 'password = "hunter2"\n', "channels.email.mailboxes.0.password"),
    ],
)
def test_a_password_in_the_file_is_refused(tmp_path: Path, section: str, key: str) -> None:
    with pytest.raises(ConfigError) as raised:
        load(tmp_path, "[channels.email]\nenabled = true\n" + section, {"IMAP_PASSWORD": "x"})
    assert raised.value.key == key and "password_env" in raised.value.reason
