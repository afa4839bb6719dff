"""Patients, intakes, treatments, check-ins and adverse events: scoped to the caller's
clinic, audited on every read and write, bad input named by field, nothing half-written."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import func, select

from needlesafe.errors import InputError
from needlesafe.knowledge.base import Knowledge
from needlesafe.services import adverse_events, checkins, patients, treatments
from needlesafe.services.context import Actor
from needlesafe.services.errors import NotFound
from needlesafe.store import models as m
from needlesafe.store.uow import UnitOfWork
from tests.store.dbkit import (
    INTAKE,
    TREATMENT,
    add_checkin_row,
    add_clinic,
    add_staff,
    record_cleared_treatment,
)


def _count(uow: UnitOfWork, model: Any) -> int:
    with uow:
        return uow.session.scalar(select(func.count()).select_from(model)) or 0


def _audit(uow: UnitOfWork) -> list[tuple[str, str, str | None]]:
    with uow:
        rows = uow.session.scalars(select(m.AuditEvent).order_by(m.AuditEvent.id)).all()
        return [(r.action, r.record_type, r.record_id) for r in rows]


def yesterday() -> str:
    """Asked when a test runs: a constant taken at import goes stale across midnight."""
    return (dt.date.today() - dt.timedelta(days=1)).isoformat()


@pytest.fixture
def two_clinics(uow: UnitOfWork) -> tuple[Actor, Actor]:
    return add_staff(uow, add_clinic(uow)).actor, add_staff(uow, add_clinic(uow)).actor


def test_a_patient_of_another_clinic_is_not_found(
    uow: UnitOfWork, two_clinics: tuple[Actor, Actor]
) -> None:
    a, b = two_clinics
    patient = patients.create_patient(uow, actor=a, patient={"name": "Pat"})
    assert patients.get_patient(uow, actor=a, patient_id=patient.id).name == "Pat"
    with pytest.raises(NotFound):
        patients.get_patient(uow, actor=b, patient_id=patient.id)
    assert patients.list_patients(uow, actor=b).total == 0


def test_every_read_and_write_of_patient_data_is_audited_without_content(
    uow: UnitOfWork, two_clinics: tuple[Actor, Actor]
) -> None:
    a, _ = two_clinics
    before = len(_audit(uow))
    patient = patients.create_patient(uow, actor=a, patient={"name": "Secret Name"})
    patients.get_patient(uow, actor=a, patient_id=patient.id)
    patients.list_patients(uow, actor=a)
    log = _audit(uow)[before:]
    assert log == [
        ("create", "patient", str(patient.id)),
        ("read", "patient", str(patient.id)),
        ("list", "patient", None),
    ]
    with uow:
        for event in uow.session.scalars(select(m.AuditEvent)).all():
            assert "Secret" not in repr(vars(event))


def test_screening_keeps_the_intake_the_assessment_and_the_knowledge_version(
    uow: UnitOfWork, two_clinics: tuple[Actor, Actor], knowledge: Knowledge
) -> None:
    a, b = two_clinics
    patient = patients.create_patient(uow, actor=a, patient={"name": "Pat"})
    intake = patients.screen_patient(
        uow, actor=a, knowledge=knowledge, patient_id=patient.id, intake=INTAKE
    )
    assert intake.knowledge_version == knowledge.version
    assert intake.assessment["decision"] == intake.decision
    assert intake.input["patient"]["conditions"] == ["cold_sore_history"]
    with pytest.raises(NotFound):
        patients.get_intake(uow, actor=b, intake_id=intake.id)
    with pytest.raises(NotFound):
        patients.screen_patient(
            uow, actor=b, knowledge=knowledge, patient_id=patient.id, intake=INTAKE
        )


def test_a_bad_intake_names_the_field_and_stores_nothing(
    uow: UnitOfWork, two_clinics: tuple[Actor, Actor], knowledge: Knowledge
) -> None:
    a, _ = two_clinics
    patient = patients.create_patient(uow, actor=a, patient={"name": "Pat"})
    bad = {
        "patient": {**INTAKE["patient"], "conditions": ["keloid_histroy"]},
        "plan": INTAKE["plan"],
    }
    with pytest.raises(InputError) as caught:
        patients.screen_patient(
            uow, actor=a, knowledge=knowledge, patient_id=patient.id, intake=bad
        )
    assert caught.value.problems[0].path == "patient.conditions[0]"
    assert "keloid_history" in caught.value.problems[0].message
    assert _count(uow, m.Intake) == 0


def test_a_treatment_keeps_device_lots_areas_and_products(
    uow: UnitOfWork, two_clinics: tuple[Actor, Actor], knowledge: Knowledge
) -> None:
    a, b = two_clinics
    patient = patients.create_patient(uow, actor=a, patient={"name": "Pat"})
    done = record_cleared_treatment(uow, a, knowledge, patient.id)
    again = treatments.get_treatment(uow, actor=a, treatment_id=done.id)
    assert again.needle_cartridge_lot == "CART-1"
    assert [(x.area, x.depth_mm, x.passes) for x in again.areas] == [("cheeks", 1.0, 2)]
    assert [(t.code, t.lot) for t in again.topicals] == [("hyaluronic_acid", "HA-1")]
    assert again.practitioner_id == a.user_id
    with pytest.raises(NotFound):
        treatments.get_treatment(uow, actor=b, treatment_id=done.id)
    with pytest.raises(NotFound):
        treatments.record_treatment(
            uow, actor=b, knowledge=knowledge, patient_id=patient.id, treatment=TREATMENT
        )


@pytest.mark.parametrize(
    ("change", "path"),
    [
        ({"device": "pencil"}, "device"),
        ({"numbing_agent": "lidocain"}, "numbing_agent"),
        ({"areas": [{"area": "cheek", "depth_mm": 1.0}]}, "areas[0].area"),
        ({"areas": [{"area": "cheeks", "depth_mm": 9}]}, "areas[0].depth_mm"),
        ({"areas": []}, "areas"),
        ({"topicals": [{"code": "serum"}]}, "topicals[0].code"),
        ({"performed_on": "yesterday"}, "performed_on"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_a_bad_treatment_names_the_field_and_stores_nothing(
    uow: UnitOfWork,
    two_clinics: tuple[Actor, Actor],
    knowledge: Knowledge,
    change: dict[str, Any],
    path: str,
) -> None:
    a, _ = two_clinics
    patient = patients.create_patient(uow, actor=a, patient={"name": "Pat"})
    with pytest.raises(InputError) as caught:
        treatments.record_treatment(
            uow,
            actor=a,
            knowledge=knowledge,
            patient_id=patient.id,
            treatment={**TREATMENT, **change},
        )
    assert caught.value.problems[0].path == path
    assert _count(uow, m.Treatment) == 0
    assert _count(uow, m.TreatmentArea) == 0


def test_a_treatment_cannot_point_at_another_patients_intake(
    uow: UnitOfWork, two_clinics: tuple[Actor, Actor], knowledge: Knowledge
) -> None:
    a, _ = two_clinics
    one = patients.create_patient(uow, actor=a, patient={"name": "One"})
    two = patients.create_patient(uow, actor=a, patient={"name": "Two"})
    intake = patients.screen_patient(
        uow, actor=a, knowledge=knowledge, patient_id=one.id, intake=INTAKE
    )
    with pytest.raises(InputError, match="intake_id"):
        treatments.record_treatment(
            uow,
            actor=a,
            knowledge=knowledge,
            patient_id=two.id,
            treatment={**TREATMENT, "intake_id": intake.id},
        )


def test_adverse_events_are_graded_coded_and_scoped(
    uow: UnitOfWork, two_clinics: tuple[Actor, Actor], knowledge: Knowledge
) -> None:
    a, b = two_clinics
    patient = patients.create_patient(uow, actor=a, patient={"name": "Pat"})
    done = record_cleared_treatment(uow, a, knowledge, patient.id)
    event = adverse_events.record_adverse_event(
        uow,
        actor=a,
        knowledge=knowledge,
        event={
            "patient_id": patient.id,
            "treatment_id": done.id,
            "complication": "infection",
            "onset_date": yesterday(),
            "ctcae_grade": 2,
            "icd10_code": "l03.211",
            "serious": False,
            "outcome": "recovering",
            "product_lot": "HA-1",
        },
    )
    assert event.icd10_code == "L03.211"
    assert adverse_events.list_adverse_events(uow, actor=a, complication="infection").total == 1
    with pytest.raises(NotFound):
        adverse_events.get_adverse_event(uow, actor=b, event_id=event.id)
    assert adverse_events.list_adverse_events(uow, actor=b).total == 0
    with pytest.raises(NotFound):
        adverse_events.record_adverse_event(
            uow,
            actor=b,
            knowledge=knowledge,
            event={
                "patient_id": patient.id,
                "complication": "infection",
                "onset_date": yesterday(),
                "ctcae_grade": 1,
            },
        )


@pytest.mark.parametrize(
    ("change", "path"),
    [
        ({"complication": "infektion"}, "complication"),
        ({"ctcae_grade": 6}, "ctcae_grade"),
        ({"ctcae_grade": 0}, "ctcae_grade"),
        ({"icd10_code": "123"}, "icd10_code"),
        ({"outcome": "fine"}, "outcome"),
        ({"onset_date": "2026-13-01"}, "onset_date"),
    ],
)
def test_a_bad_adverse_event_names_the_field(
    uow: UnitOfWork,
    two_clinics: tuple[Actor, Actor],
    knowledge: Knowledge,
    change: dict[str, Any],
    path: str,
) -> None:
    a, _ = two_clinics
    patient = patients.create_patient(uow, actor=a, patient={"name": "Pat"})
    event = {
        "patient_id": patient.id,
        "complication": "infection",
        "onset_date": yesterday(),
        "ctcae_grade": 2,
        **change,
    }
    with pytest.raises(InputError) as caught:
        adverse_events.record_adverse_event(uow, actor=a, knowledge=knowledge, event=event)
    assert caught.value.problems[0].path == path
    assert _count(uow, m.AdverseEvent) == 0


def test_marking_a_checkin_handled_takes_it_out_of_the_inbox(
    uow: UnitOfWork, two_clinics: tuple[Actor, Actor], knowledge: Knowledge
) -> None:
    a, b = two_clinics
    patient = patients.create_patient(uow, actor=a, patient={"name": "Pat"})
    done = record_cleared_treatment(uow, a, knowledge, patient.id)
    checkin_id = add_checkin_row(
        uow,
        clinic_id=a.clinic_id,
        patient_id=patient.id,
        treatment_id=done.id,
        disposition="urgent",
    )
    assert checkins.list_checkins(uow, actor=a, needs_attention=True).total == 1
    with pytest.raises(NotFound):
        checkins.mark_handled(uow, actor=b, checkin_id=checkin_id, note="not mine")
    handled = checkins.mark_handled(uow, actor=a, checkin_id=checkin_id, note=" called back ")
    assert handled.handled and handled.handled_note == "called back"
    assert handled.handled_by == a.user_id and not handled.needs_attention
    assert checkins.list_checkins(uow, actor=a, needs_attention=True).total == 0
    with pytest.raises(InputError, match="disposition"):
        checkins.list_checkins(uow, actor=a, disposition=["panic"])


@pytest.mark.parametrize(
    ("offset", "limit", "path"), [(-1, 10, "offset"), (0, 0, "limit"), (0, 201, "limit")]
)
def test_pages_are_bounded(
    uow: UnitOfWork, two_clinics: tuple[Actor, Actor], offset: int, limit: int, path: str
) -> None:
    with pytest.raises(InputError) as caught:
        patients.list_patients(uow, actor=two_clinics[0], offset=offset, limit=limit)
    assert caught.value.problems[0].path == path


def test_patient_search_matches_name_or_chart_number_literally(
    uow: UnitOfWork, two_clinics: tuple[Actor, Actor]
) -> None:
    a, _ = two_clinics
    patients.create_patient(uow, actor=a, patient={"name": "Ann Lee", "chart_number": "C-100"})
    patients.create_patient(uow, actor=a, patient={"name": "Bob 100%"})
    assert [p.name for p in patients.list_patients(uow, actor=a, search="ann").items] == ["Ann Lee"]
    assert patients.list_patients(uow, actor=a, search="c-1").total == 1
    assert [p.name for p in patients.list_patients(uow, actor=a, search="%").items] == ["Bob 100%"]


def test_today_is_used_when_days_since_treatment_is_left_out(knowledge: Knowledge) -> None:
    treatment = m.Treatment(performed_on=dt.date(2026, 1, 1))
    now = dt.datetime(2026, 1, 4, 12, tzinfo=dt.UTC)
    data = checkins._with_context({"symptoms": []}, treatment, None, now)
    assert data["days_since_treatment"] == 3.0
    kept = checkins._with_context({"days_since_treatment": 1}, treatment, None, now)
    assert kept["days_since_treatment"] == 1
