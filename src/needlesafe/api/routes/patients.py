"""Patients and their screenings."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from needlesafe.api.deps import CurrentActor, JsonBody, KnowledgeDep, UowDep
from needlesafe.api.routes.common import (
    JSON_ERRORS,
    FilterId,
    IntakeCursor,
    Limit,
    Offset,
    PatientCursor,
    RecordId,
)
from needlesafe.services import patients
from needlesafe.services.schemas import (
    IntakePublic,
    Page,
    PatientCreate,
    PatientCreated,
    PatientPublic,
)

router = APIRouter(tags=["patients"], responses=JSON_ERRORS)


@router.post("/patients", response_model=PatientCreated, status_code=201)
def create_patient(body: PatientCreate, actor: CurrentActor, uow: UowDep) -> PatientCreated:
    """Saved; `warnings` names a record of this clinic with the same name and date of birth."""
    return patients.create_patient(uow, actor=actor, patient=body)


@router.get("/patients", response_model=Page[PatientPublic])
def list_patients(
    actor: CurrentActor,
    uow: UowDep,
    offset: Offset = 0,
    limit: Limit = 50,
    search: Annotated[str | None, Query(max_length=200)] = None,
    cursor: PatientCursor = None,
) -> Page[PatientPublic]:
    return patients.list_patients(
        uow, actor=actor, offset=offset, limit=limit, search=search, cursor=cursor
    )


@router.get("/patients/{patient_id}", response_model=PatientPublic)
def get_patient(patient_id: RecordId, actor: CurrentActor, uow: UowDep) -> PatientPublic:
    return patients.get_patient(uow, actor=actor, patient_id=patient_id)


@router.post(
    "/patients/{patient_id}/intakes",
    response_model=IntakePublic,
    status_code=201,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Intake"}}},
        }
    },
)
def screen_patient(
    patient_id: RecordId, body: JsonBody, actor: CurrentActor, uow: UowDep, knowledge: KnowledgeDep
) -> IntakePublic:
    """Screen an intake (CONTRACT.md) for this patient; the intake and assessment are kept."""
    return patients.screen_patient(
        uow, actor=actor, knowledge=knowledge, patient_id=patient_id, intake=body
    )


@router.get("/patients/{patient_id}/intakes", response_model=Page[IntakePublic])
def list_patient_intakes(
    patient_id: RecordId,
    actor: CurrentActor,
    uow: UowDep,
    offset: Offset = 0,
    limit: Limit = 50,
    cursor: IntakeCursor = None,
) -> Page[IntakePublic]:
    return patients.list_intakes(
        uow, actor=actor, patient_id=patient_id, offset=offset, limit=limit, cursor=cursor
    )


@router.get("/intakes", response_model=Page[IntakePublic])
def list_intakes(
    actor: CurrentActor,
    uow: UowDep,
    offset: Offset = 0,
    limit: Limit = 50,
    patient_id: FilterId = None,
    cursor: IntakeCursor = None,
) -> Page[IntakePublic]:
    return patients.list_intakes(
        uow, actor=actor, patient_id=patient_id, offset=offset, limit=limit, cursor=cursor
    )


@router.get("/intakes/{intake_id}", response_model=IntakePublic)
def get_intake(intake_id: RecordId, actor: CurrentActor, uow: UowDep) -> IntakePublic:
    return patients.get_intake(uow, actor=actor, intake_id=intake_id)
