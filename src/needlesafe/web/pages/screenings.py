"""Screenings: the form (pre-filled from the patient's record), the quiz's running score,
and the assessment page."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from needlesafe.deps import (
    CsrfChecked,
    KnowledgeDep,
    SessionActor,
    UowDep,
)
from needlesafe.engine.inputs import parse_intake
from needlesafe.errors import InputError
from needlesafe.services import patients, views
from needlesafe.services.context import Actor
from needlesafe.store.uow import UnitOfWork
from needlesafe.web import forms
from needlesafe.web.common import (
    form_values,
    header_context,
    see_other,
    today_utc,
)
from needlesafe.web.facts import facts_in_words
from needlesafe.web.render import FormValues, field_errors, render

router = APIRouter(include_in_schema=False)


def _screening_form(
    request: Request,
    actor: Actor,
    uow: UnitOfWork,
    knowledge: Any,
    patient: Any,
    values: FormValues,
    errors: dict[str, str],
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "screening_form.html",
        {
            **header_context(actor, uow),
            "patient": patient,
            "quiz": knowledge.clinic_forms().quiz,
            "values": values,
            "errors": errors,
        },
        status_code=status_code,
    )


DEFAULT_SCREENING_FIELDS = {
    "device": ["pen"],
    "setting": ["clinic"],
    "numbing_agent": ["none"],
    "sterile_single_use_needles": ["on"],
}
DEFAULT_SCREENING = FormValues(DEFAULT_SCREENING_FIELDS)


def _age_on(born: dt.date, day: dt.date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def _remembered(patient: Any, latest: Any | None, today: dt.date) -> FormValues:
    """A new screening pre-filled from the patient's record: their age from the date of birth,
    and the skin type, conditions, medications (a stop counted on to today) and allergies of
    their latest screening, for the practitioner to review with them."""
    data: dict[str, list[str]] = {k: list(v) for k, v in DEFAULT_SCREENING_FIELDS.items()}
    if patient.date_of_birth:
        data["age"] = [str(_age_on(patient.date_of_birth, today))]
    if latest is None:
        return FormValues(data)
    before = latest.input.get("patient", {})
    since = max(0, (today - latest.created_at.date()).days)
    if before.get("fitzpatrick"):
        data["fitzpatrick"] = [before["fitzpatrick"]]
    for flag in ("pregnant", "breastfeeding"):
        if before.get(flag):
            data[flag] = ["on"]
    data["conditions"] = list(before.get("conditions", []))
    data["allergies"] = list(before.get("allergies", []))
    data["medications"] = []
    for use in before.get("medications", []):
        code = use if isinstance(use, str) else use.get("code", "")
        data["medications"].append(code)
        if isinstance(use, dict) and use.get("stopped_days_ago") is not None:
            data[f"stopped.{code}"] = [str(int(use["stopped_days_ago"]) + since)]
    return FormValues(data)


@router.get("/patients/{patient_id}/screenings/new", response_class=HTMLResponse)
def new_screening(
    request: Request, patient_id: int, actor: SessionActor, uow: UowDep, knowledge: KnowledgeDep
) -> Response:
    patient = patients.get_patient(uow, actor=actor, patient_id=patient_id)
    latest = patients.list_intakes(uow, actor=actor, patient_id=patient_id, limit=1).items
    values = _remembered(patient, latest[0] if latest else None, today_utc())
    return render(
        request,
        "screening_form.html",
        {
            **header_context(actor, uow),
            "patient": patient,
            "quiz": knowledge.clinic_forms().quiz,
            "values": values,
            "errors": {},
            "remembered": latest[0] if latest else None,
        },
    )


@router.post("/patients/{patient_id}/screenings", response_class=HTMLResponse)
async def create_screening(
    request: Request,
    patient_id: int,
    actor: SessionActor,
    uow: UowDep,
    knowledge: KnowledgeDep,
    _csrf: CsrfChecked,
) -> Response:
    values = await form_values(request)
    intake, problems = forms.intake_from_form(values, knowledge.clinic_forms())
    try:
        if problems:
            try:  # name every other wrong field too, in one go
                parse_intake(intake, knowledge)
            except InputError as error:
                problems += error.problems
            raise InputError(problems)
        saved = patients.screen_patient(
            uow, actor=actor, knowledge=knowledge, patient_id=patient_id, intake=intake
        )
    except InputError as error:
        patient = patients.get_patient(uow, actor=actor, patient_id=patient_id)
        errors = field_errors(error.problems, forms.INTAKE_FIELDS)
        return _screening_form(
            request, actor, uow, knowledge, patient, values, errors, status_code=422
        )
    return see_other(f"/patients/{patient_id}/screenings/{saved.id}")


@router.post("/screenings/quiz", response_class=HTMLResponse)
async def quiz_score(
    request: Request, actor: SessionActor, knowledge: KnowledgeDep, _csrf: CsrfChecked
) -> Response:
    """The quiz's running score and skin type (htmx, as the answers are picked)."""
    quiz = knowledge.clinic_forms()
    values = await form_values(request)
    result = quiz.score_quiz(forms.quiz_answers(values, quiz))
    return render(request, "_quiz_result.html", {"result": result})


@router.get("/patients/{patient_id}/screenings/{intake_id}", response_class=HTMLResponse)
def assessment_page(
    request: Request,
    patient_id: int,
    intake_id: int,
    actor: SessionActor,
    uow: UowDep,
    knowledge: KnowledgeDep,
) -> Response:
    view = views.screening(uow, actor=actor, patient_id=patient_id, intake_id=intake_id)
    patient, intake = view.patient, view.intake
    assessment = intake.assessment
    risks = assessment.get("risks", {})
    order = {"high": 0, "elevated": 1, "baseline": 2}
    raised = sorted(
        ((code, risk) for code, risk in risks.items() if risk.get("level") != "baseline"),
        key=lambda item: order.get(item[1].get("level"), 3),
    )
    baseline = [code for code, risk in risks.items() if risk.get("level") == "baseline"]
    # every source the page cites, numbered in the order it is first cited (a reference list
    # at the foot of the page, linked from each reason)
    cited: dict[str, int] = {}
    findings = [*assessment.get("contraindications", []), *assessment.get("precautions", [])]
    for ids in [why.get("sources", []) for _, r in raised for why in r.get("reasons", [])] + [
        f.get("sources", []) for f in findings
    ]:
        for source in ids:
            cited.setdefault(source, len(cited) + 1)
    return render(
        request,
        "assessment.html",
        {
            "actor": actor,
            "inbox_count": view.inbox_count,
            "patient": patient,
            "intake": intake,
            "a": assessment,
            "raised": raised,
            "baseline": baseline,
            "ref_numbers": cited,
            "references": [(source, knowledge.sources.get(source)) for source in cited],
            "in_words": lambda facts: facts_in_words(knowledge, facts),
        },
    )
