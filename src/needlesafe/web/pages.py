"""The clinic's pages: sign in, patients and their timeline, screening, treatments, the
check-in inbox, adverse events. Thin: every read and write goes through the services (which
scope to the clinic and write the audit log); the pages only turn forms into their inputs."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from needlesafe.api.deps import (
    CsrfChecked,
    KnowledgeDep,
    SessionActor,
    StateDep,
    UowDep,
    end_session,
    sign_in,
    start_session,
)
from needlesafe.engine.inputs import parse_intake
from needlesafe.errors import InputError, InputProblem
from needlesafe.knowledge.forms import clinic_forms_for
from needlesafe.services import (
    adverse_events,
    aftercare,
    checkins,
    clinics,
    patients,
    treatments,
)
from needlesafe.services.context import Actor
from needlesafe.services.errors import NotAuthenticated, NotFound, RateLimited, TreatmentBlocked
from needlesafe.services.schemas import TreatmentCheck, TreatmentConflict, time_zone_names
from needlesafe.store.uow import UnitOfWork
from needlesafe.web import forms
from needlesafe.web.changes import describe_change
from needlesafe.web.facts import facts_in_words
from needlesafe.web.render import FormValues, field_errors, qr_svg, render

router = APIRouter(include_in_schema=False)
Search = Annotated[str, Query(max_length=200)]


def _today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


def _safe_next(target: str | None) -> str:
    """Only a path on this site (never //host or a scheme): no open redirect."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/patients"


def _see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


async def _values(request: Request) -> FormValues:
    return FormValues.of(await request.form())


def _common(actor: Actor, uow: UnitOfWork) -> dict[str, Any]:
    """The header's counts: the inbox badge."""
    waiting = checkins.list_checkins(uow, actor=actor, needs_attention=True, limit=1).total
    return {"actor": actor, "inbox_count": waiting}


# ---------------------------------------------------------------- signing in and out


@router.get("/", response_class=HTMLResponse)
def home() -> RedirectResponse:
    return _see_other("/patients")


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, next: Annotated[str, Query(max_length=500)] = "") -> Response:
    return render(request, "login.html", {"next": _safe_next(next)})


@router.post("/login", response_class=HTMLResponse)
async def login(request: Request, state: StateDep, _csrf: CsrfChecked) -> Response:
    values = await _values(request)
    email, password = values.get("email").strip(), values.get("password")
    target = _safe_next(values.get("next"))
    try:
        # in a worker thread: hashing must not hold up every other request on the event loop
        token, _ = await run_in_threadpool(
            sign_in, state, request, email=email, password=password, kind="session"
        )
    except (NotAuthenticated, RateLimited) as error:
        message = error.message if isinstance(error, RateLimited) else "wrong email or password"
        return render(
            request,
            "login.html",
            {"next": target, "values": FormValues({"email": [email]}), "error": message},
            status_code=429 if isinstance(error, RateLimited) else 401,
        )
    response = _see_other(target)
    start_session(request, response, state.settings, token)
    return response


@router.post("/logout")
def logout(request: Request, state: StateDep, _csrf: CsrfChecked) -> Response:
    response = _see_other("/login")
    end_session(request, response, state)
    return response


# ---------------------------------------------------------------- patients


@router.get("/patients", response_class=HTMLResponse)
def patients_page(request: Request, actor: SessionActor, uow: UowDep, q: Search = "") -> Response:
    page = patients.list_patients(uow, actor=actor, search=q, limit=100)
    context = {"patients": page.items, "total": page.total, "q": q}
    if request.headers.get("hx-request") == "true":
        return render(request, "_patient_rows.html", context)
    return render(request, "patients.html", {**_common(actor, uow), **context})


@router.post("/patients", response_class=HTMLResponse)
async def create_patient(
    request: Request, actor: SessionActor, uow: UowDep, _csrf: CsrfChecked
) -> Response:
    values = await _values(request)
    data, problems = forms.patient_from_form(values)
    if not problems:
        try:
            created = patients.create_patient(uow, actor=actor, patient=data)
            return _see_other(f"/patients/{created.id}")
        except InputError as error:
            problems = error.problems
    page = patients.list_patients(uow, actor=actor, limit=100)
    return render(
        request,
        "patients.html",
        {
            **_common(actor, uow),
            "patients": page.items,
            "total": page.total,
            "q": "",
            "values": values,
            "errors": field_errors(problems, forms.PATIENT_FIELDS),
            "open_new": True,
        },
        status_code=422,
    )


