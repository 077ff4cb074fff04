"""Snippets as segments: the databases' snippet functions mark matches with two private-use
characters (which indexed text never holds: migration 0012 drops them), split here into
plain-text segments a client renders without HTML."""

from __future__ import annotations

from hub.records import Segment

START = "\ue000"
STOP = "\ue001"


def segments(marked: str) -> tuple[Segment, ...]:
    """`a \ue000b\ue001 c` -> (a , b matched,  c); empty pieces are left out."""
    out: list[Segment] = []
    for index, piece in enumerate(marked.split(START)):
        if index == 0:
            _add(out, piece.replace(STOP, ""), False)
            continue
        matched, _, rest = piece.partition(STOP)
        _add(out, matched, True)
        _add(out, rest.replace(STOP, ""), False)
    return tuple(out)


def _add(out: list[Segment], text: str, match: bool) -> None:
    if not text:
        return
    if out and out[-1].match == match:  # adjacent matches ("ana" "@"?) read as one
        out[-1] = Segment(text=out[-1].text + text, match=match)
    else:
        out.append(Segment(text=text, match=match))
