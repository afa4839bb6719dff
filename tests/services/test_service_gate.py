"""The treatment gate: a treatment names a recent screening of the same patient, and is
refused with every conflict listed (nothing stored) when it goes against the screening's
decision, the screened patient and plan, the knowledge base or the signed consent; a
practitioner's reason records it anyway, kept with the treatment; absolute contraindications
cannot be overridden."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import func, select

from needlesafe.errors import InputError
from needlesafe.knowledge.base import Knowledge
from needlesafe.services import patients, treatments
from needlesafe.services.context import Actor
from needlesafe.services.errors import Forbidden, TreatmentBlocked
from needlesafe.store import models as m
from needlesafe.store.uow import UnitOfWork
from tests.store.dbkit import INTAKE, TREATMENT, add_clinic, add_staff, screen_for_treatment


@pytest.fixture
def actor(uow: UnitOfWork) -> Actor:
    return add_staff(uow, add_clinic(uow)).actor


@pytest.fixture
def patient_id(uow: UnitOfWork, actor: Actor) -> int:
    return patients.create_patient(uow, actor=actor, patient={"name": "Pat"}).id


def _count(uow: UnitOfWork, model: Any) -> int:
    with uow:
        return uow.session.scalar(select(func.count()).select_from(model)) or 0


def _intake(**changes: Any) -> dict[str, Any]:
    return {
        "patient": {**INTAKE["patient"], **changes.pop("patient", {})},
        "plan": {**INTAKE["plan"], **changes.pop("plan", {})},
    }


def _record(
    uow: UnitOfWork, actor: Actor, knowledge: Knowledge, patient_id: int, **changes: Any
) -> Any:
    return treatments.record_treatment(
        uow,
        actor=actor,
        knowledge=knowledge,
        patient_id=patient_id,
        treatment={**TREATMENT, **changes},
    )


def _codes(caught: pytest.ExceptionInfo[TreatmentBlocked]) -> list[tuple[str, str]]:
    return [(c.code, c.field) for c in caught.value.conflicts]


def test_a_treatment_that_follows_its_cleared_screening_is_recorded(
    uow: UnitOfWork, actor: Actor, knowledge: Knowledge, patient_id: int
) -> None:
    intake = screen_for_treatment(uow, actor, knowledge, patient_id)
    done = _record(uow, actor, knowledge, patient_id, intake_id=intake)
    assert done.intake_id == intake and done.override is None


# (intake changes, treatment changes, screening options) -> the conflicts, in order
CASES: list[tuple[str, dict[str, Any], dict[str, Any], dict[str, Any], list[tuple[str, str]]]] = [
    (
        "deferred screening",
        {"patient": {"pregnant": True}},
        {},
        {},
        [("screening_deferred", "intake_id")],
    ),
    (
        "allergic to the numbing cream's ingredient",
        {"patient": {"allergies": ["lidocaine"]}},
        {},
        {},
        [("allergy_numbing_agent", "numbing_agent")],
    ),
    (
        "allergic to the cream's class (amide)",
        {"patient": {"allergies": ["prilocaine"]}},
        {},
        {},
        [("allergy_numbing_agent", "numbing_agent")],
    ),
    (
        "allergic to a topical",
        {"patient": {"allergies": ["vitamin_c"]}, "plan": {"topicals": ["vitamin_c"]}},
        {"topicals": [{"code": "vitamin_c", "lot": "C-1"}]},
        {},
        [("allergy_topical", "topicals[0].code"), ("product_unlabeled", "topicals[0].code")],
    ),
    (
        "over the area's depth cap",
        {"plan": {"areas": ["perioral"], "needle_depth_mm": 2.0}},
        {"areas": [{"area": "perioral", "depth_mm": 2.0}]},
        {},
        [("depth_above_cap", "areas[0].depth_mm")],
    ),
    (
        "deeper than screened",
        {},
        {"areas": [{"area": "cheeks", "depth_mm": 1.5}]},
        {},
        [("depth_above_screened", "areas[0].depth_mm")],
    ),
    (
        "an area not screened",
        {},
        {"areas": [{"area": "cheeks", "depth_mm": 1.0}, {"area": "forehead", "depth_mm": 0.5}]},
        {},
        [("area_not_screened", "areas[1].area")],
    ),
    ("another device", {}, {"device": "roller"}, {}, [("device_not_screened", "device")]),
    (
        "another numbing cream",
        {},
        {"numbing_agent": "tetracaine"},
        {},
        [("numbing_agent_not_screened", "numbing_agent")],
    ),
    (
        "a product not screened",
        {},
        {"topicals": [{"code": "hyaluronic_acid"}, {"code": "prp"}]},
        {},
        [("topical_not_screened", "topicals[1].code")],
    ),
    (
        "a product not labelled for needled skin",
        {"plan": {"topicals": ["unlabeled_product"]}},
        {"topicals": [{"code": "unlabeled_product"}]},
        {},
        [("product_unlabeled", "topicals[0].code")],
    ),
    ("no signed consent", {}, {}, {"consent": False}, [("consent_not_signed", "intake_id")]),
    ("an old screening", {}, {}, {"days_ago": 40}, [("screening_too_old", "intake_id")]),
    (
        "a screening made after the treatment",
        {},
        {"performed_on": (dt.date.today() - dt.timedelta(days=10)).isoformat()},
        {},
        [("screening_after_treatment", "intake_id")],
    ),
]


@pytest.mark.parametrize(
    ("intake", "change", "options", "expected"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_each_conflict_refuses_the_treatment_and_stores_nothing(
    uow: UnitOfWork,
    actor: Actor,
    knowledge: Knowledge,
    patient_id: int,
    intake: dict[str, Any],
    change: dict[str, Any],
    options: dict[str, Any],
    expected: list[tuple[str, str]],
) -> None:
    intake_id = screen_for_treatment(
        uow, actor, knowledge, patient_id, _intake(**intake), **options
    )
    with pytest.raises(TreatmentBlocked) as caught:
        _record(uow, actor, knowledge, patient_id, intake_id=intake_id, **change)
    assert _codes(caught) == expected
    assert caught.value.can_override
    assert all(c.message and c.message[0].isupper() for c in caught.value.conflicts)
    assert _count(uow, m.Treatment) == 0 and _count(uow, m.TreatmentArea) == 0


def test_a_treatment_without_a_screening_is_refused(
    uow: UnitOfWork, actor: Actor, knowledge: Knowledge, patient_id: int
) -> None:
    with pytest.raises(TreatmentBlocked) as caught:
        _record(uow, actor, knowledge, patient_id)
    assert _codes(caught) == [("no_screening", "intake_id")]


def test_the_issues_example_lists_every_conflict_at_once(
    uow: UnitOfWork, actor: Actor, knowledge: Knowledge, patient_id: int
) -> None:
    # deferred, lidocaine cream for a lidocaine allergy, 2.0 mm around the mouth, no consent
    intake = _intake(patient={"pregnant": True, "allergies": ["lidocaine"]})
    intake_id = screen_for_treatment(uow, actor, knowledge, patient_id, intake, consent=False)
    with pytest.raises(TreatmentBlocked) as caught:
        _record(
            uow,
            actor,
            knowledge,
            patient_id,
            intake_id=intake_id,
            areas=[{"area": "perioral", "depth_mm": 2.0}],
        )
    assert [c for c, _ in _codes(caught)] == [
        "screening_deferred",
        "area_not_screened",
        "depth_above_cap",
        "depth_above_screened",
        "allergy_numbing_agent",
        "consent_not_signed",
    ]


def test_an_override_with_a_reason_records_the_treatment_and_what_it_overrode(
    uow: UnitOfWork, actor: Actor, knowledge: Knowledge, patient_id: int
) -> None:
    intake_id = screen_for_treatment(
        uow, actor, knowledge, patient_id, _intake(patient={"pregnant": True})
    )
    done = _record(
        uow,
        actor,
        knowledge,
        patient_id,
        intake_id=intake_id,
        override_reason="  Obstetrician's written clearance on file  ",
    )
    assert done.override is not None
    assert done.override.reason == "Obstetrician's written clearance on file"
    assert [c.code for c in done.override.conflicts] == ["screening_deferred"]
    assert done.override.user_id == actor.user_id
    assert treatments.get_treatment(uow, actor=actor, treatment_id=done.id).override == (
        done.override
    )
    with uow:
        actions = uow.session.scalars(
            select(m.AuditEvent.action).where(m.AuditEvent.record_type == "treatment")
        ).all()
    assert "override" in actions and "create" in actions


def test_a_blank_override_reason_is_bad_input(
    uow: UnitOfWork, actor: Actor, knowledge: Knowledge, patient_id: int
) -> None:
    with pytest.raises(InputError) as caught:
        _record(uow, actor, knowledge, patient_id, override_reason="   ")
    assert caught.value.problems[0].path == "override_reason"


@pytest.mark.parametrize(
    "intake",
    [
        _intake(patient={"conditions": ["skin_cancer_in_area"]}),  # do not treat, absolute
        _intake(patient={"conditions": ["active_infection_in_area"]}),  # defer, absolute
    ],
    ids=["do_not_treat", "defer"],
)
def test_an_absolute_contraindication_cannot_be_overridden(
    uow: UnitOfWork,
    actor: Actor,
    knowledge: Knowledge,
    patient_id: int,
    intake: dict[str, Any],
) -> None:
    intake_id = screen_for_treatment(uow, actor, knowledge, patient_id, intake)
    admin = add_staff(uow, actor.clinic_id, "admin").actor
    for who in (actor, admin):
        with pytest.raises(TreatmentBlocked) as caught:
            _record(
                uow, who, knowledge, patient_id, intake_id=intake_id, override_reason="I decide"
            )
        assert not caught.value.can_override
        assert "cannot be overridden" in caught.value.message
        assert not caught.value.conflicts[0].overridable
    assert _count(uow, m.Treatment) == 0


def test_the_command_line_cannot_override(
    uow: UnitOfWork, actor: Actor, knowledge: Knowledge, patient_id: int
) -> None:
    operator = Actor(user_id=None, clinic_id=actor.clinic_id, role="cli", kind="cli")
    with pytest.raises(Forbidden):
        _record(uow, operator, knowledge, patient_id, override_reason="script")
    assert _count(uow, m.Treatment) == 0


def test_the_maximum_age_of_a_screening_is_a_setting(
    uow: UnitOfWork, actor: Actor, knowledge: Knowledge, patient_id: int
) -> None:
    intake_id = screen_for_treatment(uow, actor, knowledge, patient_id, days_ago=12)
    with pytest.raises(TreatmentBlocked) as caught:
        treatments.record_treatment(
            uow,
            actor=actor,
            knowledge=knowledge,
            patient_id=patient_id,
            treatment={**TREATMENT, "intake_id": intake_id},
            screening_max_age_days=7,
        )
    assert _codes(caught) == [("screening_too_old", "intake_id")]


def test_checking_a_treatment_says_the_same_and_records_nothing(
    uow: UnitOfWork, actor: Actor, knowledge: Knowledge, patient_id: int
) -> None:
    intake_id = screen_for_treatment(uow, actor, knowledge, patient_id, consent=False)
    check = treatments.check_treatment(
        uow,
        actor=actor,
        knowledge=knowledge,
        patient_id=patient_id,
        treatment={**TREATMENT, "intake_id": intake_id},
    )
    assert [c.code for c in check.conflicts] == ["consent_not_signed"]
    assert check.decision == "proceed_with_precautions" and check.consent_signed_at is None
    assert _count(uow, m.Treatment) == 0
