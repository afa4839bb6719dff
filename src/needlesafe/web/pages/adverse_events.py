"""Adverse events: the form (with the ICD-10 code suggested) and recording one."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from needlesafe.deps import (
    CsrfChecked,
    KnowledgeDep,
    SessionActor,
    UowDep,
)
from needlesafe.errors import InputError
from needlesafe.services import (
    adverse_events,
    patients,
    treatments,
)
from needlesafe.services.context import Actor
from needlesafe.store.uow import UnitOfWork
from needlesafe.web import forms
from needlesafe.web.common import (
    form_values,
    header_context,
    see_other,
    today_utc,
)
from needlesafe.web.render import FormValues, field_errors, render

router = APIRouter(include_in_schema=False)


def _event_form(
    request: Request,
    actor: Actor,
    uow: UnitOfWork,
    knowledge: Any,
    patient: Any,
    values: FormValues,
    errors: dict[str, str],
    status_code: int = 200,
) -> Response:
    done = treatments.list_treatments(uow, actor=actor, patient_id=patient.id, limit=200).items
    return render(
        request,
        "adverse_event_form.html",
        {
            **header_context(actor, uow),
            "patient": patient,
            "treatments": done,
            "grades": knowledge.clinic_forms().ctcae.grades,
            "suggestion": knowledge.complications.get(values.get("complication")),
            "values": values,
            "errors": errors,
        },
        status_code=status_code,
    )


@router.get("/patients/{patient_id}/adverse-events/new", response_class=HTMLResponse)
def new_adverse_event(
    request: Request,
    patient_id: int,
    actor: SessionActor,
    uow: UowDep,
    knowledge: KnowledgeDep,
    treatment_id: int | None = None,
) -> Response:
    patient = patients.get_patient(uow, actor=actor, patient_id=patient_id)
    values = FormValues(
        {"onset_date": [today_utc().isoformat()], "outcome": ["unknown"]}
        | ({"treatment_id": [str(treatment_id)]} if treatment_id else {})
    )
    return _event_form(request, actor, uow, knowledge, patient, values, {})


@router.get("/adverse-events/icd10", response_class=HTMLResponse)
def icd10_suggestion(
    request: Request,
    actor: SessionActor,
    knowledge: KnowledgeDep,
    complication: Annotated[str, Query(max_length=60)] = "",
) -> Response:
    """The ICD-10 field with the knowledge base's code for the complication (htmx)."""
    return render(
        request,
        "_icd10_field.html",
        {
            "suggestion": knowledge.complications.get(complication),
            "values": FormValues(),
            "errors": {},
            "fill": True,
        },
    )


@router.post("/patients/{patient_id}/adverse-events", response_class=HTMLResponse)
async def create_adverse_event(
    request: Request,
    patient_id: int,
    actor: SessionActor,
    uow: UowDep,
    knowledge: KnowledgeDep,
    _csrf: CsrfChecked,
) -> Response:
    values = await form_values(request)
    data, problems = forms.adverse_event_from_form(values, patient_id)
    try:
        if problems:
            raise InputError(problems)
        adverse_events.record_adverse_event(uow, actor=actor, knowledge=knowledge, event=data)
    except InputError as error:
        patient = patients.get_patient(uow, actor=actor, patient_id=patient_id)
        errors = field_errors(error.problems, forms.ADVERSE_EVENT_FIELDS)
        return _event_form(request, actor, uow, knowledge, patient, values, errors, status_code=422)
    return see_other(f"/patients/{patient_id}?{urlencode({'recorded': 'adverse_event'})}")
