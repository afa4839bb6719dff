"""Each clinic's number of check-ins, kept by triggers (migration 0013, issue 16): the inbox's
unfiltered total is that one row, and it always equals count(*), on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import IntegrityError

from needlesafe.knowledge.base import Knowledge
from needlesafe.knowledge.triage_schema import Disposition
from needlesafe.services import checkins, patients
from needlesafe.services.context import Actor
from needlesafe.store.db import make_session_factory
from needlesafe.store.uow import UnitOfWork
from tests.store.dbkit import add_checkin_row, add_clinic, add_staff, record_cleared_treatment


@dataclass
class Clinic:
    id: int
    actor: Actor
    patient: int
    treatment: int


def _clinic(uow: UnitOfWork, knowledge: Knowledge) -> Clinic:
    clinic = add_clinic(uow)
    actor = add_staff(uow, clinic).actor
    patient = patients.create_patient(uow, actor=actor, patient={"name": "Pat Example"}).id
    treatment = record_cleared_treatment(uow, actor, knowledge, patient).id
    return Clinic(clinic, actor, patient, treatment)


def _add(
    uow: UnitOfWork, clinic: Clinic, disposition: Disposition = "self_care", n: int = 1
) -> None:
    for _ in range(n):
        add_checkin_row(
            uow,
            clinic_id=clinic.id,
            patient_id=clinic.patient,
            treatment_id=clinic.treatment,
            disposition=disposition,
        )


def _counts(engine: Engine) -> tuple[dict[int, int], dict[int, int]]:
    """(the counters, count(*) per clinic), leaving out clinics with no check-ins and a zero."""
    with engine.connect() as connection:
        counters: dict[int, int] = dict(
            connection.execute(text("SELECT clinic_id, n FROM checkin_counts")).all()
        )
        actual: dict[int, int] = dict(
            connection.execute(
                text("SELECT clinic_id, count(*) FROM checkins GROUP BY clinic_id")
            ).all()
        )
    return {c: n for c, n in counters.items() if n}, actual


def _assert_exact(engine: Engine) -> None:
    counters, actual = _counts(engine)
    assert counters == actual


def _total(uow: UnitOfWork, clinic: Clinic, **filters: Any) -> int:
    with uow:
        return uow.checkins.list(clinic.id, offset=0, limit=5, **filters).total


def test_the_counter_follows_inserts_in_two_clinics_and_is_the_inbox_total(
    uow: UnitOfWork, engine: Engine, knowledge: Knowledge
) -> None:
    a, b = _clinic(uow, knowledge), _clinic(uow, knowledge)
    assert _total(uow, a) == 0  # no row yet: none
    _add(uow, a, "urgent", 2)
    _add(uow, a, "self_care", 3)
    _add(uow, b, "self_care", 1)
    _assert_exact(engine)
    assert _counts(engine)[0] == {a.id: 5, b.id: 1}
    assert (_total(uow, a), _total(uow, b)) == (5, 1)
    # filtered totals still count the rows
    assert _total(uow, a, needs_attention=True) == 2
    assert _total(uow, a, disposition=["self_care"]) == 3
    assert _total(uow, a, patient_id=a.patient) == 5
    assert _total(uow, a, treatment_id=b.treatment) == 0


def test_check_ins_taken_through_the_service_are_counted(
    uow: UnitOfWork, engine: Engine, knowledge: Knowledge
) -> None:
    a = _clinic(uow, knowledge)
    for symptoms in (["redness"], ["pus"]):
        checkins.record_checkin(
            uow,
            actor=a.actor,
            knowledge=knowledge,
            treatment_id=a.treatment,
            data={"symptoms": symptoms},
        )
    _assert_exact(engine)
    page = checkins.list_checkins(uow, actor=a.actor, limit=1)
    assert page.total == 2 and len(page.items) == 1


def test_deletes_moves_and_a_refused_patient_delete_keep_it_exact(
    uow: UnitOfWork, engine: Engine, knowledge: Knowledge
) -> None:
    """Nothing in the service deletes a check-in (nor erases a patient: the consents and the
    audit log are append-only, and no foreign key cascades to check-ins); a DELETE by hand
    is counted all the same."""
    a, b = _clinic(uow, knowledge), _clinic(uow, knowledge)
    _add(uow, a, n=4)
    _add(uow, b, n=2)
    with engine.begin() as connection:
        connection.execute(
            text(
                "DELETE FROM checkins WHERE id IN (SELECT id FROM checkins WHERE clinic_id = :c "
                "ORDER BY id LIMIT 1)"
            ),
            {"c": a.id},
        )
    _assert_exact(engine)
    with engine.begin() as connection:  # every check-in of a patient
        connection.execute(text("DELETE FROM checkins WHERE patient_id = :p"), {"p": b.patient})
    _assert_exact(engine)
    assert _total(uow, b) == 0
    with engine.begin() as connection:  # written and deleted in one transaction
        connection.execute(
            text(
                "INSERT INTO checkins (clinic_id, patient_id, treatment_id, source, created_at, "
                "input, triage, disposition, urgency, knowledge_version, handled, handled_note) "
                "SELECT clinic_id, patient_id, treatment_id, source, created_at, input, triage, "
                "disposition, urgency, knowledge_version, handled, handled_note FROM checkins "
                "WHERE clinic_id = :c"
            ),
            {"c": a.id},
        )
        connection.execute(text("DELETE FROM checkins WHERE id = (SELECT max(id) FROM checkins)"))
    _assert_exact(engine)
    assert _total(uow, a) == 5
    with engine.begin() as connection:  # a check-in moved to another clinic
        connection.execute(
            text("UPDATE checkins SET clinic_id = :b WHERE id = (SELECT min(id) FROM checkins)"),
            {"b": b.id},
        )
        connection.execute(text("UPDATE checkins SET handled_note = 'x'"))  # not a move
    _assert_exact(engine)
    assert (_total(uow, a), _total(uow, b)) == (4, 1)
    with pytest.raises(IntegrityError), engine.begin() as connection:
        connection.execute(text("DELETE FROM checkins WHERE patient_id = :p"), {"p": a.patient})
        connection.execute(text("DELETE FROM patients WHERE id = :p"), {"p": a.patient})
    _assert_exact(engine)  # the whole transaction undone, the counter with it
    assert _total(uow, a) == 4


def test_postgres_counts_at_commit_and_a_truncate_empties_the_counters(
    uow: UnitOfWork, engine: Engine, knowledge: Knowledge
) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("deferred triggers and TRUNCATE are PostgreSQL's")
    a = _clinic(uow, knowledge)
    _add(uow, a, n=2)
    with engine.connect() as connection:
        connection.execute(
            text(
                "INSERT INTO checkins (clinic_id, patient_id, treatment_id, source, created_at, "
                "input, triage, disposition, urgency, knowledge_version, handled, handled_note) "
                "SELECT clinic_id, patient_id, treatment_id, source, created_at, input, triage, "
                "disposition, urgency, knowledge_version, handled, handled_note FROM checkins"
            )
        )
        # not yet: the counter row is locked and moved only when this transaction commits
        assert connection.scalar(text("SELECT n FROM checkin_counts")) == 2
        connection.commit()
    _assert_exact(engine)
    assert _total(uow, a) == 4
    with engine.begin() as connection:
        connection.execute(text("TRUNCATE checkins CASCADE"))
    assert _counts(engine) == ({}, {})


def test_concurrent_check_ins_from_several_threads(
    uow: UnitOfWork, engine: Engine, knowledge: Knowledge
) -> None:
    """Audited check-ins (the audit chain head locked in each transaction, the counter at
    commit), bare inserts and inbox reads from several threads at once, on two clinics: no
    deadlock, and the counters exact at the end."""
    if engine.dialect.name != "postgresql":
        pytest.skip("one writer at a time on SQLite")
    a, b = _clinic(uow, knowledge), _clinic(uow, knowledge)
    sessions = make_session_factory(engine)
    errors: list[BaseException] = []
    start = threading.Barrier(8)

    def work(clinic: Clinic, kind: str) -> None:
        mine = UnitOfWork(sessions)
        try:
            start.wait()
            for i in range(15):
                if kind == "service":
                    checkins.record_checkin(
                        mine,
                        actor=clinic.actor,
                        knowledge=knowledge,
                        treatment_id=clinic.treatment,
                        data={"symptoms": ["redness"] if i % 2 else ["pus"]},
                    )
                elif kind == "bare":
                    _add(mine, clinic)
                else:
                    checkins.list_checkins(mine, actor=clinic.actor, limit=5)
        except BaseException as error:  # reported below
            errors.append(error)

    threads = [
        threading.Thread(target=work, args=(clinic, kind))
        for clinic in (a, b)
        for kind in ("service", "service", "bare", "read")
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(t.is_alive() for t in threads)
    assert errors == []
    _assert_exact(engine)
    assert _counts(engine)[0] == {a.id: 45, b.id: 45}
    assert (_total(uow, a), _total(uow, b)) == (45, 45)
