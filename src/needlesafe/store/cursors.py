"""Keyset pagination: a cursor names the last item a page showed, by its place in the list's
order, so the next page starts right after it through the list's index (no rows skipped one
by one, as an offset does).

A cursor is a kind letter and the item's sort keys, dot-separated: whole numbers in decimal,
timestamps as microseconds since 1970 (UTC), dates as their day number, text as the hex of
its UTF-8. Each list's `pattern` says exactly which strings are cursors of it, and every such
string decodes to some place in the order (out-of-range numbers are clamped), so a cursor
either matches its pattern (422 otherwise, from the route) or is a place to start from.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
MAX_ID = 2_147_483_647

INT = "[0-9]{1,10}"
TIME = "[0-9]{1,17}"
DATE = "[0-9]{1,7}"
TEXT = "(?:[0-9a-f]{2}){0,800}"
SMALL = "[0-9]{1,2}"
_PART = {"i": INT, "t": TIME, "d": DATE, "s": TEXT, "u": SMALL}


@dataclass(frozen=True)
class Shape:
    """One order a list can have: its kind letter and the types of its sort keys."""

    kind: str
    types: str  # one letter a key: i id/int, u small int, t timestamp, d date, s text

    @property
    def pattern(self) -> str:
        return re_escape(self.kind) + "".join(r"\." + _PART[t] for t in self.types)

    def encode(self, keys: tuple[Any, ...]) -> str:
        parts = (_encode(t, k) for t, k in zip(self.types, keys, strict=True))
        return ".".join([self.kind, *parts])

    def decode(self, cursor: str) -> tuple[Any, ...] | None:
        parts = cursor.split(".")
        if parts[0] != self.kind or len(parts) != len(self.types) + 1:
            return None
        return tuple(_decode(t, p) for t, p in zip(self.types, parts[1:], strict=True))


def re_escape(text: str) -> str:
    return "".join("\\" + c if not c.isalnum() else c for c in text)


def pattern(*shapes: Shape) -> str:
    """The pattern of a route's `cursor` parameter: any of the list's shapes."""
    return "^(?:" + "|".join(s.pattern for s in shapes) + ")$"


def _encode(kind: str, value: Any) -> str:
    if kind in "iu":
        return str(int(value))
    if kind == "t":
        moment = value if value.tzinfo else value.replace(tzinfo=dt.UTC)
        delta = moment.astimezone(dt.UTC) - EPOCH
        return str(max(0, (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds))
    if kind == "d":
        return str(value.toordinal())
    return str(value).encode("utf-8").hex()


def _decode(kind: str, part: str) -> Any:
    if kind == "i":
        return min(int(part), MAX_ID + 1)
    if kind == "u":
        return int(part)
    if kind == "t":
        return EPOCH + dt.timedelta(microseconds=int(part))  # 17 digits: before the year 5140
    if kind == "d":
        return dt.date.fromordinal(min(max(int(part), 1), dt.date.max.toordinal()))
    return bytes.fromhex(part).decode("utf-8", errors="replace")
