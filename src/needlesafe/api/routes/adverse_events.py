"""Adverse events: graded with CTCAE, coded with ICD-10-CM."""

from __future__ import annotations

from fastapi import APIRouter

from needlesafe.api.deps import CurrentActor, KnowledgeDep, UowDep
from needlesafe.api.routes.common import JSON_ERRORS, FilterId, Limit, Offset, RecordId
from needlesafe.services import adverse_events
from needlesafe.services.schemas import AdverseEventCreate, AdverseEventPublic, Page

router = APIRouter(prefix="/api/v1", tags=["adverse events"], responses=JSON_ERRORS)


@router.post("/adverse-events", response_model=AdverseEventPublic, status_code=201)
def record_adverse_event(
    body: AdverseEventCreate, actor: CurrentActor, uow: UowDep, knowledge: KnowledgeDep
) -> AdverseEventPublic:
    return adverse_events.record_adverse_event(uow, actor=actor, knowledge=knowledge, event=body)


@router.get("/adverse-events", response_model=Page[AdverseEventPublic])
def list_adverse_events(
    actor: CurrentActor,
    uow: UowDep,
    offset: Offset = 0,
    limit: Limit = 50,
    patient_id: FilterId = None,
    treatment_id: FilterId = None,
    complication: str | None = None,
) -> Page[AdverseEventPublic]:
    return adverse_events.list_adverse_events(
        uow,
        actor=actor,
        patient_id=patient_id,
        treatment_id=treatment_id,
        complication=complication,
        offset=offset,
        limit=limit,
    )


@router.get("/adverse-events/{event_id}", response_model=AdverseEventPublic)
def get_adverse_event(event_id: RecordId, actor: CurrentActor, uow: UowDep) -> AdverseEventPublic:
    return adverse_events.get_adverse_event(uow, actor=actor, event_id=event_id)
