"""Canned responses: filling a text's placeholders (a pure function). Supervisors and admins
manage them, every agent reads them (the REST endpoints' access says so)."""

from __future__ import annotations

import re
from collections.abc import Mapping

_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def render(text: str, values: Mapping[str, str]) -> str:
    """`text` with each `{name}` of `values` filled in; unknown placeholders (`{order}`) and
    anything else in braces are left as written. Values are inserted once: a customer named
    `{agent}` stays `{agent}`."""
    return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), text)


def placeholders(customer_name: str, agent_name: str) -> dict[str, str]:
    return {"name": customer_name, "agent": agent_name}
