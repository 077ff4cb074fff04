"""Separates what the sender wrote now from the history their client quoted below it. Agents
see the new part; the full original is kept. The markers are those of the clients customers
use most: Gmail's "On <date>, <name> wrote:", Outlook's "-----Original Message-----" or its
"From:/Sent:/To:/Subject:" block, Apple Mail's "On <date>, at <time>, <name> wrote:" with
"> " quoting. Interleaved replies (new text between quoted lines) are left whole: cutting
them would hide what the customer wrote."""

from __future__ import annotations

import re

_ATTRIBUTION = re.compile(
    r"^\s*(On\s.{1,250}\swrote:|Am\s.{1,250}\sschrieb.{0,80}:|Le\s.{1,250}\sa écrit\s?:"
    r"|El\s.{1,250}\sescribió:|Op\s.{1,250}\sgeschreven.{0,80}:)\s*$",
    re.IGNORECASE,
)
_ORIGINAL = re.compile(
    r"^\s*-{2,}\s*(Original Message|Ursprüngliche Nachricht|Message d'origine)"
    r"\s*-{2,}\s*$",
    re.IGNORECASE,
)
_FORWARD_RULE = re.compile(r"^\s*_{10,}\s*$")
_HEADER_FROM = re.compile(r"^\s*\*?(From|Von|De)\s*:\*?\s", re.IGNORECASE)
_HEADER_NEXT = re.compile(
    r"^\s*\*?(Sent|Date|To|Subject|Cc|Gesendet|An|Betreff|Envoyé|À|Objet)"
    r"\s*:\*?",
    re.IGNORECASE,
)


def split_quoted(text: str) -> tuple[str, str]:
    """(new text, quoted history). The history is "" when none was found; when the whole
    mail is quoted (a forward with no comment), everything counts as new."""
    lines = text.split("\n")
    cut = _find_cut(lines)
    if cut is None:
        return text.strip(), ""
    new = "\n".join(lines[:cut]).strip()
    quoted = "\n".join(lines[cut:]).strip()
    if not new:
        return text.strip(), ""
    return new, quoted


def _find_cut(lines: list[str]) -> int | None:
    for index, line in enumerate(lines):
        if _ORIGINAL.match(line) or _outlook_block(lines, index):
            return index
        if _FORWARD_RULE.match(line) and _outlook_block(lines, index + 1):
            return index
        if _ATTRIBUTION.match(line):
            return index
        joined = f"{line} {lines[index + 1]}" if index + 1 < len(lines) else line
        if line.strip().startswith("On ") and _ATTRIBUTION.match(joined):
            return index  # Gmail wraps a long attribution over two lines
        if line.startswith(">") and _only_quotes_follow(lines, index):
            return index
    return None


def _outlook_block(lines: list[str], index: int) -> bool:
    """ "From: ..." followed within a few lines by Sent:/To:/Subject: (Outlook's reply header)."""
    if index >= len(lines) or not _HEADER_FROM.match(lines[index]):
        return False
    following = lines[index + 1 : index + 5]
    return sum(1 for line in following if _HEADER_NEXT.match(line)) >= 2


def _only_quotes_follow(lines: list[str], index: int) -> bool:
    return all(line.startswith(">") or not line.strip() for line in lines[index:])
