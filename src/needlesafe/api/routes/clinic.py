"""The signed-in user's clinic: its details, and an admin's changes to its phone and
emergency number (what patients are told to call)."""

from __future__ import annotations

from fastapi import APIRouter

from needlesafe.api.deps import AdminActor, CurrentActor, UowDep
from needlesafe.api.routes.common import JSON_ERRORS
from needlesafe.services import clinics
from needlesafe.services.schemas import ClinicPublic, ClinicUpdate

router = APIRouter(tags=["clinic"], responses=JSON_ERRORS)


@router.get("/clinic", response_model=ClinicPublic)
def get_clinic(actor: CurrentActor, uow: UowDep) -> ClinicPublic:
    return clinics.get_clinic(uow, actor=actor)


@router.patch("/clinic", response_model=ClinicPublic)
def update_clinic(body: ClinicUpdate, actor: AdminActor, uow: UowDep) -> ClinicPublic:
    """Set the phone (null clears it) and/or the emergency number; other fields stay."""
    return clinics.update_clinic(uow, actor=actor, changes=body)
