"""What a search box's text means, whichever database answers it (a pure function): the
words to find, as-you-type. Nothing the user types is search syntax: operators, quotes,
parentheses and `*` are separators like any punctuation, so no input can break the query.

- Words are runs of letters and digits, lowercased (`ana@example.com` is `ana`, `example`,
  `com`; `O'Brien` is `o`, `brien`).
- Each whitespace-separated chunk is a phrase: its words must stand next to each other in
  that order (`example.com` finds `ana@example.com`, not "an example. Com...").
- Every phrase must match (AND); the last word is a prefix (`ana@exa` finds `ana@example.com`).
- A query of digits and phone punctuation only (`+1 (555) 000-1111`, `555 0001`) is one
  number: its digits joined, so it finds a phone identity by its digits, with or without the
  country code, or by its last 4 or more digits (storage indexes every such suffix)."""

from __future__ import annotations

import re
from dataclasses import dataclass

_WORD = re.compile(r"[^\W_]+")
_PHONEISH = re.compile(r"[\d\s+().\-/]+")
MAX_PHRASES = 8
MAX_WORD = 64


@dataclass(frozen=True)
class SearchTerms:
    """Phrases of words; the last word of the last phrase is matched as a prefix."""

    phrases: tuple[tuple[str, ...], ...]

    @property
    def words(self) -> tuple[str, ...]:
        return tuple(word for phrase in self.phrases for word in phrase)


def parse_terms(text: str) -> SearchTerms | None:
    """The terms of `text`, or None when it holds no word at all."""
    if _PHONEISH.fullmatch(text) and sum(c.isdigit() for c in text) >= 4:
        return SearchTerms(phrases=((re.sub(r"\D", "", text)[:MAX_WORD],),))
    phrases = []
    for chunk in text.split():
        words = tuple(w.lower()[:MAX_WORD] for w in _WORD.findall(chunk))
        if words:
            phrases.append(words)
    if not phrases:
        return None
    return SearchTerms(phrases=tuple(phrases[:MAX_PHRASES]))
