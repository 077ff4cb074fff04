"""Reading the configuration: config.toml plus CONTACTHUB_* environment overrides, secrets
from the variables the file names, and references checked, so bad config fails at start with
the key and the reason."""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from hub.errors import ConfigError
from hub.settings.channels import TwilioSettings
from hub.settings.email import refuse_email_passwords_in_file, resolve_email_secrets
from hub.settings.model import Settings

ENV_PREFIX = "CONTACTHUB_"


def load_settings(path: Path | None = None, env: Mapping[str, str] | None = None) -> Settings:
    """Read `path` (or ./config.toml if present, else built-in defaults) and apply overrides
    such as CONTACTHUB_DATABASE__URL (a double underscore separates nesting levels)."""
    raw: dict[str, Any] = {}
    if path is None and Path("config.toml").is_file():
        path = Path("config.toml")
    if path is not None:
        raw = _read_toml(path)
    env = os.environ if env is None else env
    _apply_env(raw, env)
    _fill_secrets(raw, env)
    try:
        settings = Settings.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        key = ".".join(str(part) for part in first["loc"]) or "(root)"
        raise ConfigError(key, first["msg"]) from None
    _check_references(settings)
    email = resolve_email_secrets(settings.channels.email, env)
    channels = settings.channels.model_copy(update={"email": email})
    return settings.model_copy(update={"channels": channels})


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        raise ConfigError(str(path), "file not found") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(str(path), f"not valid TOML: {exc}") from None


def _apply_env(raw: dict[str, Any], env: Mapping[str, str]) -> None:
    for name, value in env.items():
        # Every setting lives in a section, so an override always has a "__"; other
        # CONTACTHUB_* variables (CONTACTHUB_REQUIRE_SERVICES, ...) are not configuration.
        if not name.startswith(ENV_PREFIX) or "__" not in name:
            continue
        path = [part.lower() for part in name[len(ENV_PREFIX) :].split("__")]
        node = raw
        for part in path[:-1]:
            child = node.setdefault(part, {})
            if not isinstance(child, dict):
                raise ConfigError(name, f"{part} is not a section")
            node = child
        node[path[-1]] = value


def _fill_secrets(raw: dict[str, Any], env: Mapping[str, str]) -> None:
    """Secrets come from the environment variables the config names, never from the file.
    One that is not set fails only where its channel runs (hub.settings.secrets)."""
    refuse_email_passwords_in_file(raw)
    twilio = raw.get("channels", {}).get("twilio")
    if not isinstance(twilio, dict):
        return
    if "auth_token" in twilio:
        raise ConfigError(
            "channels.twilio.auth_token", "keep secrets out of the file: set auth_token_env"
        )
    variable = twilio.get("auth_token_env", TwilioSettings().auth_token_env)
    if isinstance(variable, str) and env.get(variable):
        twilio["auth_token"] = env[variable]


def _check_references(settings: Settings) -> None:
    """Every queue a channel names must be configured (resolving picks defaults for the
    rest, hub.settings.queues)."""
    channels = settings.channels
    named: list[tuple[str, str | None]] = [
        ("channels.webchat.queue", channels.webchat.queue),
        ("channels.twilio.sms_queue", channels.twilio.sms_queue),
        ("channels.twilio.voice_queue", channels.twilio.voice_queue),
    ]
    named += [
        (f"channels.email.mailboxes.{index}.queue", mailbox.queue)
        for index, mailbox in enumerate(channels.email.mailboxes)
    ]
    for key, queue in named:
        if queue is not None and settings.queue(queue) is None:
            raise ConfigError(key, f"no queue named {queue!r}")
    _check_twilio(settings)


def _check_twilio(settings: Settings) -> None:
    twilio = settings.channels.twilio
    if not twilio.enabled:
        return
    key = "channels.twilio"
    if not twilio.account_sid.startswith("AC"):
        raise ConfigError(f"{key}.account_sid", "an account SID (AC...) is needed")
    for url_key in ("public_base_url", "api_base_url"):
        if not getattr(twilio, url_key).startswith(("http://", "https://")):
            raise ConfigError(f"{key}.{url_key}", "an http(s):// URL is needed")
    if not twilio.numbers and not twilio.messaging_service_sid:
        raise ConfigError(f"{key}.numbers", "give the numbers or a messaging_service_sid")
    for index, number in enumerate(twilio.numbers):
        if not number.number.startswith("+"):
            raise ConfigError(f"{key}.numbers.{index}.number", "use E.164, e.g. +15551234567")
        if number.queue is not None and settings.queue(number.queue) is None:
            raise ConfigError(f"{key}.numbers.{index}.queue", f"no queue named {number.queue!r}")
