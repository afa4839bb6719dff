"""Patients and their screenings (intakes stored with the assessment made of them)."""

from __future__ import annotations

from typing import Any

from needlesafe.engine.inputs import parse_intake
from needlesafe.engine.screening import screen
from needlesafe.knowledge.base import Knowledge
from needlesafe.services.common import audit, page_bounds, public_page, validate
from needlesafe.services.context import Actor
from needlesafe.services.errors import NotFound
from needlesafe.services.schemas import IntakePublic, Page, PatientCreate, PatientPublic
from needlesafe.store import models as m
from needlesafe.store.uow import UnitOfWork


def _patient(uow: UnitOfWork, actor: Actor, patient_id: int) -> m.Patient:
    patient = uow.patients.get(actor.clinic_id, patient_id)
    if patient is None:
        raise NotFound("no such patient")
    return patient


def create_patient(
    uow: UnitOfWork, *, actor: Actor, patient: PatientCreate | dict[str, Any]
) -> PatientPublic:
    data = validate(PatientCreate, patient)
    with uow:
        row = uow.patients.add(m.Patient(clinic_id=actor.clinic_id, **data.model_dump()))
        audit(uow, actor, "create", "patient", row.id)
        uow.commit()
        return PatientPublic.model_validate(row)


def get_patient(uow: UnitOfWork, *, actor: Actor, patient_id: int) -> PatientPublic:
    with uow:
        row = _patient(uow, actor, patient_id)
        audit(uow, actor, "read", "patient", row.id)
        uow.commit()
        return PatientPublic.model_validate(row)


def list_patients(
    uow: UnitOfWork,
    *,
    actor: Actor,
    offset: int = 0,
    limit: int = 50,
    search: str | None = None,
) -> Page[PatientPublic]:
    offset, limit = page_bounds(offset, limit)
    search = (search or "").strip()[:200] or None
    with uow:
        page = uow.patients.list(actor.clinic_id, offset=offset, limit=limit, search=search)
        audit(uow, actor, "list", "patient")
        uow.commit()
        return public_page(page, PatientPublic, offset=offset, limit=limit)


def screen_patient(
    uow: UnitOfWork, *, actor: Actor, knowledge: Knowledge, patient_id: int, intake: Any
) -> IntakePublic:
    """Screen an intake (CONTRACT.md shape) for a patient and keep both, with the KB version."""
    with uow:
        _patient(uow, actor, patient_id)
        parsed = parse_intake(intake, knowledge)
        assessment = screen(parsed, knowledge)
        row = uow.intakes.add(
            m.Intake(
                clinic_id=actor.clinic_id,
                patient_id=patient_id,
                created_by=actor.user_id,
                input=parsed.model_dump(mode="json"),
                assessment=assessment.model_dump(mode="json"),
                decision=assessment.decision.value,
                knowledge_version=assessment.knowledge_version,
            )
        )
        audit(uow, actor, "create", "intake", row.id)
        uow.commit()
        return IntakePublic.model_validate(row)


def get_intake(uow: UnitOfWork, *, actor: Actor, intake_id: int) -> IntakePublic:
    with uow:
        row = uow.intakes.get(actor.clinic_id, intake_id)
        if row is None:
            raise NotFound("no such intake")
        audit(uow, actor, "read", "intake", row.id)
        uow.commit()
        return IntakePublic.model_validate(row)


def list_intakes(
    uow: UnitOfWork,
    *,
    actor: Actor,
    patient_id: int | None = None,
    offset: int = 0,
    limit: int = 50,
) -> Page[IntakePublic]:
    offset, limit = page_bounds(offset, limit)
    with uow:
        if patient_id is not None:
            _patient(uow, actor, patient_id)
        page = uow.intakes.list(actor.clinic_id, offset=offset, limit=limit, patient_id=patient_id)
        audit(uow, actor, "list", "intake")
        uow.commit()
        return public_page(page, IntakePublic, offset=offset, limit=limit)
