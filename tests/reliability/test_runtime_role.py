"""PostgreSQL: the service's role owns nothing (issue 16, item 3). After `needlesafe db
grant-runtime ROLE` it writes records and the audit log, but cannot change or erase the audit
log or the consents, nor switch their triggers off."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from urllib.parse import urlsplit, urlunsplit

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError
from typer.testing import CliRunner

from needlesafe.cli import app
from needlesafe.knowledge.base import Knowledge
from needlesafe.services import checkins, patients
from needlesafe.settings import get_settings
from needlesafe.store.db import make_engine, make_session_factory
from needlesafe.store.uow import UnitOfWork
from tests.api.apikit import ClinicWorld
from tests.store.dbkit import SECRET

runner = CliRunner()


@pytest.fixture
def runtime_engine(
    engine: Engine, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Engine]:
    if engine.dialect.name != "postgresql":
        pytest.skip("roles are PostgreSQL's")
    monkeypatch.setenv("NEEDLESAFE_ENVIRONMENT", "test")
    monkeypatch.setenv("NEEDLESAFE_SECRET_KEY", SECRET)
    get_settings.cache_clear()
    role = f"needlesafe_app_{secrets.token_hex(4)}"
    with engine.begin() as connection:
        connection.execute(text(f'CREATE ROLE "{role}" LOGIN'))
    result = runner.invoke(app, ["db", "grant-runtime", role, "--database-url", db_url])
    assert result.exit_code == 0, result.output
    parts = urlsplit(db_url)
    as_role = urlunsplit(parts._replace(netloc=f"{role}@{parts.hostname}:{parts.port}"))
    runtime = make_engine(as_role)
    try:
        yield runtime
    finally:
        runtime.dispose()
        get_settings.cache_clear()
        with engine.begin() as connection:
            connection.execute(text(f'DROP OWNED BY "{role}"'))
            connection.execute(text(f'DROP ROLE "{role}"'))


def test_the_runtime_role_writes_records_but_cannot_erase_the_audit_log_or_consents(
    runtime_engine: Engine, clinic_a: ClinicWorld
) -> None:
    uow = UnitOfWork(make_session_factory(runtime_engine))
    made = patients.create_patient(uow, actor=clinic_a.practitioner.actor, patient={"name": "Al"})
    assert made.id > 0  # records and their audit rows are written
    refused = [
        "TRUNCATE audit_events",
        "UPDATE audit_events SET action = 'read'",
        "DELETE FROM audit_events",
        "ALTER TABLE audit_events DISABLE TRIGGER USER",
        "DROP TRIGGER audit_events_append_only ON audit_events",
        "DELETE FROM signed_consents",
        "TRUNCATE consent_patient_signatures",
    ]
    for statement in refused:
        denied = pytest.raises(DBAPIError, match="permission denied|must be owner")
        with denied, runtime_engine.begin() as connection:
            connection.execute(text(statement))


def test_the_runtime_role_moves_the_inbox_counter_only_by_writing_check_ins(
    runtime_engine: Engine, clinic_a: ClinicWorld, knowledge: Knowledge
) -> None:
    """The counter's triggers run with the owner's rights (migration 0013): the service's
    check-ins are counted, yet the service cannot write the counter itself."""
    uow = UnitOfWork(make_session_factory(runtime_engine))
    actor = clinic_a.practitioner.actor
    checkins.record_checkin(
        uow, actor=actor, knowledge=knowledge, treatment_id=clinic_a.treatment, data={}
    )
    assert checkins.list_checkins(uow, actor=actor).total == 2  # the fixture's and this one
    with runtime_engine.connect() as connection:
        counted = "SELECT count(*) FROM checkins WHERE clinic_id = :c"
        assert connection.scalar(text(counted), {"c": actor.clinic_id}) == 2
    for statement in (
        "UPDATE checkin_counts SET n = 0",
        "DELETE FROM checkin_counts",
        "INSERT INTO checkin_counts (clinic_id, n) VALUES (0, 1)",
        "TRUNCATE checkin_counts",
    ):
        denied = pytest.raises(DBAPIError, match="permission denied")
        with denied, runtime_engine.begin() as connection:
            connection.execute(text(statement))
