"""Channel secrets are checked where the channels run: `contacthub serve` refuses to start
without them, naming the key, while commands that never start a channel (`agents add`,
`db upgrade`) need none of them."""

from __future__ import annotations

from hub.errors import ConfigError
from hub.settings.channels import ChannelsSettings
from hub.settings.email import missing_email_secrets


def require_channel_secrets(channels: ChannelsSettings) -> None:
    twilio = channels.twilio
    if twilio.enabled and not twilio.auth_token.get_secret_value():
        raise ConfigError(
            "channels.twilio.auth_token_env",
            f"environment variable {twilio.auth_token_env} is not set",
        )
    missing = missing_email_secrets(channels.email)
    if missing is not None:
        raise missing
