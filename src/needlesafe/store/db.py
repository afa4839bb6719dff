"""Database engines: SQLite by default (a file, WAL, foreign keys on), PostgreSQL by URL."""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import Engine, create_engine, event, exc
from sqlalchemy.engine import ExceptionContext, make_url
from sqlalchemy.orm import Session, sessionmaker

DEFAULT_DATABASE_URL = "sqlite:///needlesafe.db"  # a file in the working directory


def normalise_url(url: str) -> str:
    """`postgresql://` and `postgres://` mean psycopg 3 here."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")  # an acknowledged check-in survives a crash
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


# A connection that met one of these stays broken (SQLite keeps a file it opened read-only
# read-only; a PostgreSQL session on a standby stays read-only): drop it from the pool, so the
# next request opens a fresh one and the service recovers without a restart.
_SQLITE_BROKEN = (
    "readonly database",
    "disk i/o error",
    "database or disk is full",
    "unable to open database",
    "attempt to write a read-only",
)
_POSTGRES_BROKEN = ("25006", "53100", "53200", "57P01", "57P02", "57P03")  # read-only, disk, ...


def _drop_broken_connections(context: ExceptionContext) -> None:
    error = context.original_exception
    message = str(error).lower()
    code = getattr(error, "sqlstate", None)
    if any(part in message for part in _SQLITE_BROKEN) or code in _POSTGRES_BROKEN:
        context.is_disconnect = True


def make_engine(url: str = DEFAULT_DATABASE_URL, **kwargs: Any) -> Engine:
    url = normalise_url(url)
    parsed = make_url(url)
    # never a statement's values in an error message (they reach logs): patient data
    kwargs.setdefault("hide_parameters", True)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database in (None, "", ":memory:"):
            raise ValueError("use a SQLite file, not :memory: (one database per thread)")
        engine = create_engine(url, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
    else:
        engine = create_engine(url, **kwargs)
        _ping_after_idle(engine)
    event.listen(engine, "handle_error", _drop_broken_connections)
    return engine


PING_AFTER_IDLE_SECONDS = 1.0


def _ping_after_idle(engine: Engine) -> None:
    """A pooled connection left unused for a second or more is asked whether it still works
    before it is handed out (the server may have restarted meanwhile); a dead one is replaced,
    unseen by the request. One in use a moment ago (a busy server's pool) is handed out at
    once: asking on every checkout was a round trip a request. (A server that restarts while
    busy fails the requests then in flight; the first such error drops the whole pool, see
    `_drop_broken_connections`.)"""

    def connected(_dbapi_connection: Any, record: Any) -> None:
        record.info["returned_at"] = time.monotonic()

    def checkout(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        returned = record.info.get("returned_at")
        if returned is not None and time.monotonic() - returned < PING_AFTER_IDLE_SECONDS:
            return
        try:
            alive = engine.dialect.do_ping(dbapi_connection)
        except Exception as error:  # the pool makes a new connection and tries again
            raise exc.DisconnectionError("the pooled connection no longer works") from error
        if not alive:
            raise exc.DisconnectionError("the pooled connection no longer works")

    def checkin(_dbapi_connection: Any, record: Any) -> None:
        record.info["returned_at"] = time.monotonic()

    event.listen(engine, "connect", connected)
    event.listen(engine, "checkout", checkout)
    event.listen(engine, "checkin", checkin)


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False, autoflush=True)
