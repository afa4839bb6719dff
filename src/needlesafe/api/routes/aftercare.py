"""The aftercare plan of a treatment: JSON and an .ics calendar of reminders; for the clinic,
and for the patient through the check-in link."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response

from needlesafe.api.deps import CurrentActor, KnowledgeDep, PatientLink, UowDep
from needlesafe.api.routes.common import JSON_ERRORS, RecordId
from needlesafe.engine.aftercare import AftercarePlan
from needlesafe.services import aftercare

router = APIRouter(tags=["aftercare"], responses=JSON_ERRORS)

ICS: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/calendar": {}}, "description": "an iCalendar file"}
}


def _ics(body: bytes) -> Response:
    return Response(
        body,
        media_type="text/calendar",
        headers={"Content-Disposition": 'attachment; filename="aftercare.ics"'},
    )


@router.get("/treatments/{treatment_id}/aftercare", response_model=AftercarePlan)
def treatment_aftercare(
    treatment_id: RecordId, actor: CurrentActor, uow: UowDep, knowledge: KnowledgeDep
) -> AftercarePlan:
    return aftercare.treatment_aftercare(
        uow, actor=actor, knowledge=knowledge, treatment_id=treatment_id
    )


@router.get("/treatments/{treatment_id}/aftercare.ics", response_class=Response, responses=ICS)
def treatment_calendar(
    treatment_id: RecordId, actor: CurrentActor, uow: UowDep, knowledge: KnowledgeDep
) -> Response:
    return _ics(
        aftercare.treatment_calendar(
            uow, actor=actor, knowledge=knowledge, treatment_id=treatment_id
        )
    )


@router.get("/checkin/{token}/aftercare", response_model=AftercarePlan, tags=["patient check-in"])
def patient_aftercare(access: PatientLink, uow: UowDep, knowledge: KnowledgeDep) -> AftercarePlan:
    return aftercare.patient_aftercare(uow, access=access, knowledge=knowledge)


@router.get(
    "/checkin/{token}/aftercare.ics",
    response_class=Response,
    responses=ICS,
    tags=["patient check-in"],
)
def patient_calendar(access: PatientLink, uow: UowDep, knowledge: KnowledgeDep) -> Response:
    return _ics(aftercare.patient_calendar(uow, access=access, knowledge=knowledge))
