"""The unit of work rolls back unless committed (also on error); repositories stay in their
clinic; the audit log is append-only; SQLite runs in WAL mode with foreign keys on."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Engine, select, text
from sqlalchemy.exc import DBAPIError, IntegrityError

from needlesafe.knowledge.triage_schema import Disposition
from needlesafe.store import models as m
from needlesafe.store.uow import UnitOfWork


def _clinic(uow: UnitOfWork, name: str) -> int:
    with uow:
        clinic = uow.clinics.add(m.Clinic(name=name))
        uow.commit()
        return clinic.id


def test_work_that_is_not_committed_is_rolled_back(uow: UnitOfWork) -> None:
    with uow:
        uow.clinics.add(m.Clinic(name="Uncommitted"))
    with uow:
        assert uow.clinics.by_name("Uncommitted") is None


def test_work_is_rolled_back_when_an_error_escapes(uow: UnitOfWork) -> None:
    with pytest.raises(RuntimeError), uow:
        uow.clinics.add(m.Clinic(name="Failed"))
        raise RuntimeError("boom")
    with uow:
        assert uow.clinics.by_name("Failed") is None


def test_committed_work_is_kept(uow: UnitOfWork) -> None:
    _clinic(uow, "Kept")
    with uow:
        assert uow.clinics.by_name("Kept") is not None


def test_an_explicit_rollback_discards_work(uow: UnitOfWork) -> None:
    with uow:
        uow.clinics.add(m.Clinic(name="Rolled"))
        uow.rollback()
        uow.commit()
    with uow:
        assert uow.clinics.by_name("Rolled") is None


def test_a_repository_never_returns_another_clinics_record(uow: UnitOfWork) -> None:
    a, b = _clinic(uow, "A"), _clinic(uow, "B")
    with uow:
        patient = uow.patients.add(m.Patient(clinic_id=a, name="Pat"))
        uow.commit()
        pid = patient.id
    with uow:
        assert uow.patients.get(a, pid) is not None
        assert uow.patients.get(b, pid) is None
        assert uow.patients.list(b, offset=0, limit=10).total == 0
        assert uow.patients.list(a, offset=0, limit=10).total == 1


def test_foreign_keys_are_enforced(uow: UnitOfWork) -> None:
    with pytest.raises(IntegrityError), uow:
        uow.patients.add(m.Patient(clinic_id=999_999, name="Orphan"))


def test_the_audit_log_refuses_updates_and_deletes(uow: UnitOfWork, engine: Engine) -> None:
    clinic = _clinic(uow, "Audited")
    with uow:
        uow.audit.record(
            clinic_id=clinic, user_id=None, actor="cli", action="read", record_type="patient"
        )
        uow.commit()
    for statement in ("UPDATE audit_events SET action = 'x'", "DELETE FROM audit_events"):
        with pytest.raises(DBAPIError, match="append-only"), engine.begin() as connection:
            connection.execute(text(statement))
    with uow:
        assert len(uow.session.scalars(select(m.AuditEvent)).all()) == 1


def test_timestamps_come_back_in_utc(uow: UnitOfWork) -> None:
    clinic = _clinic(uow, "Clock")
    with uow:
        row = uow.clinics.by_id(clinic)
        assert row is not None
        assert row.created_at.tzinfo is not None
        assert row.created_at.utcoffset() == dt.timedelta(0)


def test_sqlite_runs_in_wal_mode_with_foreign_keys(engine: Engine) -> None:
    if engine.dialect.name != "sqlite":
        pytest.skip("SQLite only")
    with engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1


def test_checkins_list_needing_attention_first_then_newest(uow: UnitOfWork) -> None:
    from tests.store.dbkit import add_checkin_row

    clinic = _clinic(uow, "Inbox")
    with uow:
        patient = uow.patients.add(m.Patient(clinic_id=clinic, name="P"))
        treatment = uow.treatments.add(
            m.Treatment(
                clinic_id=clinic,
                patient_id=patient.id,
                performed_on=dt.date(2026, 1, 1),
                device="pen",
            )
        )
        uow.commit()
        pid, tid = patient.id, treatment.id
    now = dt.datetime.now(dt.UTC)
    ids = {}
    rows: list[tuple[int, Disposition, bool]] = [
        (1, "self_care", False),
        (2, "emergency", True),
        (3, "contact_clinic", False),
        (4, "urgent", False),
        (5, "self_care", False),
    ]
    for minute, disposition, handled in rows:
        ids[minute] = add_checkin_row(
            uow,
            clinic_id=clinic,
            patient_id=pid,
            treatment_id=tid,
            disposition=disposition,
            created_at=now + dt.timedelta(minutes=minute),
            handled=handled,
        )
    with uow:
        order = [c.id for c in uow.checkins.list(clinic, offset=0, limit=10).items]
        attention = [
            c.id for c in uow.checkins.list(clinic, offset=0, limit=10, needs_attention=True).items
        ]
        urgent = [
            c.id
            for c in uow.checkins.list(clinic, offset=0, limit=10, disposition=["urgent"]).items
        ]
    # unhandled urgent, then contact-clinic; then the rest newest first
    assert order == [ids[4], ids[3], ids[5], ids[2], ids[1]]
    assert attention == [ids[4], ids[3]]
    assert urgent == [ids[4]]


def test_an_id_no_database_could_hold_is_simply_not_found(uow: UnitOfWork) -> None:
    clinic = _clinic(uow, "Big")
    with uow:
        assert uow.patients.get(clinic, 2**63) is None
        assert uow.patients.get(clinic, 0) is None
        assert uow.checkins.list(clinic, offset=0, limit=5, patient_id=2**40).total == 0
        assert uow.adverse_events.list(clinic, offset=0, limit=5, treatment_id=-5).total == 0
