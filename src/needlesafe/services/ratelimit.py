"""Rate limits: failed sign-ins (in the database) and requests to the anonymous endpoints."""

from __future__ import annotations

import math
import secrets
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

from sqlalchemy import case, delete, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, sessionmaker

from needlesafe.services.errors import RateLimited
from needlesafe.store.reliability import SignInAttempt


class SignInLimiter:
    """Failed sign-ins counted in the database: shared by every worker, kept across restarts,
    counted atomically (one statement per key), per account and per client address.

    Each attempt is counted *before* the password is checked, in the same statement that
    refuses it when the key is locked, so a burst of concurrent guesses gets no more checks
    than the limit. A successful sign-in takes its count back. From the `max_failures`-th
    failure in a row an account waits, 1 minute and doubling with each further failure, up
    to `window_seconds`; an address gets ten times as many before it waits. One account's
    failures never lock another account (only a flood from one address does, and says so).
    """

    ADDRESS_FACTOR = 10
    FIRST_WAIT = 60.0

    def __init__(
        self,
        *,
        session_factory: sessionmaker[Session],
        max_failures: int,
        window_seconds: float,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.session_factory = session_factory
        self.max_failures = max_failures
        self.window = window_seconds
        self.clock = clock

    def _threshold(self, key: str) -> int:
        factor = self.ADDRESS_FACTOR if key.startswith("address:") else 1
        return self.max_failures * factor

    def _locked_until(self, failures: Any, threshold: int, now: float) -> Any:
        """When the key may try again after this count, as SQL: no lock below the threshold,
        then 1 minute, doubling with each further failure, up to the window."""
        steps, wait = [], self.FIRST_WAIT
        for n in range(threshold, threshold + 12):
            steps.append((failures == n, now + min(wait, self.window)))
            wait *= 2
        return case((failures < threshold, None), *steps, else_=now + self.window)

    def attempt(self, keys: Iterable[str]) -> None:
        """Count an attempt on each key, or raise RateLimited (with the wait) if one is locked."""
        now = self.clock()
        with self.session_factory() as session:
            for key in keys:
                row = SignInAttempt
                sqlite = session.get_bind().dialect.name == "sqlite"
                insert = (sqlite_insert if sqlite else pg_insert)(row)
                fresh = row.last_at < now - self.window
                failures = case((fresh, 1), else_=row.failures + 1)
                threshold = self._threshold(key)
                statement = insert.values(
                    key=key,
                    failures=1,
                    last_at=now,
                    locked_until=now + self.FIRST_WAIT if threshold <= 1 else None,
                ).on_conflict_do_update(
                    index_elements=["key"],
                    set_={
                        "failures": failures,
                        "last_at": now,
                        "locked_until": self._locked_until(failures, threshold, now),
                    },
                    where=(row.locked_until.is_(None)) | (row.locked_until <= now),
                )
                counted = session.execute(statement.returning(row.failures)).first()
                session.commit()
                if counted is None:
                    locked = session.get(SignInAttempt, key)
                    until = locked.locked_until if locked and locked.locked_until else now + 1
                    raise RateLimited(_try_again(until - now), max(1, math.ceil(until - now)))

    def succeeded(self, keys: Iterable[str]) -> None:
        """The password was right: the account starts afresh, the address gets its count back."""
        with self.session_factory() as session:
            for key in keys:
                if key.startswith("account:"):
                    session.execute(delete(SignInAttempt).where(SignInAttempt.key == key))
                else:
                    session.execute(
                        update(SignInAttempt)
                        .where(SignInAttempt.key == key, SignInAttempt.failures > 0)
                        .values(failures=SignInAttempt.failures - 1)
                    )
            if secrets.randbelow(50) == 0:  # now and then, forget what has expired
                now = self.clock()
                session.execute(
                    delete(SignInAttempt).where(
                        SignInAttempt.last_at < now - self.window,
                        (SignInAttempt.locked_until.is_(None)) | (SignInAttempt.locked_until < now),
                    )
                )
            session.commit()


def _try_again(seconds: float) -> str:
    if seconds < 60:
        wait = f"{max(1, math.ceil(seconds))} seconds"
    else:
        minutes = math.ceil(seconds / 60)
        wait = "1 minute" if minutes == 1 else f"{minutes} minutes"
    return f"too many failed sign-ins; try again in {wait}"


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
