"""Moments shown in a clinic's time zone. Stored times are UTC; people read their own clock."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from functools import lru_cache


@lru_cache(maxsize=64)
def zone(name: str) -> dt.tzinfo:
    """The IANA zone of that name; UTC for a name this machine does not know."""
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return dt.UTC


def local(moment: dt.datetime, name: str) -> dt.datetime:
    """`moment` (naive means UTC) on the clock of zone `name`."""
    return moment.replace(tzinfo=moment.tzinfo or dt.UTC).astimezone(zone(name))
