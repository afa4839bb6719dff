"""The patient's pages, through the signed link of one treatment: no account, phone first.

`/checkin/{token}`: how is it going (a checklist in plain words, severity and trend, a
temperature, their own words), answered at once; `/checkin/{token}/aftercare`: the plan for
today and the days ahead, with a calendar file; `/checkin/{token}/warning-signs`: the red
flags, linked from every page. A link that is not valid or has expired gets a page that says
so in plain words (never a bare error).
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from needlesafe.deps import CsrfChecked, KnowledgeDep, UowDep
from needlesafe.errors import (
    CONTROL_CHARACTERS,
    REFUSED_INPUT,
    InputError,
    InputProblem,
    answers_refused_input,
)
from needlesafe.knowledge.schema import Term
from needlesafe.knowledge.triage_schema import SymptomGroup, TriageKnowledge
from needlesafe.services import aftercare, checkins
from needlesafe.services.context import LinkAccess
from needlesafe.services.errors import NotFound
from needlesafe.store.uow import UnitOfWork
from needlesafe.web import forms
from needlesafe.web.patient_link import BadLink, PatientPageLink, bad_link_page, link_base
from needlesafe.web.render import FormValues, field_errors, render

router = APIRouter(prefix="/checkin/{token}", include_in_schema=False)


def _plan(uow: UnitOfWork, access: LinkAccess, knowledge: KnowledgeDep) -> object | None:
    try:
        return aftercare.patient_aftercare(uow, access=access, knowledge=knowledge)
    except InputError:
        return None  # a treatment recorded without a screening has no plan


def _triage(knowledge: KnowledgeDep) -> TriageKnowledge:
    if knowledge.triage is None:
        raise RuntimeError("this knowledge base has no triage part (symptoms.yaml and friends)")
    return knowledge.triage


def _symptom_groups(knowledge: KnowledgeDep) -> list[tuple[SymptomGroup, list[Term]]]:
    """The check-in list's headings and the symptoms under each (symptoms.yaml `groups` and
    each symptom's `group`), in the knowledge base's order: the warning signs first."""
    triage = _triage(knowledge)
    return [
        (
            group,
            [s for s in knowledge.vocab.symptoms if triage.symptoms[s.code].group == group.code],
        )
        for group in triage.groups
    ]


def _checkin_page(
    request: Request,
    uow: UnitOfWork,
    access: LinkAccess,
    token: str,
    knowledge: KnowledgeDep,
    *,
    values: FormValues | None = None,
    errors: dict[str, str] | None = None,
    result: object | None = None,
    checkin_id: int | None = None,
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "patient/checkin.html",
        {
            **link_base(uow, access, token),
            "symptoms": knowledge.vocab.symptoms,
            "symptom_groups": _symptom_groups(knowledge),
            "severities": knowledge.vocab.severities,
            "trends": knowledge.vocab.trends,
            "values": values or FormValues(),
            "errors": errors or {},
            "result": result,
            "checkin_id": checkin_id,
            "page": "checkin",
        },
        status_code=status_code,
    )


@router.get("", response_class=HTMLResponse)
def checkin_page(
    request: Request, token: str, uow: UowDep, knowledge: KnowledgeDep, access: PatientPageLink
) -> Response:
    try:
        return _checkin_page(request, uow, access, token, knowledge)
    except NotFound:
        return bad_link_page(request, BadLink("this check-in link is not valid", 404))


# A character the server refuses (NUL and other control characters: api/hostile.py), said by
# the field in the patient's own words; what they typed comes back without it.
_REFUSED_FIELDS = {"message": "Your message", "temperature": "The temperature"}
_REFUSED = "{} has a hidden character we cannot read. Please type it again."


def _refused(request: Request, values: FormValues) -> tuple[list[InputProblem], FormValues]:
    refused: list[InputProblem] = getattr(request.state, REFUSED_INPUT, [])
    if not refused:
        return [], values
    problems = [
        InputProblem(p.path, _REFUSED.format(_REFUSED_FIELDS.get(p.path, "Something you sent")))
        for p in refused
    ]
    kept = {n: [CONTROL_CHARACTERS.sub("", v) for v in values.all(n)] for n in values.names()}
    return problems, FormValues(kept)


@router.post("", response_class=HTMLResponse)
@answers_refused_input
async def check_in(
    request: Request,
    token: str,
    uow: UowDep,
    knowledge: KnowledgeDep,
    _csrf: CsrfChecked,
    access: PatientPageLink,
) -> Response:
    refused, values = _refused(request, FormValues.of(await request.form()))
    data, problems = forms.checkin_from_form(values, _triage(knowledge).reader.temperature)
    problems = refused + problems
    htmx = request.headers.get("hx-request") == "true"
    try:
        if problems:
            raise InputError(problems)
        checkin_id, result = checkins.take_patient_checkin(
            uow, access=access, knowledge=knowledge, data=data
        )
    except InputError as error:
        errors = field_errors(error.problems, forms.CHECKIN_FIELDS)
        return _checkin_page(
            request,
            uow,
            access,
            token,
            knowledge,
            values=values,
            errors=errors,
            status_code=422,
        )
    if htmx:
        # the answer replaces the form, and the page scrolls to it
        return render(
            request,
            "patient/_answer.html",
            {
                **link_base(uow, access, token),
                "result": result,
                "checkin_id": checkin_id,
                "symptom_groups": _symptom_groups(knowledge),
            },
            headers={"HX-Retarget": "#checkin-main", "HX-Reswap": "innerHTML show:window:top"},
        )
    return _checkin_page(
        request, uow, access, token, knowledge, result=result, checkin_id=checkin_id
    )


@router.post("/{checkin_id}/correct", response_class=HTMLResponse)
async def correct_check_in(
    request: Request,
    token: str,
    checkin_id: int,
    uow: UowDep,
    knowledge: KnowledgeDep,
    _csrf: CsrfChecked,
    access: PatientPageLink,
) -> Response:
    """The patient ticks what the reading of their words missed; the answer is given again."""
    values = FormValues.of(await request.form())
    try:
        result = checkins.correct_patient_checkin(
            uow,
            access=access,
            knowledge=knowledge,
            checkin_id=checkin_id,
            symptoms=values.all("symptoms"),
        )
    except NotFound:
        return bad_link_page(request, BadLink("this check-in is not yours to change", 404))
    context = {
        **link_base(uow, access, token),
        "result": result,
        "checkin_id": checkin_id,
        "symptom_groups": _symptom_groups(knowledge),
        "corrected": True,
    }
    if request.headers.get("hx-request") == "true":
        return render(
            request,
            "patient/_answer.html",
            context,
            headers={"HX-Retarget": "#checkin-main", "HX-Reswap": "innerHTML show:window:top"},
        )
    return render(request, "patient/checkin.html", {**context, "page": "checkin"})


@router.get("/aftercare", response_class=HTMLResponse)
def aftercare_page(
    request: Request, token: str, uow: UowDep, knowledge: KnowledgeDep, access: PatientPageLink
) -> Response:
    base = link_base(uow, access, token)
    plan = _plan(uow, access, knowledge)
    today_index = int(base["view"].days_since_treatment)  # type: ignore[attr-defined]  # a view model in a dict
    return render(
        request,
        "patient/aftercare.html",
        {**base, "plan": plan, "today_index": today_index, "page": "aftercare"},
    )


@router.get("/aftercare.ics")
def aftercare_calendar(
    request: Request, token: str, uow: UowDep, knowledge: KnowledgeDep, access: PatientPageLink
) -> Response:
    try:
        ics = aftercare.patient_calendar(uow, access=access, knowledge=knowledge)
    except InputError:
        return bad_link_page(request, BadLink("there is no aftercare plan for this treatment", 404))
    return Response(
        ics,
        media_type="text/calendar",
        headers={
            "Content-Disposition": 'attachment; filename="aftercare.ics"',
            "Cache-Control": "no-store",
        },
    )


@router.get("/warning-signs", response_class=HTMLResponse)
def warning_signs(
    request: Request, token: str, uow: UowDep, knowledge: KnowledgeDep, access: PatientPageLink
) -> Response:
    base = link_base(uow, access, token)
    plan = _plan(uow, access, knowledge)
    return render(
        request,
        "patient/warning_signs.html",
        {**base, "plan": plan, "page": "warning-signs"},
    )
