"""Patients and their screenings (intakes stored with the assessment made of them)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func

from needlesafe.engine.inputs import parse_intake
from needlesafe.engine.screening import screen
from needlesafe.knowledge.base import Knowledge
from needlesafe.services.common import audit, page_bounds, paging, public_page, validate
from needlesafe.services.context import Actor
from needlesafe.services.errors import NotFound
from needlesafe.services.schemas import (
    IntakePublic,
    Page,
    PatientCreate,
    PatientCreated,
    PatientPublic,
    PatientWarning,
)
from needlesafe.store import models as m
from needlesafe.store.uow import UnitOfWork


def _patient(uow: UnitOfWork, actor: Actor, patient_id: int) -> m.Patient:
    patient = uow.patients.get(actor.clinic_id, patient_id)
    if patient is None:
        raise NotFound("no such patient")
    return patient


def _same_person(
    uow: UnitOfWork, clinic_id: int, name: str, born: dt.date | None, other_than: int | None
) -> list[m.Patient]:
    """This clinic's records with the same name (case and spacing aside) and date of birth."""
    if born is None:
        return []
    query = uow.session.query(m.Patient).filter(
        m.Patient.clinic_id == clinic_id,
        m.Patient.date_of_birth == born,
        func.lower(m.Patient.name) == " ".join(name.split()).lower(),
    )
    if other_than is not None:
        query = query.filter(m.Patient.id != other_than)
    return list(query.order_by(m.Patient.id).limit(10))


def create_patient(
    uow: UnitOfWork, *, actor: Actor, patient: PatientCreate | dict[str, Any]
) -> PatientCreated:
    """Saved even when it looks like a patient already recorded (twins share both), with a
    warning that names the other record."""
    data = validate(PatientCreate, patient)
    with uow:
        same = _same_person(uow, actor.clinic_id, data.name, data.date_of_birth, None)
        row = uow.patients.add(m.Patient(clinic_id=actor.clinic_id, **data.model_dump()))
        audit(uow, actor, "create", "patient", row.id)
        for other in same:
            audit(uow, actor, "read", "patient", other.id)
        uow.commit()
        return PatientCreated.model_validate(
            {
                **PatientPublic.model_validate(row).model_dump(),
                "warnings": [
                    PatientWarning(
                        code="likely_duplicate",
                        message=f"patient {other.id} has the same name and date of birth",
                        patient_id=other.id,
                        href=f"/api/v1/patients/{other.id}",
                    )
                    for other in same
                ],
            }
        )


def likely_duplicates(uow: UnitOfWork, *, actor: Actor, patient_id: int) -> list[PatientPublic]:
    """Other records of this clinic with this patient's name and date of birth."""
    with uow:
        row = _patient(uow, actor, patient_id)
        same = _same_person(uow, actor.clinic_id, row.name, row.date_of_birth, row.id)
        for other in same:
            audit(uow, actor, "read", "patient", other.id)
        uow.commit()
        return [PatientPublic.model_validate(other) for other in same]


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
    cursor: str | None = None,
) -> Page[PatientPublic]:
    offset, limit = page_bounds(offset, limit)
    search = (search or "").strip()[:200] or None
    with uow, paging():
        page = uow.patients.list(
            actor.clinic_id, offset=offset, limit=limit, search=search, cursor=cursor
        )
        audit(uow, actor, "list", "patient", record_ids=[r.id for r in page.items])
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
    cursor: str | None = None,
) -> Page[IntakePublic]:
    offset, limit = page_bounds(offset, limit)
    with uow, paging():
        if patient_id is not None:
            _patient(uow, actor, patient_id)
        page = uow.intakes.list(
            actor.clinic_id, offset=offset, limit=limit, patient_id=patient_id, cursor=cursor
        )
        audit(uow, actor, "list", "intake", record_ids=[r.id for r in page.items])
        uow.commit()
        return public_page(page, IntakePublic, offset=offset, limit=limit)
