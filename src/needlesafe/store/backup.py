"""Backups that hold everything, taken while the service runs, and restores into an empty
database.

SQLite: the online backup API copies the database page by page under a read transaction, WAL
included (a plain file copy of a live database misses what is still in the WAL). PostgreSQL:
`pg_dump` (custom format) of the schema the URL points at, restored with `pg_restore`.
A backup holds every table: clinics, accounts, patients, records, consents with their
signatures, the audit log with its hash chain, the idempotency keys and sign-in counts.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
from pathlib import Path
from urllib.parse import unquote

from sqlalchemy import Engine, inspect, text
from sqlalchemy.engine import make_url

COUNTED = ("clinics", "users", "patients", "intakes", "treatments", "checkins", "adverse_events")


class BackupError(Exception):
    """A backup or restore that cannot be done; the message says why."""


def _pg_args(engine: Engine) -> tuple[list[str], dict[str, str], str | None]:
    """Connection arguments for pg_dump/pg_restore, the environment and the URL's schema."""
    url = make_url(engine.url)
    args = ["-h", url.host or "127.0.0.1", "-p", str(url.port or 5432)]
    args += ["-U", url.username or "postgres", "-d", url.database or "postgres"]
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = url.password
    options = unquote(str(url.query.get("options", "")))  # e.g. "-csearch_path=clinic"
    schema = (
        options.split("search_path=", 1)[1].split(",")[0].split()[0]
        if ("search_path=" in options)
        else None
    )
    return args, env, schema


def backup(engine: Engine, out: Path) -> None:
    if out.exists():
        raise BackupError(f"{out} exists already; choose a new file")
    if engine.dialect.name == "sqlite":
        source = sqlite3.connect(make_url(engine.url).database or "")
        try:
            target = sqlite3.connect(out)
            with target:
                source.backup(target)
            target.close()
        finally:
            source.close()
        return
    args, env, schema = _pg_args(engine)
    command = ["pg_dump", "-Fc", "--no-owner", "-f", str(out), *args]
    if schema:
        command += ["-n", schema]
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise BackupError(f"pg_dump failed: {done.stderr.strip().splitlines()[-1:]}")


def _tables(engine: Engine) -> list[str]:
    return [t for t in inspect(engine).get_table_names() if t != "alembic_version"] + (
        ["alembic_version"] if inspect(engine).has_table("alembic_version") else []
    )


def restore(engine: Engine, backup_file: Path) -> None:
    """Into an empty database only: restoring over records would mix two histories."""
    if not backup_file.is_file():
        raise BackupError(f"no backup at {backup_file}")
    if _tables(engine):
        raise BackupError("the database is not empty; restore into a new, empty database")
    if engine.dialect.name == "sqlite":
        engine.dispose()
        source = sqlite3.connect(f"file:{backup_file}?mode=ro", uri=True)
        try:
            target = sqlite3.connect(make_url(engine.url).database or "")
            with target:
                source.backup(target)
            target.close()
        finally:
            source.close()
        return
    args, env, _schema = _pg_args(engine)
    command = ["pg_restore", "--no-owner", "--exit-on-error", *args, str(backup_file)]
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise BackupError(f"pg_restore failed: {done.stderr.strip().splitlines()[-1:]}")


def row_counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as connection:
        return {t: connection.scalar(text(f"SELECT count(*) FROM {t}")) or 0 for t in COUNTED}
