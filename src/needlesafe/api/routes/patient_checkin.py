"""The patient's side, through the signed link of one treatment: no account, nothing else."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from needlesafe.api.deps import JsonBody, KnowledgeDep, PatientLink, UowDep
from needlesafe.engine.models import Triage
from needlesafe.services import checkins
from needlesafe.services.schemas import PatientCheckinView

router = APIRouter(
    prefix="/checkin",
    tags=["patient check-in"],
    responses={
        404: {"description": "the link is not valid"},
        410: {"description": "the link has expired"},
        422: {"description": "bad check-in, with the field path"},
    },
)
NOT_SAVED = "the check-in could not be saved; the triage answer stands: phone the clinic"


class CheckinNotSaved(BaseModel):
    """503: the answer, though the check-in could not be stored (tell the patient)."""

    detail: list[dict[str, str]]
    saved: bool = False
    triage: Triage


class CheckinReceived(BaseModel):
    checkin_id: int
    triage: Triage


@router.get("/{token}", response_model=PatientCheckinView)
def view(access: PatientLink, uow: UowDep) -> PatientCheckinView:
    """What the link reaches: the treatment's date and the clinic's name."""
    return checkins.view_for_patient(uow, access=access)


@router.post(
    "/{token}",
    response_model=CheckinReceived,
    status_code=201,
    responses={503: {"model": CheckinNotSaved, "description": "answered, but not saved"}},
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/CheckIn"}}},
        }
    },
)
def check_in(
    access: PatientLink, body: JsonBody, uow: UowDep, knowledge: KnowledgeDep
) -> CheckinReceived | JSONResponse:
    """The patient's check-in (CONTRACT.md; `days_since_treatment` may be left out): kept,
    then answered with what to do now."""
    checkin_id, result = checkins.take_patient_checkin(
        uow, access=access, knowledge=knowledge, data=body
    )
    if checkin_id is None:  # not stored: the answer still goes to the patient
        return JSONResponse(
            status_code=503,
            content={
                "detail": [{"path": "", "message": NOT_SAVED}],
                "saved": False,
                "triage": result.model_dump(mode="json"),
            },
        )
    return CheckinReceived(checkin_id=checkin_id, triage=result)
