"""Patients: the list (with search), a new patient, and a patient's page with its timeline."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from needlesafe.deps import (
    CsrfChecked,
    KnowledgeDep,
    SessionActor,
    UowDep,
)
from needlesafe.errors import InputError
from needlesafe.services import patients, views
from needlesafe.web import forms
from needlesafe.web.changes import describe_change
from needlesafe.web.common import (
    Search,
    form_values,
    header_context,
    see_other,
)
from needlesafe.web.render import field_errors, render

router = APIRouter(include_in_schema=False)


@router.get("/patients", response_class=HTMLResponse)
def patients_page(request: Request, actor: SessionActor, uow: UowDep, q: Search = "") -> Response:
    page = patients.list_patients(uow, actor=actor, search=q, limit=100)
    context = {"patients": page.items, "total": page.total, "q": q}
    if request.headers.get("hx-request") == "true":
        return render(request, "_patient_rows.html", context)
    return render(request, "patients.html", {**header_context(actor, uow), **context})


@router.post("/patients", response_class=HTMLResponse)
async def create_patient(
    request: Request, actor: SessionActor, uow: UowDep, _csrf: CsrfChecked
) -> Response:
    values = await form_values(request)
    data, problems = forms.patient_from_form(values)
    if not problems:
        try:
            created = patients.create_patient(uow, actor=actor, patient=data)
            return see_other(f"/patients/{created.id}")
        except InputError as error:
            problems = error.problems
    page = patients.list_patients(uow, actor=actor, limit=100)
    return render(
        request,
        "patients.html",
        {
            **header_context(actor, uow),
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


def _timeline(view: views.PatientTimeline, knowledge: Any) -> list[TimelineEntry]:
    """The page's timeline, newest first, from the read model."""
    patient_id = view.patient.id
    entries: list[TimelineEntry] = []
    for intake in view.intakes:
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
    for treatment in view.treatments:
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
    for checkin in view.checkins:
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
    for event in view.adverse_events:
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
        for change in view.changes.get(event.id, ()):
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
    view = views.patient_timeline(uow, actor=actor, patient_id=patient_id)
    return render(
        request,
        "patient.html",
        {
            "actor": actor,
            "inbox_count": view.inbox_count,
            "patient": view.patient,
            "latest": view.latest,
            "timeline": _timeline(view, knowledge),
            "duplicates": view.duplicates,
        },
    )
