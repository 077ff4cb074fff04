"""Phone numbers in E.164, parsed by libphonenumber's Python port (`phonenumbers`): the same
person writes +1 (555) 010-2000 and 15550102000, and must be one customer."""

from __future__ import annotations

import phonenumbers

from hub.errors import BadInput


def to_e164(raw: str, default_region: str) -> str:
    """The number in E.164. Twilio sends E.164 already; numbers typed by people (an agent's
    phone, a config file) may not be. Client identities ("client:alice") pass unchanged."""
    if raw.startswith("client:"):
        return raw
    try:
        parsed = phonenumbers.parse(raw, default_region)
    except phonenumbers.NumberParseException as exc:
        raise BadInput(f"{raw!r} is not a phone number: {exc}") from None
    if not phonenumbers.is_possible_number(parsed):
        raise BadInput(f"{raw!r} is not a possible phone number")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def display(e164: str) -> str:
    """How a number reads to a person: +1 555-010-2000."""
    if e164.startswith("withheld:"):
        return "Withheld number"
    try:
        parsed = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