@dataclass(frozen=True)
class TimelineEntry:
    at: dt.datetime
    kind: str  # screening | treatment | checkin | adverse_event
    title: str
    tag: str  # a decision or disposition code, for the badge
    detail: str
    href: str | None


def _timeline(uow: UnitOfWork, actor: Actor, patient_id: int, knowledge: Any) -> list[Any]:
    entries: list[TimelineEntry] = []
    for intake in patients.list_intakes(uow, actor=actor, patient_id=patient_id, limit=200).items:
        plan = intake.input.get("plan", {})
        entries.append(
            TimelineEntry(
                at=intake.created_at,
                kind="screening",
                title="Screening",
                tag=intake.decision,
                detail=", ".join(knowledge.label("areas", a) for a in plan.get("areas", []))
                + f" at {plan.get('needle_depth_mm')} mm",
                href=f"/patients/{patient_id}/screenings/{intake.id}",
            )
        )
    for treatment in treatments.list_treatments(
        uow, actor=actor, patient_id=patient_id, limit=200
    ).items:
        override = treatment.override
        entries.append(
            TimelineEntry(
                at=dt.datetime.combine(treatment.performed_on, dt.time(12), tzinfo=dt.UTC),
                kind="treatment",
                title="Treatment" + (" (recorded against the safety check)" if override else ""),
                tag="override" if override else "",
                detail=knowledge.label("devices", treatment.device)
                + ": "
                + ", ".join(
                    f"{knowledge.label('areas', a.area)} {a.depth_mm} mm" for a in treatment.areas
                )
                + (f". Reason: {override.reason}" if override else ""),
                href=f"/patients/{patient_id}/treatments/{treatment.id}",
            )
        )
    for checkin in checkins.list_checkins(uow, actor=actor, patient_id=patient_id, limit=200).items:
        said = checkin.input.get("message") or ", ".join(
            knowledge.label("symptoms", s.get("code", "")) if isinstance(s, dict) else str(s)
            for s in checkin.input.get("symptoms", [])
        )
        entries.append(
            TimelineEntry(
                at=checkin.created_at,
                kind="checkin",
                title="Check-in" + (" (handled)" if checkin.handled else ""),
                tag=checkin.disposition,
                detail=said,
                href=f"/inbox?show=all#checkin-{checkin.id}",
            )
        )
    for event in adverse_events.list_adverse_events(
        uow, actor=actor, patient_id=patient_id, limit=200
    ).items:
        complication = knowledge.complications.get(event.complication)
        name = complication.label if complication else event.complication
        href = f"/patients/{patient_id}/adverse-events/{event.id}"
        entries.append(
            TimelineEntry(
                at=dt.datetime.combine(event.onset_date, dt.time(12), tzinfo=dt.UTC),
                kind="adverse_event",
                title="Adverse event" + (" (closed)" if event.status == "closed" else " (open)"),
                tag="",
                detail=name
                + f", CTCAE grade {event.ctcae_grade}"
                + (f", {event.icd10_code}" if event.icd10_code else ""),
                href=href,
            )
        )
        # its course: each later change, as it happened
        for change in adverse_events.adverse_event_history(uow, actor=actor, event_id=event.id):
            if change.action == "open":
                continue
            entries.append(
                TimelineEntry(
                    at=change.at,
                    kind="adverse_event",
                    title="Adverse event " + ("closed" if change.action == "close" else "updated"),
                    tag="",
                    detail=f"{name}: " + "; ".join(describe_change(change.changes, knowledge)),
                    href=href,
                )
            )
    return sorted(entries, key=lambda e: e.at, reverse=True)


@router.get("/patients/{patient_id}", response_class=HTMLResponse)
def patient_page(
    request: Request, patient_id: int, actor: SessionActor, uow: UowDep, knowledge: KnowledgeDep
) -> Response:
    patient = patients.get_patient(uow, actor=actor, patient_id=patient_id)
    latest = patients.list_intakes(uow, actor=actor, patient_id=patient_id, limit=1).items
    return render(
        request,
        "patient.html",
        {
            **_common(actor, uow),
            "patient": patient,
            "latest": latest[0] if latest else None,
            "timeline": _timeline(uow, actor, patient_id, knowledge),
            "duplicates": patients.likely_duplicates(uow, actor=actor, patient_id=patient_id),
        },
    )


