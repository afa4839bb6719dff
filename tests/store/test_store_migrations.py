"""Migrations: from an empty database to the head, one step down and back up, and the
models match what the migrations build."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect, text

from needlesafe.store import migrate
from needlesafe.store.db import make_engine
from needlesafe.store.tables import metadata


def test_the_test_database_is_at_the_newest_revision(engine: Engine) -> None:
    assert migrate.current_revision(engine) == migrate.head_revision()


def test_every_model_table_is_created_by_the_migrations(engine: Engine) -> None:
    tables = set(inspect(engine).get_table_names())
    assert set(metadata.tables) <= tables


def test_the_models_and_the_migrations_do_not_drift(engine: Engine) -> None:
    """Every table, none filtered out: what Alembic's autogenerate would propose is nothing."""
    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), metadata)
    assert diff == []


def test_alembic_sees_every_table_the_migrations_make(engine: Engine) -> None:
    made = set(inspect(engine).get_table_names()) - {"alembic_version"}
    assert made == set(metadata.tables)


def test_downgrade_one_step_then_upgrade_again(engine: Engine) -> None:
    head = migrate.head_revision()
    assert head is not None
    script = ScriptDirectory(str(migrate.MIGRATIONS))
    revision = script.get_revision(head)
    assert revision is not None
    previous = revision.down_revision
    migrate.downgrade(engine, "-1")
    assert migrate.current_revision(engine) == previous
    migrate.upgrade(engine)
    assert migrate.current_revision(engine) == head


def test_the_records_migration_downgrades_to_accounts_only(engine: Engine) -> None:
    migrate.downgrade(engine, "0001")
    tables = set(inspect(engine).get_table_names())
    assert {"clinics", "users", "auth_tokens", "audit_events"} <= tables
    assert not {"patients", "treatments", "checkins", "adverse_events"} & tables
    migrate.upgrade(engine)
    assert migrate.current_revision(engine) == migrate.head_revision()


def test_upgrade_from_an_empty_sqlite_file(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'new.db'}")
    assert migrate.is_new(engine)
    migrate.upgrade(engine)
    assert not migrate.is_new(engine)
    assert migrate.current_revision(engine) == migrate.head_revision()
    migrate.downgrade(engine, "base")
    assert migrate.current_revision(engine) is None
    engine.dispose()


def test_memory_sqlite_is_refused() -> None:
    with pytest.raises(ValueError, match="memory"):
        make_engine("sqlite://")


def test_the_clinic_contact_migration_keeps_existing_clinics_valid(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    migrate.upgrade(engine, "0003_consent")
    with engine.begin() as connection:
        connection.execute(
            text("INSERT INTO clinics (name, created_at) VALUES ('Old', '2026-01-01 00:00:00')")
        )
    monkeypatch.setenv("NEEDLESAFE_EMERGENCY_NUMBER", "112")
    migrate.upgrade(engine)
    with engine.connect() as connection:
        row = connection.execute(text("SELECT phone, emergency_number FROM clinics")).one()
    assert tuple(row) == (None, "112")  # the setting's number; the phone waits for an admin
    migrate.downgrade(engine, "0003_consent")
    assert "phone" not in {c["name"] for c in inspect(engine).get_columns("clinics")}
    engine.dispose()
