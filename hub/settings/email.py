"""The `[channels.email]` section: SMTP out, and `[[channels.email.mailboxes]]`, each an IMAP
mailbox whose mail enters a queue. Passwords never sit in the file: each names the
environment variable that holds it (`password_env`), read once at start."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from pydantic import Field, SecretStr, model_validator

from hub.errors import ConfigError
from hub.models import Record

TlsMode = Literal["implicit", "starttls", "none"]


class _Section(Record):
    pass


class SmtpSettings(_Section):
    host: str = "127.0.0.1"
    port: int = Field(default=587, ge=1, le=65535)
    tls: TlsMode = "starttls"
    user: str = ""
    password_env: str = ""
    password: SecretStr = SecretStr("")  # from password_env at start
    timeout_seconds: float = Field(default=30.0, gt=0)


class MailboxSettings(_Section):
    name: str = Field(min_length=1)
    address: str = Field(pattern=r"^[^@\s]+@[^@\s]+$")  # ours: From and Reply-To of replies
    host: str
    port: int = Field(default=993, ge=1, le=65535)
    tls: TlsMode = "implicit"
    user: str
    password_env: str = ""
    password: SecretStr = SecretStr("")  # from password_env at start
    folder: str = "INBOX"
    queue: str | None = None
    after_import: Literal["seen", "move"] = "seen"
    move_to: str | None = None
    idle: bool = True  # used when the server offers IDLE; else polling
    poll_seconds: float = Field(default=60.0, gt=0)
    idle_seconds: float = Field(default=25 * 60.0, gt=0)  # RFC 2177: re-IDLE within 29 min
    batch_size: int = Field(default=200, ge=1, le=5000)
    timeout_seconds: float = Field(default=60.0, gt=0)

    @model_validator(mode="after")
    def _move_needs_folder(self) -> MailboxSettings:
        if self.after_import == "move" and not self.move_to:
            raise ValueError("after_import = 'move' needs move_to (a folder name)")
        return self


class EmailSettings(_Section):
    enabled: bool = False
    company: str = "Support"  # From: "<Agent> via <company>" <mailbox address>
    # The domain of our Message-IDs; empty: the first mailbox's domain.
    domain: str = ""
    reopen_days: float = Field(default=7.0, ge=0)
    max_attachment_bytes: int = Field(default=25 * 1024 * 1024, ge=0)
    # A first reply sent to each new conversation; empty: none. {name}, {subject} and {id}
    # (the conversation) are filled in.
    auto_ack_template: str = ""
    smtp: SmtpSettings = SmtpSettings()
    mailboxes: tuple[MailboxSettings, ...] = ()

    @model_validator(mode="after")
    def _names_unique(self) -> EmailSettings:
        names = [m.name for m in self.mailboxes]
        if len(set(names)) != len(names):
            raise ValueError(f"mailbox names repeat: {names}")
        return self

    @property
    def message_id_domain(self) -> str:
        if self.domain:
            return self.domain.lower()
        if self.mailboxes:
            return self.mailboxes[0].address.rpartition("@")[2].lower()
        return "localhost"

    def mailbox(self, address: str | None) -> MailboxSettings | None:
        return next((m for m in self.mailboxes if m.address.lower() == (address or "")), None)


def resolve_email_secrets(email: EmailSettings, env: Mapping[str, str]) -> EmailSettings:
    """Fill each password from the variable its `password_env` names, where it is set. One
    that is not set is refused only where the channel runs (`missing_email_secrets`), so
    commands that never touch mail (`contacthub agents add`) need no mail passwords."""
    if not email.enabled:
        return email
    smtp = email.smtp
    if smtp.password_env in env:
        smtp = smtp.model_copy(update={"password": SecretStr(env[smtp.password_env])})
    mailboxes = []
    for mailbox in email.mailboxes:
        if mailbox.password_env in env:
            secret = SecretStr(env[mailbox.password_env])
            mailbox = mailbox.model_copy(update={"password": secret})
        mailboxes.append(mailbox)
    return email.model_copy(update={"smtp": smtp, "mailboxes": tuple(mailboxes)})


def missing_email_secrets(email: EmailSettings) -> ConfigError | None:
    """The first password the section names a variable for but did not get, as the error."""
    if not email.enabled:
        return None
    named = [("channels.email.smtp.password_env", email.smtp.password_env, email.smtp.password)]
    named += [
        (f"channels.email.mailboxes.{index}.password_env", m.password_env, m.password)
        for index, m in enumerate(email.mailboxes)
    ]
    for key, variable, password in named:
        if variable and not password.get_secret_value():
            return ConfigError(key, f"environment variable {variable} is not set")
    return None


def refuse_email_passwords_in_file(raw: Mapping[str, Any]) -> None:
    """Passwords never sit in the file, as the Twilio token does not: name the variable."""
    email = raw.get("channels", {}).get("email")
    if not isinstance(email, Mapping):
        return
    places: list[tuple[str, Any]] = [("channels.email.smtp", email.get("smtp"))]
    mailboxes = email.get("mailboxes")
    if isinstance(mailboxes, list):
        places += [(f"channels.email.mailboxes.{i}", m) for i, m in enumerate(mailboxes)]
    for key, section in places:
        if isinstance(section, Mapping) and "password" in section:
            raise ConfigError(f"{key}.password", "keep secrets out of the file: set password_env")
