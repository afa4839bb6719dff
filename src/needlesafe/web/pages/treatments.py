"""Treatments: the form pre-filled from the screening, the safety gate as the practitioner
types, the treatment page with its check-in link."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse, Response

from needlesafe.deps import (
    CsrfChecked,
    KnowledgeDep,
    SessionActor,
    StateDep,
    UowDep,
)
from needlesafe.errors import InputError
from needlesafe.services import (
    treatments,
    views,
)
from needlesafe.services.context import Actor
from needlesafe.services.errors import NotFound, TreatmentBlocked
from needlesafe.services.schemas import TreatmentCheck, TreatmentConflict
from needlesafe.store.uow import UnitOfWork
from needlesafe.web import forms
from needlesafe.web.common import (
    form_values,
    see_other,
    today_utc,
)
from needlesafe.web.render import FormValues, field_errors, qr_svg, render

router = APIRouter(include_in_schema=False)


def _treatment_defaults(intake: Any | None) -> FormValues:
    """The form pre-filled from the screened plan: a treatment is recorded from its screening."""
    today = today_utc().isoformat()
    if intake is None:
        return FormValues({"performed_on": [today], "device": ["pen"], "numbing_agent": ["none"]})
    plan = intake.input.get("plan", {})
    data: dict[str, list[str]] = {
        "performed_on": [today],
        "device": [plan.get("device", "pen")],
        "numbing_agent": [plan.get("numbing_agent", "none")],
        "areas": list(plan.get("areas", [])),
        "topicals": list(plan.get("topicals", [])),
        "intake_id": [str(intake.id)],
    }
    for area in plan.get("areas", []):
        data[f"depth.{area}"] = [str(plan.get("needle_depth_mm", ""))]
        data[f"passes.{area}"] = ["1"]
    return FormValues(data)


def _conflict_fields(conflicts: list[TreatmentConflict], data: dict[str, Any]) -> dict[str, str]:
    """Each conflict beside the form field it is about (`areas[0].depth_mm` -> `depth.cheeks`)."""
    fields: dict[str, str] = {}
    areas = [a.get("area", "") for a in data.get("areas", [])]
    for conflict in conflicts:
        path = conflict.field
        name = ""
        if path.startswith("areas["):
            index = int(path[6 : path.index("]")])
            area = areas[index] if index < len(areas) else ""
            name = f"depth.{area}" if path.endswith("depth_mm") else "areas"
        elif path.startswith("topicals["):
            name = "topicals"
        elif path in ("numbing_agent", "device"):
            name = path
        if name:
            fields[name] = (fields[name] + " " if name in fields else "") + conflict.message
    return fields


def _form_page(
    request: Request,
    actor: Actor,
    view: views.TreatmentFormView,
    values: FormValues,
    errors: dict[str, str],
    status_code: int = 200,
    check: TreatmentCheck | None = None,
    blocked: bool = False,
) -> Response:
    return render(
        request,
        "treatment_form.html",
        {
            "actor": actor,
            "inbox_count": view.inbox_count,
            "patient": view.patient,
            "intake": view.intake,
            "values": values,
            "errors": errors,
            "check": check,
            "blocked": blocked,
        },
        status_code=status_code,
    )


def _gate_check(
    uow: UnitOfWork, actor: Actor, knowledge: Any, settings: Any, patient_id: int, data: Any
) -> TreatmentCheck | None:
    """The gate's answer for what the form holds so far; None while it cannot be checked."""
    try:
        return treatments.check_treatment(
            uow,
            actor=actor,
            knowledge=knowledge,
            patient_id=patient_id,
            treatment={k: v for k, v in data.items() if k != "override_reason"},
            screening_max_age_days=settings.screening_max_age_days,
        )
    except InputError:
        return None


@router.get("/patients/{patient_id}/treatments/new", response_class=HTMLResponse)
def new_treatment(
    request: Request,
    patient_id: int,
    actor: SessionActor,
    uow: UowDep,
    knowledge: KnowledgeDep,
    state: StateDep,
    intake_id: int | None = None,
) -> Response:
    def prefilled(intake: Any | None) -> dict[str, Any] | None:
        data, problems = forms.treatment_from_form(_treatment_defaults(intake))
        return None if problems else data

    view = views.treatment_form_view(
        uow,
        actor=actor,
        knowledge=knowledge,
        patient_id=patient_id,
        intake_id=intake_id,
        prefilled=prefilled,
        screening_max_age_days=state.settings.screening_max_age_days,
    )
    return _form_page(request, actor, view, _treatment_defaults(view.intake), {}, check=view.check)


