"""A login rate limit: at most N failed attempts per key in a sliding window (in memory)."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Iterable

from needlesafe.services.errors import RateLimited


class LoginRateLimiter:
    def __init__(
        self,
        *,
        max_failures: int,
        window_seconds: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.max_failures = max_failures
        self.window = window_seconds
        self.clock = clock
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> deque[float]:
        stamps = self._failures.setdefault(key, deque())
        while stamps and stamps[0] <= now - self.window:
            stamps.popleft()
        return stamps

    def check(self, keys: Iterable[str]) -> None:
        """Raise RateLimited when any key has used up its failures."""
        now = self.clock()
        with self._lock:
            for key in keys:
                stamps = self._recent(key, now)
                if len(stamps) >= self.max_failures:
                    retry = int(stamps[0] + self.window - now) + 1
                    raise RateLimited("too many failed sign-ins; try again later", retry)

    def failed(self, keys: Iterable[str]) -> None:
        now = self.clock()
        with self._lock:
            for key in keys:
                self._recent(key, now).append(now)
            if len(self._failures) > 100_000:  # bound memory under a flood of new keys
                self._failures.clear()

    def succeeded(self, keys: Iterable[str]) -> None:
        with self._lock:
            for key in keys:
                self._failures.pop(key, None)


class RequestRateLimiter:
    """At most `per_minute` requests per key in each minute (a fixed window), in this process:
    for the anonymous engine endpoints, so a flood from one address cannot slow the patients'
    check-ins. With N server processes a key may get up to N times the limit."""

    def __init__(self, *, per_minute: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.per_minute = per_minute
        self.clock = clock
        self._windows: dict[str, tuple[int, int]] = {}  # key -> (minute, count)
        self._lock = threading.Lock()

    def hit(self, key: str) -> None:
        """Count one request; RateLimited (with the seconds to wait) when over the limit."""
        now = self.clock()
        minute = int(now // 60)
        with self._lock:
            start, count = self._windows.get(key, (minute, 0))
            if start != minute:
                start, count = minute, 0
            if count >= self.per_minute:
                raise RateLimited(
                    "too many requests from this address; try again in a minute",
                    int((minute + 1) * 60 - now) + 1,
                )
            self._windows[key] = (start, count + 1)
            if len(self._windows) > 100_000:  # bound memory: forget finished windows only
                self._windows = {k: v for k, v in self._windows.items() if v[0] == minute}
