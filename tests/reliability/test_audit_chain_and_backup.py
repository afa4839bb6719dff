"""The audit log is tamper-evident (issue 16, item 3): with its triggers dropped, an edited,
deleted or cut-off row is found by `needlesafe audit verify`, which names the first broken
link. And a backup restores into an empty database with every row and an intact chain
(item 8). On SQLite and PostgreSQL."""

from __future__ import annotations

import secrets
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, Row, text
from typer.testing import CliRunner

from needlesafe.cli import app
from needlesafe.settings import get_settings
from needlesafe.store import backup as backups
from needlesafe.store.db import make_engine, normalise_url
from tests.api.apikit import ClinicWorld
from tests.store.dbkit import SECRET, DatabaseUnderTest

runner = CliRunner()


@pytest.fixture(autouse=True)
def cli_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("NEEDLESAFE_ENVIRONMENT", "test")
    monkeypatch.setenv("NEEDLESAFE_SECRET_KEY", SECRET)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def run(*args: str) -> Any:
    return runner.invoke(app, list(args))


@pytest.fixture
def lift_triggers(engine: Engine) -> Iterator[None]:
    """What someone with the owner's rights can do: switch the append-only triggers off.
    (PostgreSQL's test schema is shared by the session's tests: switched on again after.)"""
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(text("ALTER TABLE audit_events DISABLE TRIGGER USER"))
        else:
            connection.execute(text("DROP TRIGGER audit_events_no_update"))
            connection.execute(text("DROP TRIGGER audit_events_no_delete"))
    yield
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:
            connection.execute(text("ALTER TABLE audit_events ENABLE TRIGGER USER"))


def _clinic_rows(engine: Engine, clinic_id: int) -> Sequence[Row[Any]]:
    with engine.connect() as connection:
        return connection.execute(
            text("SELECT id, seq FROM audit_events WHERE clinic_id = :c ORDER BY seq"),
            {"c": clinic_id},
        ).all()


def test_an_intact_log_verifies(db_url: str, clinic_a: ClinicWorld, clinic_b: ClinicWorld) -> None:
    result = run("audit", "verify", "--database-url", db_url)
    assert result.exit_code == 0, result.output
    assert result.output.startswith("audit log intact: ")


@pytest.mark.parametrize("tamper", ["edit", "delete", "cut"])
def test_a_tampered_row_is_found_and_named(
    db_url: str,
    engine: Engine,
    clinic_a: ClinicWorld,
    clinic_b: ClinicWorld,
    tamper: str,
    lift_triggers: None,
) -> None:
    rows = _clinic_rows(engine, clinic_a.clinic_id)
    assert len(rows) >= 4
    victim = rows[-1] if tamper == "cut" else rows[2]
    with engine.begin() as connection:
        if tamper == "edit":
            connection.execute(
                text("UPDATE audit_events SET action = 'read' WHERE id = :id"), {"id": victim.id}
            )
        else:
            connection.execute(text("DELETE FROM audit_events WHERE id = :id"), {"id": victim.id})
    result = run("audit", "verify", "--database-url", db_url)
    assert result.exit_code == 1, result.output
    expected = {
        "edit": f"broken: clinic {clinic_a.clinic_id}: link {victim.seq} (audit row {victim.id}):"
        " changed after it was written",
        "delete": f"broken: clinic {clinic_a.clinic_id}: link {victim.seq}: missing (deleted?)",
        "cut": f"broken: clinic {clinic_a.clinic_id}: link {victim.seq}: missing at the end",
    }[tamper]
    assert result.output.splitlines()[0].startswith(expected), result.output
    assert f"clinic {clinic_b.clinic_id}" not in result.output  # the other clinic is intact


def test_postgres_refuses_truncating_the_audit_log_and_the_consents(
    engine: Engine, clinic_a: ClinicWorld
) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("TRUNCATE is PostgreSQL's")
    for table in ("audit_events", "signed_consents", "treatment_overrides"):
        with pytest.raises(Exception, match="cannot be truncated"), engine.begin() as c:
            c.execute(text(f"TRUNCATE {table} CASCADE"))


def _empty_target(database: DatabaseUnderTest, tmp_path: Path) -> Iterator[str]:
    if database.kind == "sqlite":
        yield f"sqlite:///{tmp_path / 'restored.db'}"
        return
    name = f"needlesafe_restore_{secrets.token_hex(4)}"
    admin = make_engine(normalise_url(database.url.split("?")[0]), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    base = database.url.split("?")[0].rsplit("/", 1)[0]
    try:
        yield f"{base}/{name}?" + database.url.split("?")[1]
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def restore_target(database: DatabaseUnderTest, tmp_path: Path) -> Iterator[str]:
    yield from _empty_target(database, tmp_path)


_CHECKIN = (
    "clinic_id, patient_id, treatment_id, source, created_at, input, triage, disposition, "
    "urgency, knowledge_version, handled, handled_note"
)


def _counters(engine: Engine) -> dict[int, int]:
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT clinic_id, n FROM checkin_counts")).all()
    return {c: n for c, n in rows if n}


def _counted(engine: Engine) -> dict[int, int]:
    with engine.connect() as connection:
        query = "SELECT clinic_id, count(*) FROM checkins GROUP BY clinic_id"
        return dict(connection.execute(text(query)).all())


def test_a_backup_restores_into_an_empty_database_with_every_row_and_the_chain(
    db_url: str,
    engine: Engine,
    clinic_a: ClinicWorld,
    clinic_b: ClinicWorld,
    restore_target: str,
    tmp_path: Path,
) -> None:
    before = backups.row_counts(engine)
    out = tmp_path / "needlesafe.backup"
    made = run("backup", str(out), "--database-url", db_url)
    assert made.exit_code == 0, made.output
    assert f"{before['checkins']} checkins" in made.output
    again = run("backup", str(out), "--database-url", db_url)
    assert again.exit_code == 2 and "exists already" in again.output
    restored = run("restore", str(out), "--database-url", restore_target)
    assert restored.exit_code == 0, restored.output
    assert "audit log intact" in restored.output
    target = make_engine(restore_target)
    assert backups.row_counts(target) == before
    # the inbox's counters (migration 0013) came back exact, and their triggers with them
    assert _counters(target) == _counted(target) == _counted(engine)
    with target.begin() as connection:
        connection.execute(
            text(f"INSERT INTO checkins ({_CHECKIN}) SELECT {_CHECKIN} FROM checkins")
        )
    assert _counters(target) == _counted(target) == {c: 2 * n for c, n in _counted(engine).items()}
    target.dispose()
    over = run("restore", str(out), "--database-url", restore_target)
    assert over.exit_code == 2 and "not empty" in over.output
