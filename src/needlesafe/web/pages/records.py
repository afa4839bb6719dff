"""The clinic's follow-up pages: an adverse event followed to the end (its course, an update
form, a close form), the list of open events by next follow-up, and the lot search (a recall's
first step) with its CSV export. Thin: every read and write goes through the services."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from needlesafe.deps import CsrfChecked, KnowledgeDep, SessionActor, UowDep
from needlesafe.errors import InputError, InputProblem
from needlesafe.services import adverse_events, lots, patients, treatments
from needlesafe.services.context import Actor
from needlesafe.services.errors import Conflict, NotFound
from needlesafe.store.uow import UnitOfWork
from needlesafe.web.changes import describe_change
from needlesafe.web.common import header_context, see_other
from needlesafe.web.render import FormValues, field_errors, render

router = APIRouter(include_in_schema=False)


def _today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


# ---------------------------------------------------------------- adverse events


def _int(values: FormValues, name: str, problems: list[InputProblem]) -> int | None:
    raw = values.get(name).strip()
    if not raw:
        return None
    if raw.isdigit():
        return int(raw)
    problems.append(InputProblem(name, "should be a whole number"))
    return None


def _date(values: FormValues, name: str, problems: list[InputProblem]) -> str | None:
    raw = values.get(name).strip()
    if not raw:
        return None
    try:
        return dt.date.fromisoformat(raw).isoformat()
    except ValueError:
        problems.append(InputProblem(name, "should be a date, like 2026-03-01"))
        return None


def _event_page(
    request: Request,
    actor: Actor,
    uow: UnitOfWork,
    knowledge: Any,
    patient_id: int,
    event_id: int,
    *,
    values: FormValues | None = None,
    errors: dict[str, str] | None = None,
    close_values: FormValues | None = None,
    close_errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    patient = patients.get_patient(uow, actor=actor, patient_id=patient_id)
    event = adverse_events.get_adverse_event(uow, actor=actor, event_id=event_id)
    if event.patient_id != patient_id:
        raise NotFound("no such adverse event for this patient")
    history = adverse_events.adverse_event_history(uow, actor=actor, event_id=event_id)
    course = [(c, describe_change(c.changes, knowledge)) for c in history]
    treatment = (
        treatments.get_treatment(uow, actor=actor, treatment_id=event.treatment_id)
        if event.treatment_id
        else None
    )
    defaults = FormValues(
        {
            "ctcae_grade": [str(event.ctcae_grade)],
            "outcome": [event.outcome],
            "follow_up_on": [event.follow_up_on.isoformat() if event.follow_up_on else ""],
            "actions": [event.actions],
            "icd10_code": [event.icd10_code or ""],
        }
        | ({"serious": ["on"]} if event.serious else {})
    )
    return render(
        request,
        "adverse_event.html",
        {
            **header_context(actor, uow),
            "patient": patient,
            "event": event,
            "complication": knowledge.complications.get(event.complication),
            "treatment": treatment,
            "course": course,
            "grades": knowledge.clinic_forms().ctcae.grades,
            "values": values or defaults,
            "errors": errors or {},
            "close_values": close_values
            or FormValues({"resolved_on": [_today().isoformat()], "outcome": ["recovered"]}),
            "close_errors": close_errors or {},
            "today": _today(),
        },
        status_code=status_code,
    )


@router.get("/patients/{patient_id}/adverse-events/{event_id}", response_class=HTMLResponse)
def adverse_event_page(
    request: Request,
    patient_id: int,
    event_id: int,
    actor: SessionActor,
    uow: UowDep,
    knowledge: KnowledgeDep,
) -> Response:
    return _event_page(request, actor, uow, knowledge, patient_id, event_id)


def _change_event(
    request: Request,
    actor: SessionActor,
    uow: UowDep,
    knowledge: KnowledgeDep,
    patient_id: int,
    event_id: int,
    *,
    values: FormValues,
    problems: list[InputProblem],
    form: str,
    change: Callable[[], object],
) -> Response:
    """Apply an update or a close of this patient's event; on bad input (422) or a conflict
    (409) the event page again, with what was typed and the errors beside that form."""
    try:
        if problems:
            raise InputError(problems)
        event = adverse_events.get_adverse_event(uow, actor=actor, event_id=event_id)
        if event.patient_id != patient_id:
            raise NotFound("no such adverse event for this patient")
        change()
    except InputError as error:
        errors, status = field_errors(error.problems, {}), 422
    except Conflict as error:
        errors, status = {"": error.message}, 409
    else:
        return see_other(f"/patients/{patient_id}/adverse-events/{event_id}?saved={form}")
    update = form == "update"
    return _event_page(
        request,
        actor,
        uow,
        knowledge,
        patient_id,
        event_id,
        values=values if update else None,
        errors=errors if update else None,
        close_values=None if update else values,
        close_errors=None if update else errors,
        status_code=status,
    )


@router.post("/patients/{patient_id}/adverse-events/{event_id}/update", response_class=HTMLResponse)
async def update_adverse_event(
    request: Request,
    patient_id: int,
    event_id: int,
    actor: SessionActor,
    uow: UowDep,
    knowledge: KnowledgeDep,
    _csrf: CsrfChecked,
) -> Response:
    values = FormValues.of(await request.form())
    problems: list[InputProblem] = []
    changes: dict[str, Any] = {
        "ctcae_grade": _int(values, "ctcae_grade", problems),
        "outcome": values.get("outcome") or None,
        "follow_up_on": _date(values, "follow_up_on", problems),
        "actions": values.get("actions"),
        "serious": values.has("serious"),
        "icd10_code": values.get("icd10_code").strip() or None,
    }
    if changes["ctcae_grade"] is None:
        del changes["ctcae_grade"]
    if changes["outcome"] is None:
        del changes["outcome"]
    return _change_event(
        request,
        actor,
        uow,
        knowledge,
        patient_id,
        event_id,
        values=values,
        problems=problems,
        form="update",
        change=lambda: adverse_events.update_adverse_event(
            uow, actor=actor, event_id=event_id, changes=changes
        ),
    )


@router.post("/patients/{patient_id}/adverse-events/{event_id}/close", response_class=HTMLResponse)
async def close_adverse_event(
    request: Request,
    patient_id: int,
    event_id: int,
    actor: SessionActor,
    uow: UowDep,
    knowledge: KnowledgeDep,
    _csrf: CsrfChecked,
) -> Response:
    values = FormValues.of(await request.form())
    problems: list[InputProblem] = []
    resolved = _date(values, "resolved_on", problems)
    if resolved is None and not problems:
        problems.append(InputProblem("resolved_on", "required: the day it resolved"))
    close = {"resolved_on": resolved, "outcome": values.get("outcome") or "unknown"}
    return _change_event(
        request,
        actor,
        uow,
        knowledge,
        patient_id,
        event_id,
        values=values,
        problems=problems,
        form="close",
        change=lambda: adverse_events.close_adverse_event(
            uow, actor=actor, event_id=event_id, close=close
        ),
    )


@router.get("/adverse-events", response_class=HTMLResponse)
def open_events_page(request: Request, actor: SessionActor, uow: UowDep) -> Response:
    """The open adverse events, the next follow-up first (overdue ones marked)."""
    page = adverse_events.list_adverse_events(uow, actor=actor, status="open", limit=200)
    names = {
        pid: patients.get_patient(uow, actor=actor, patient_id=pid).name
        for pid in {e.patient_id for e in page.items}
    }
    return render(
        request,
        "adverse_events.html",
        {
            **header_context(actor, uow),
            "events": page.items,
            "total": page.total,
            "names": names,
            "today": _today(),
        },
    )


# ---------------------------------------------------------------- lots

LotQuery = Annotated[str, Query(max_length=64)]


@router.get("/lots", response_class=HTMLResponse)
def lots_page(request: Request, actor: SessionActor, uow: UowDep, lot: LotQuery = "") -> Response:
    """Search a lot: every treatment of this clinic that used it, with the CSV export."""
    trace, error = None, None
    if lot.strip():
        try:
            trace = lots.trace_lot(uow, actor=actor, lot=lot)
        except InputError as problem:
            error = problem.problems[0].message
    return render(
        request,
        "lots.html",
        {**header_context(actor, uow), "lot": lot, "trace": trace, "error": error},
    )


@router.get("/lots/export.csv", response_class=Response)
def lots_csv(actor: SessionActor, uow: UowDep, lot: LotQuery = "") -> Response:
    trace = lots.trace_lot(uow, actor=actor, lot=lot)
    return Response(
        lots.trace_csv(trace),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": 'attachment; filename="lot-trace.csv"',
            "Cache-Control": "no-store",
        },
    )
