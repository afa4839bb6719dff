"""`needlesafe audit verify`, `needlesafe backup OUT`, `needlesafe restore IN`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy import text

from needlesafe.cli.admin import DatabaseUrl, db_app, settings_or_exit, unit_of_work
from needlesafe.cli.common import fail
from needlesafe.store import audit as audit_chain
from needlesafe.store import backup as backups
from needlesafe.store import migrate, roles
from needlesafe.store.db import make_engine

audit_app = typer.Typer(help="The audit log: check that nothing was changed.", no_args_is_help=True)


def _rows(n: int) -> str:
    return "1 row" if n == 1 else f"{n:,} rows"


@audit_app.command("verify")
def verify(database_url: DatabaseUrl = None) -> None:
    """Walk every clinic's audit chain; exit 1 naming the first broken link of each."""
    uow = unit_of_work(settings_or_exit(database_url))
    with uow:
        checked, broken = audit_chain.verify(uow.session)
    if broken:
        for link in broken:
            typer.echo(f"broken: {link}")
        raise typer.Exit(1)
    typer.echo(f"audit log intact: {_rows(checked)}, every link checked")


def backup(
    out: Annotated[Path, typer.Argument(help="a new file for the backup")],
    database_url: DatabaseUrl = None,
) -> None:
    """Back up the whole database while the service runs (SQLite: the online backup API;
    PostgreSQL: pg_dump)."""
    engine = make_engine(settings_or_exit(database_url).database_url)
    try:
        backups.backup(engine, out)
    except backups.BackupError as error:
        fail(str(error))
    counts = ", ".join(f"{n} {t}" for t, n in backups.row_counts(engine).items())
    typer.echo(f"backed up to {out}: {counts}")


def restore(
    backup_file: Annotated[Path, typer.Argument(help="a file made by `needlesafe backup`")],
    database_url: DatabaseUrl = None,
) -> None:
    """Restore a backup into a new, empty database; then count the rows and verify the audit
    chain."""
    settings = settings_or_exit(database_url)
    engine = make_engine(settings.database_url)
    try:
        backups.restore(engine, backup_file)
    except backups.BackupError as error:
        fail(str(error))
    engine = make_engine(settings.database_url)
    if migrate.current_revision(engine) != migrate.head_revision():
        typer.echo("restored an older schema: run `needlesafe db upgrade` next")
    counts = ", ".join(f"{n} {t}" for t, n in backups.row_counts(engine).items())
    typer.echo(f"restored: {counts}")
    uow = unit_of_work(settings)
    with uow:
        checked, broken = audit_chain.verify(uow.session)
    for link in broken:
        typer.echo(f"broken: {link}")
    if broken:
        raise typer.Exit(1)
    typer.echo(f"audit log intact: {_rows(checked)}")


def grant_runtime(
    role: Annotated[str, typer.Argument(help="the PostgreSQL role the service runs as")],
    database_url: DatabaseUrl = None,
) -> None:
    """PostgreSQL: give the service's role its rights and no more (run with the owner's URL,
    after every `db upgrade`); the audit log and consents stay INSERT and SELECT only."""
    engine = make_engine(settings_or_exit(database_url).database_url)
    if engine.dialect.name != "postgresql":
        fail("only for PostgreSQL (a SQLite file has no roles)")
    with engine.begin() as connection:
        schema = connection.scalar(text("SELECT current_schema()")) or "public"
        try:
            statements = roles.runtime_grants(role, schema)
        except ValueError as error:
            fail(str(error))
        for statement in statements:
            connection.execute(text(statement))
    typer.echo(f"granted {role} the service's rights in schema {schema}")


def register(app: typer.Typer) -> None:
    db_app.command("grant-runtime")(grant_runtime)
    app.add_typer(audit_app, name="audit")
    app.command("backup")(backup)
    app.command("restore")(restore)