# ---------------------------------------------------------------- screening


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
            **_common(actor, uow),
            "patient": patient,
            "quiz": clinic_forms_for(knowledge).quiz,
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
    values = _remembered(patient, latest[0] if latest else None, _today())
    return render(
        request,
        "screening_form.html",
        {
            **_common(actor, uow),
            "patient": patient,
            "quiz": clinic_forms_for(knowledge).quiz,
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
    values = await _values(request)
    intake, problems = forms.intake_from_form(values, clinic_forms_for(knowledge))
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
    return _see_other(f"/patients/{patient_id}/screenings/{saved.id}")


@router.post("/screenings/quiz", response_class=HTMLResponse)
async def quiz_score(
    request: Request, actor: SessionActor, knowledge: KnowledgeDep, _csrf: CsrfChecked
) -> Response:
    """The quiz's running score and skin type (htmx, as the answers are picked)."""
    quiz = clinic_forms_for(knowledge)
    values = await _values(request)
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
    patient = patients.get_patient(uow, actor=actor, patient_id=patient_id)
    intake = patients.get_intake(uow, actor=actor, intake_id=intake_id)
    if intake.patient_id != patient_id:
        raise NotFound("no such screening for this patient")
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
            **_common(actor, uow),
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


# ---------------------------------------------------------------- treatments


def _treatment_defaults(intake: Any | None) -> FormValues:
    """The form pre-filled from the screened plan: a treatment is recorded from its screening."""
    today = _today().isoformat()
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


def _treatment_form(
    request: Request,
    actor: Actor,
    uow: UnitOfWork,
    patient: Any,
    intake: Any | None,
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
            **_common(actor, uow),
            "patient": patient,
            "intake": intake,
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
    patient = patients.get_patient(uow, actor=actor, patient_id=patient_id)
    intake = None
    if intake_id is not None:
        intake = patients.get_intake(uow, actor=actor, intake_id=intake_id)
        if intake.patient_id != patient_id:
            raise NotFound("no such screening for this patient")
    else:
        latest = patients.list_intakes(uow, actor=actor, patient_id=patient_id, limit=1).items
        intake = latest[0] if latest else None
    values = _treatment_defaults(intake)
    data, problems = forms.treatment_from_form(values)
    check = None if problems else _gate_check(
        uow, actor, knowledge, state.settings, patient_id, data
    )
    return _treatment_form(request, actor, uow, patient, intake, values, {}, check=check)


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
    values = await _values(request)
    data, problems = forms.treatment_from_form(values)
    check = None if problems else _gate_check(
        uow, actor, knowledge, state.settings, patient_id, data
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
    values = await _values(request)
    data, problems = forms.treatment_from_form(values)

    def again(errors: dict[str, str], status: int, check: TreatmentCheck | None = None,
              blocked: bool = False) -> Response:
        patient = patients.get_patient(uow, actor=actor, patient_id=patient_id)
        intake = None
        if data.get("intake_id"):
            try:
                intake = patients.get_intake(uow, actor=actor, intake_id=data["intake_id"])
            except NotFound:
                intake = None
        return _treatment_form(
            request, actor, uow, patient, intake, values, errors, status_code=status,
            check=check, blocked=blocked,
        )

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
    return _see_other(f"/patients/{patient_id}/treatments/{saved.id}")


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
    patient = patients.get_patient(uow, actor=actor, patient_id=patient_id)
    treatment = treatments.get_treatment(uow, actor=actor, treatment_id=treatment_id)
    if treatment.patient_id != patient_id:
        raise NotFound("no such treatment for this patient")
    settings = state.settings
    link = treatments.issue_checkin_link(
        uow,
        actor=actor,
        treatment_id=treatment_id,
        secret_key=settings.secret,
        base_url=settings.public_base_url,
        max_age=settings.checkin_link_max_age,
        only_if_active=True,
    )
    safety = treatments.treatment_safety(uow, actor=actor, treatment_id=treatment_id)
    plan, plan_problem = None, None
    try:
        plan = aftercare.treatment_aftercare(
            uow, actor=actor, knowledge=knowledge, treatment_id=treatment_id
        )
    except InputError as error:
        plan_problem = error.problems[0].message
    return render(
        request,
        "treatment.html",
        {
            **_common(actor, uow),
            "patient": patient,
            "treatment": treatment,
            "safety": safety,
            "link": link,
            "link_warning": settings.public_url_warning(),
            "qr": qr_svg(link.url, "QR code of the patient's check-in link") if link else None,
            "plan": plan,
            "plan_problem": plan_problem,
            "today": _today(),
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
    """Staff replace the patient's link with a new one, or stop it."""
    treatment = treatments.get_treatment(uow, actor=actor, treatment_id=treatment_id)
    if treatment.patient_id != patient_id:
        raise NotFound("no such treatment for this patient")
    if action == "revoke":
        treatments.revoke_checkin_link(uow, actor=actor, treatment_id=treatment_id)
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
        )
    return _see_other(f"/patients/{patient_id}/treatments/{treatment_id}#link-title")


# ---------------------------------------------------------------- the clinic's settings


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
            **_common(actor, uow),
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
    values = await _values(request)
    changes = {name: values.get(name).strip() or None for name in CLINIC_FIELDS if name in values}
    try:
        clinics.update_clinic(uow, actor=actor, changes=changes)
    except InputError as error:
        clinic = clinics.get_clinic(uow, actor=actor)
        return render(
            request,
            "clinic_settings.html",
            {
                **_common(actor, uow),
                "clinic": clinic,
                "values": values,
                "errors": field_errors(error.problems, {}),
                "time_zones": sorted(time_zone_names()),
            },
            status_code=422,
        )
    return _see_other("/settings/clinic?saved=true")


# ---------------------------------------------------------------- the check-in inbox


def _patient_names(uow: UnitOfWork, actor: Actor, ids: set[int]) -> dict[int, str]:
    return {pid: patients.get_patient(uow, actor=actor, patient_id=pid).name for pid in ids}


@router.get("/inbox", response_class=HTMLResponse)
def inbox_page(
    request: Request,
    actor: SessionActor,
    uow: UowDep,
    show: Annotated[str, Query(pattern="^(attention|all)$")] = "attention",
) -> Response:
    page = checkins.list_checkins(
        uow, actor=actor, needs_attention=True if show == "attention" else None, limit=100
    )
    names = _patient_names(uow, actor, {c.patient_id for c in page.items})
    return render(
        request,
        "inbox.html",
        {**_common(actor, uow), "checkins": page.items, "names": names, "show": show},
    )


@router.post("/inbox/{checkin_id}/handled", response_class=HTMLResponse)
async def mark_handled(
    request: Request, checkin_id: int, actor: SessionActor, uow: UowDep, _csrf: CsrfChecked
) -> Response:
    values = await _values(request)
    try:
        checkin = checkins.mark_handled(
            uow, actor=actor, checkin_id=checkin_id, note=values.get("note")
        )
    except InputError as error:
        checkin = checkins.get_checkin(uow, actor=actor, checkin_id=checkin_id)
        names = _patient_names(uow, actor, {checkin.patient_id})
        return render(
            request,
            "_checkin_card.html",
            {
                "c": checkin,
                "names": names,
                "values": values,
                "errors": field_errors(error.problems, {"note": "note"}),
            },
            status_code=422,
        )
    if request.headers.get("hx-request") == "true":
        names = _patient_names(uow, actor, {checkin.patient_id})
        return render(request, "_checkin_card.html", {"c": checkin, "names": names})
    return _see_other("/inbox")


# ---------------------------------------------------------------- adverse events


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
            **_common(actor, uow),
            "patient": patient,
            "treatments": done,
            "grades": clinic_forms_for(knowledge).ctcae.grades,
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
        {"onset_date": [_today().isoformat()], "outcome": ["unknown"]}
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
    values = await _values(request)
    data, problems = forms.adverse_event_from_form(values, patient_id)
    try:
        if problems:
            raise InputError(problems)
        adverse_events.record_adverse_event(uow, actor=actor, knowledge=knowledge, event=data)
    except InputError as error:
        patient = patients.get_patient(uow, actor=actor, patient_id=patient_id)
        errors = field_errors(error.problems, forms.ADVERSE_EVENT_FIELDS)
        return _event_form(request, actor, uow, knowledge, patient, values, errors, status_code=422)
    return _see_other(f"/patients/{patient_id}?{urlencode({'recorded': 'adverse_event'})}")


__all__ = ["router", "InputProblem"]
