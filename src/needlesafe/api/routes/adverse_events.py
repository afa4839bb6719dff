"""Adverse events: graded with CTCAE, coded with ICD-10-CM."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter

from needlesafe.api.deps import CurrentActor, KnowledgeDep, UowDep
from needlesafe.api.routes.common import (
    JSON_ERRORS,
    EventCursor,
    FilterId,
    Limit,
    Offset,
    RecordId,
)
from needlesafe.services import adverse_events
from needlesafe.services.schemas import (
    AdverseEventChangePublic,
    AdverseEventClose,
    AdverseEventCreate,
    AdverseEventPublic,
    AdverseEventUpdate,
    Page,
)

router = APIRouter(tags=["adverse events"], responses=JSON_ERRORS)


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
    status: Literal["open", "closed"] | None = None,
    cursor: EventCursor = None,
) -> Page[AdverseEventPublic]:
    """Newest onset first; with `status=open`, by the next follow-up date (soonest first)."""
    return adverse_events.list_adverse_events(
        uow,
        actor=actor,
        patient_id=patient_id,
        treatment_id=treatment_id,
        complication=complication,
        status=status,
        cursor=cursor,
        offset=offset,
        limit=limit,
    )


@router.get("/adverse-events/{event_id}", response_model=AdverseEventPublic)
def get_adverse_event(event_id: RecordId, actor: CurrentActor, uow: UowDep) -> AdverseEventPublic:
    return adverse_events.get_adverse_event(uow, actor=actor, event_id=event_id)


@router.patch("/adverse-events/{event_id}", response_model=AdverseEventPublic)
def update_adverse_event(
    event_id: RecordId, body: AdverseEventUpdate, actor: CurrentActor, uow: UowDep
) -> AdverseEventPublic:
    """Change an open event (grade, actions, outcome, next follow-up, notes); kept as history.
    409 once it is closed."""
    return adverse_events.update_adverse_event(uow, actor=actor, event_id=event_id, changes=body)


@router.post("/adverse-events/{event_id}/close", response_model=AdverseEventPublic)
def close_adverse_event(
    event_id: RecordId, body: AdverseEventClose, actor: CurrentActor, uow: UowDep
) -> AdverseEventPublic:
    """Close an event with the day it resolved and its outcome. 409 if it is already closed."""
    return adverse_events.close_adverse_event(uow, actor=actor, event_id=event_id, close=body)


@router.get("/adverse-events/{event_id}/history", response_model=list[AdverseEventChangePublic])
def adverse_event_history(
    event_id: RecordId, actor: CurrentActor, uow: UowDep
) -> list[AdverseEventChangePublic]:
    """Every change, oldest first: who, when, and each field before and after."""
    return adverse_events.adverse_event_history(uow, actor=actor, event_id=event_id)
