"""The clinic's check-in inbox."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from needlesafe.api.deps import CurrentActor, UowDep
from needlesafe.api.routes.common import (
    JSON_ERRORS,
    CheckInCursor,
    FilterId,
    Limit,
    Offset,
    RecordId,
)
from needlesafe.knowledge.triage_schema import Disposition
from needlesafe.services import checkins
from needlesafe.services.schemas import CheckInPublic, HandledUpdate, Page

router = APIRouter(tags=["check-ins"], responses=JSON_ERRORS)

DispositionQuery = Disposition


@router.get("/checkins", response_model=Page[CheckInPublic])
def list_checkins(
    actor: CurrentActor,
    uow: UowDep,
    offset: Offset = 0,
    limit: Limit = 50,
    disposition: Annotated[list[DispositionQuery] | None, Query()] = None,
    needs_attention: bool | None = None,
    patient_id: FilterId = None,
    treatment_id: FilterId = None,
    cursor: CheckInCursor = None,
) -> Page[CheckInPublic]:
    """Those needing attention first (emergency, urgent, contact clinic; not yet handled),
    then the newest first."""
    return checkins.list_checkins(
        uow,
        actor=actor,
        disposition=disposition or (),
        needs_attention=needs_attention,
        patient_id=patient_id,
        treatment_id=treatment_id,
        offset=offset,
        limit=limit,
        cursor=cursor,
    )


@router.get("/checkins/{checkin_id}", response_model=CheckInPublic)
def get_checkin(checkin_id: RecordId, actor: CurrentActor, uow: UowDep) -> CheckInPublic:
    return checkins.get_checkin(uow, actor=actor, checkin_id=checkin_id)


@router.post("/checkins/{checkin_id}/handled", response_model=CheckInPublic)
def mark_handled(
    checkin_id: RecordId, body: HandledUpdate, actor: CurrentActor, uow: UowDep
) -> CheckInPublic:
    return checkins.mark_handled(uow, actor=actor, checkin_id=checkin_id, note=body.note)
