"""Database engines: SQLite by default (a file, WAL, foreign keys on), PostgreSQL by URL."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, create_engine, event
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
        engine = create_engine(url, pool_pre_ping=True, **kwargs)
    event.listen(engine, "handle_error", _drop_broken_connections)
    return engine


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False, autoflush=True)
