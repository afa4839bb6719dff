"""The clinic's settings."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from needlesafe.deps import (
    CsrfChecked,
    SessionActor,
    UowDep,
)
from needlesafe.errors import InputError
from needlesafe.services import (
    clinics,
)
from needlesafe.services.schemas import time_zone_names
from needlesafe.web.common import (
    form_values,
    header_context,
    see_other,
)
from needlesafe.web.render import FormValues, field_errors, render

router = APIRouter(include_in_schema=False)


# the settings form's fields; a field left out of a post stays as it is
CLINIC_FIELDS: tuple[str, ...] = ("phone", "emergency_number", "time_zone", "temperature_unit")
# the follow-up loop's alert settings (issue 15)
CLINIC_FIELDS += ("alert_email", "alert_email_second", "realert_minutes")


def _clinic_values(clinic: Any) -> FormValues:
    return FormValues({name: [getattr(clinic, name) or ""] for name in CLINIC_FIELDS})


@router.get("/settings/clinic", response_class=HTMLResponse)
def clinic_settings(
    request: Request, actor: SessionActor, uow: UowDep, saved: bool = False
) -> Response:
    clinic = clinics.get_clinic(uow, actor=actor)
    return render(
        request,
        "clinic_settings.html",
        {
            **header_context(actor, uow),
            "clinic": clinic,
            "values": _clinic_values(clinic),
            "saved": saved,
            "time_zones": sorted(time_zone_names()),
        },
    )


@router.post("/settings/clinic", response_class=HTMLResponse)
async def update_clinic_settings(
    request: Request, actor: SessionActor, uow: UowDep, _csrf: CsrfChecked
) -> Response:
    values = await form_values(request)
    changes = {name: values.get(name).strip() or None for name in CLINIC_FIELDS if name in values}
    try:
        clinics.update_clinic(uow, actor=actor, changes=changes)
    except InputError as error:
        clinic = clinics.get_clinic(uow, actor=actor)
        return render(
            request,
            "clinic_settings.html",
            {
                **header_context(actor, uow),
                "clinic": clinic,
                "values": values,
                "errors": field_errors(error.problems, {}),
                "time_zones": sorted(time_zone_names()),
            },
            status_code=422,
        )
    return see_other("/settings/clinic?saved=true")