@router.post("/patients/{patient_id}/treatments/check", response_class=HTMLResponse)
async def check_treatment(
    request: Request,
    patient_id: int,
    actor: SessionActor,
    uow: UowDep,
    knowledge: KnowledgeDep,
    state: StateDep,
    _csrf: CsrfChecked,
) -> Response:
    """The gate's conflicts for the form as it is now (htmx, as the practitioner types)."""
    values = await form_values(request)
    data, problems = forms.treatment_from_form(values)
    check = (
        None if problems else _gate_check(uow, actor, knowledge, state.settings, patient_id, data)
    )
    return render(request, "_treatment_gate.html", {"check": check, "values": values})


@router.post("/patients/{patient_id}/treatments", response_class=HTMLResponse)
async def create_treatment(
    request: Request,
    patient_id: int,
    actor: SessionActor,
    uow: UowDep,
    knowledge: KnowledgeDep,
    state: StateDep,
    _csrf: CsrfChecked,
) -> Response:
    values = await form_values(request)
    data, problems = forms.treatment_from_form(values)

    def again(
        errors: dict[str, str],
        status: int,
        check: TreatmentCheck | None = None,
        blocked: bool = False,
    ) -> Response:
        # the form again, read in one unit of work (the screening named, if it still exists)
        def read(intake_id: int | None) -> views.TreatmentFormView:
            return views.treatment_form_view(
                uow,
                actor=actor,
                knowledge=knowledge,
                patient_id=patient_id,
                intake_id=intake_id,
                prefilled=lambda _intake: None,  # the gate's answer is the save's, below
                screening_max_age_days=state.settings.screening_max_age_days,
            )

        try:
            view = read(data.get("intake_id"))
        except NotFound:
            view = read(None)
        return _form_page(request, actor, view, values, errors, status, check, blocked)

    try:
        if problems:
            raise InputError(problems)
        saved = treatments.record_treatment(
            uow,
            actor=actor,
            knowledge=knowledge,
            patient_id=patient_id,
            treatment=data,
            screening_max_age_days=state.settings.screening_max_age_days,
        )
    except InputError as error:
        return again(field_errors(error.problems, forms.TREATMENT_FIELDS), 422)
    except TreatmentBlocked as blocked:
        check = TreatmentCheck(conflicts=blocked.conflicts, can_override=blocked.can_override)
        return again(_conflict_fields(blocked.conflicts, data), 409, check, blocked=True)
    return see_other(f"/patients/{patient_id}/treatments/{saved.id}")


@router.get("/patients/{patient_id}/treatments/{treatment_id}", response_class=HTMLResponse)
def treatment_page(
    request: Request,
    patient_id: int,
    treatment_id: int,
    actor: SessionActor,
    uow: UowDep,
    knowledge: KnowledgeDep,
    state: StateDep,
) -> Response:
    settings = state.settings
    view = views.treatment_view(
        uow,
        actor=actor,
        knowledge=knowledge,
        patient_id=patient_id,
        treatment_id=treatment_id,
        secret_key=settings.secret,
        base_url=settings.public_base_url,
        link_max_age=settings.checkin_link_max_age,
    )
    link = view.link
    return render(
        request,
        "treatment.html",
        {
            "actor": actor,
            "inbox_count": view.inbox_count,
            "patient": view.patient,
            "treatment": view.treatment,
            "safety": view.safety,
            "link": link,
            "link_warning": settings.public_url_warning(),
            "qr": qr_svg(link.url, "QR code of the patient's check-in link") if link else None,
            "plan": view.plan,
            "plan_problem": view.plan_problem,
            "today": today_utc(),
        },
    )


@router.post("/patients/{patient_id}/treatments/{treatment_id}/link/{action}")
def change_checkin_link(
    patient_id: int,
    treatment_id: int,
    action: Annotated[str, Path(pattern="^(renew|revoke)$")],
    actor: SessionActor,
    uow: UowDep,
    state: StateDep,
    _csrf: CsrfChecked,
) -> Response:
    """Staff replace the patient's link with a new one, or stop it (one unit of work each)."""
    if action == "revoke":
        treatments.revoke_checkin_link(
            uow, actor=actor, treatment_id=treatment_id, patient_id=patient_id
        )
    else:
        settings = state.settings
        treatments.issue_checkin_link(
            uow,
            actor=actor,
            treatment_id=treatment_id,
            secret_key=settings.secret,
            base_url=settings.public_base_url,
            max_age=settings.checkin_link_max_age,
            renew=True,
            patient_id=patient_id,
        )
    return see_other(f"/patients/{patient_id}/treatments/{treatment_id}#link-title")
