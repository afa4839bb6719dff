"""Treatments, their patients' check-in links, and check-ins recorded by staff."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response

from needlesafe.api.deps import CurrentActor, JsonBody, KnowledgeDep, SettingsDep, UowDep
from needlesafe.api.routes.common import (
    JSON_ERRORS,
    FilterId,
    Limit,
    Offset,
    RecordId,
    TreatmentCursor,
)
from needlesafe.services import checkins, treatments
from needlesafe.services.schemas import (
    CheckinLink,
    CheckInPublic,
    Page,
    TreatmentCheck,
    TreatmentCreate,
    TreatmentPublic,
)

router = APIRouter(tags=["treatments"], responses=JSON_ERRORS)


GATE_REFUSED: dict[int | str, dict[str, Any]] = {
    409: {
        "description": "the treatment gate found conflicts and nothing was stored: "
        '`{"detail": [{"path", "message", "code", "overridable"}], "can_override": ...}`; '
        "send `override_reason` to record it anyway (when every conflict is overridable)"
    }
}


@router.post(
    "/patients/{patient_id}/treatments",
    response_model=TreatmentPublic,
    status_code=201,
    responses=GATE_REFUSED,
)
def record_treatment(
    patient_id: RecordId,
    body: TreatmentCreate,
    actor: CurrentActor,
    uow: UowDep,
    knowledge: KnowledgeDep,
    settings: SettingsDep,
) -> TreatmentPublic:
    """Record a treatment as done. It names the screening it follows (`intake_id`) and passes
    the treatment gate, or carries a practitioner's `override_reason`."""
    return treatments.record_treatment(
        uow,
        actor=actor,
        knowledge=knowledge,
        patient_id=patient_id,
        treatment=body,
        screening_max_age_days=settings.screening_max_age_days,
    )


@router.post("/patients/{patient_id}/treatments/check", response_model=TreatmentCheck)
def check_treatment(
    patient_id: RecordId,
    body: TreatmentCreate,
    actor: CurrentActor,
    uow: UowDep,
    knowledge: KnowledgeDep,
    settings: SettingsDep,
) -> TreatmentCheck:
    """What the treatment gate says of a treatment, without recording it."""
    return treatments.check_treatment(
        uow,
        actor=actor,
        knowledge=knowledge,
        patient_id=patient_id,
        treatment=body,
        screening_max_age_days=settings.screening_max_age_days,
    )


@router.get("/treatments", response_model=Page[TreatmentPublic])
def list_treatments(
    actor: CurrentActor,
    uow: UowDep,
    offset: Offset = 0,
    limit: Limit = 50,
    patient_id: FilterId = None,
    cursor: TreatmentCursor = None,
) -> Page[TreatmentPublic]:
    return treatments.list_treatments(
        uow, actor=actor, patient_id=patient_id, offset=offset, limit=limit, cursor=cursor
    )


@router.get("/treatments/{treatment_id}", response_model=TreatmentPublic)
def get_treatment(treatment_id: RecordId, actor: CurrentActor, uow: UowDep) -> TreatmentPublic:
    return treatments.get_treatment(uow, actor=actor, treatment_id=treatment_id)


@router.post("/treatments/{treatment_id}/checkin-link", response_model=CheckinLink, status_code=201)
def issue_checkin_link(
    treatment_id: RecordId, actor: CurrentActor, uow: UowDep, settings: SettingsDep
) -> CheckinLink:
    """The patient's link: an opaque token that reaches this treatment's check-in only, and
    expires. The same link each time; a new one if the last was stopped."""
    link = treatments.issue_checkin_link(
        uow,
        actor=actor,
        treatment_id=treatment_id,
        secret_key=settings.secret,
        base_url=settings.public_base_url,
        max_age=settings.checkin_link_max_age,
    )
    assert link is not None  # only the staff page asks for `only_if_active`
    return link


@router.post(
    "/treatments/{treatment_id}/checkin-link/renew", response_model=CheckinLink, status_code=201
)
def renew_checkin_link(
    treatment_id: RecordId, actor: CurrentActor, uow: UowDep, settings: SettingsDep
) -> CheckinLink:
    """A new link for the patient, valid at least the link days from now; the old one stops."""
    link = treatments.issue_checkin_link(
        uow,
        actor=actor,
        treatment_id=treatment_id,
        secret_key=settings.secret,
        base_url=settings.public_base_url,
        max_age=settings.checkin_link_max_age,
        renew=True,
    )
    assert link is not None
    return link


@router.delete("/treatments/{treatment_id}/checkin-link", status_code=204)
def revoke_checkin_link(treatment_id: RecordId, actor: CurrentActor, uow: UowDep) -> Response:
    """Stop the patient's link at once (204 also when it was already stopped)."""
    treatments.revoke_checkin_link(uow, actor=actor, treatment_id=treatment_id)
    return Response(status_code=204)


@router.post(
    "/treatments/{treatment_id}/checkins",
    response_model=CheckInPublic,
    status_code=201,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/CheckIn"}}},
        }
    },
)
def record_checkin(
    treatment_id: RecordId,
    body: JsonBody,
    actor: CurrentActor,
    uow: UowDep,
    knowledge: KnowledgeDep,
) -> CheckInPublic:
    """A check-in taken by staff (e.g. on the phone); `days_since_treatment` may be left out."""
    return checkins.record_checkin(
        uow, actor=actor, knowledge=knowledge, treatment_id=treatment_id, data=body
    )
