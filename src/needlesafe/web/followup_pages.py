"""The follow-up loop's pages: on the patient's side, photos with a check-in, what the clinic
was told of it, and stopping reminders; on the clinic's side, the live part of the inbox
(alerts with a sound, missed check-ins to call), photos side by side on the treatment page
and the inbox, redness measured by marking two areas, and the admin's outbox.

Each piece is a partial of its own, loaded by htmx from one line in the page it belongs to,
so the pages it sits in stay as they are."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select

from needlesafe.deps import (
    CsrfChecked,
    KnowledgeDep,
    SessionActor,
    SettingsDep,
    StateDep,
    UowDep,
    photo_limits,
    photo_store,
    read_uploads,
)
from needlesafe.errors import InputError
from needlesafe.services import alerts, photos, reminders
from needlesafe.services.common import audit
from needlesafe.services.errors import NotFound
from needlesafe.store.followup import Job, Message
from needlesafe.web.common import header_context
from needlesafe.web.patient_link import BadLink as _BadLink
from needlesafe.web.patient_link import bad_link_page as _bad_link
from needlesafe.web.patient_link import link_base as _base
from needlesafe.web.patient_link import open_link as _access
from needlesafe.web.render import render

router = APIRouter(include_in_schema=False)
TOLD_POLL = "load delay:2s"  # while the alert email is on its way


# ---------------------------------------------------------------- the patient's side


@router.post("/checkin/{token}/photos", response_class=HTMLResponse)
async def add_photos(
    request: Request,
    token: str,
    state: StateDep,
    uow: UowDep,
    settings: SettingsDep,
    _csrf: CsrfChecked,
    photos_: Annotated[list[UploadFile] | None, Form(alias="photos")] = None,
    checkin_id: Annotated[int | None, Form(ge=1, le=2_147_483_647)] = None,
) -> Response:
    try:
        access = _access(state, uow, token)
    except _BadLink as error:
        return _bad_link(request, error)
    limits = photo_limits(settings)
    files = [f for f in (photos_ or []) if f.filename]
    data = await read_uploads(files, limits.max_bytes)
    context: dict[str, Any] = {**_base(uow, access, token), "checkin_id": checkin_id}
    status = 201
    try:
        saved = photos.add_patient_photos(
            uow,
            access=access,
            store=photo_store(settings),
            files=data,
            checkin_id=checkin_id,
            limits=limits,
        )
        context["photos_saved"] = len(saved)
        context["saved"] = saved  # for the patient to mark on each
        context["places"] = photos.GRID_PLACES
        context["chosen"] = {"treated": None, "reference": None}
        context["mark_errors"] = {}
    except photos.PhotoError as error:
        context["photo_error"] = error.message
        status = 413 if error.too_large else 422
    except NotFound:
        return _bad_link(request, _BadLink("this check-in is not yours to change", 404))
    htmx = request.headers.get("hx-request") == "true"
    template = "patient/_photos.html" if htmx else "patient/photos_sent.html"
    return render(request, template, {**context, "page": "checkin"}, status_code=status)


@router.get("/checkin/{token}/photos/{photo_id}/image")
def patient_photo_image(
    token: str, photo_id: int, state: StateDep, uow: UowDep, settings: SettingsDep
) -> Response:
    """A photo the patient sent, shown back to them to mark (their own treatment's only)."""
    try:
        access = _access(state, uow, token)
        data, content_type, _, _ = photos.patient_photo(
            uow, access=access, store=photo_store(settings), photo_id=photo_id
        )
    except (_BadLink, NotFound):
        return Response(status_code=404)
    return Response(data, media_type=content_type, headers={"Cache-Control": "private, no-store"})


def _cell(value: str) -> int | None:
    return int(value) if value.isdigit() and 1 <= int(value) <= photos.GRID**2 else None


def _tapped(value: str) -> tuple[int, int, int, int] | None:
    """A box the page's script made from a tap; anything else is no box (the ninth counts)."""
    try:
        x, y, w, h = (int(p) for p in value.split(","))
    except ValueError:
        return None
    return (x, y, w, h) if min(x, y) >= 0 and min(w, h) >= 1 else None


@router.post("/checkin/{token}/photos/{photo_id}/marks", response_class=HTMLResponse)
def mark_photo(
    request: Request,
    token: str,
    photo_id: int,
    state: StateDep,
    uow: UowDep,
    settings: SettingsDep,
    _csrf: CsrfChecked,
    treated_box: Annotated[str, Form(max_length=60)] = "",
    reference_box: Annotated[str, Form(max_length=60)] = "",
    treated_cell: Annotated[str, Form(max_length=2)] = "",
    reference_cell: Annotated[str, Form(max_length=2)] = "",
) -> Response:
    """The patient's two places on their photo: tapped (a box each, from the script) or
    chosen from the nine places (no script, a keyboard, a screen reader)."""
    try:
        access = _access(state, uow, token)
        width, height = photos.photo_size(uow, access=access, photo_id=photo_id)
    except _BadLink as error:
        return _bad_link(request, error)
    except NotFound:
        return _bad_link(request, _BadLink("this photo is not yours to mark", 404))
    context: dict[str, Any] = {
        **_base(uow, access, token),
        "p": {"id": photo_id, "width": width, "height": height},
        "places": photos.GRID_PLACES,
        "chosen": {"treated": _cell(treated_cell), "reference": _cell(reference_cell)},
        "mark_errors": {},
    }
    status = 200
    try:
        treated, reference = photos.marked_boxes(
            width,
            height,
            treated=_tapped(treated_box),
            reference=_tapped(reference_box),
            treated_cell=_cell(treated_cell),
            reference_cell=_cell(reference_cell),
        )
        photos.mark_patient_photo(
            uow,
            access=access,
            store=photo_store(settings),
            photo_id=photo_id,
            treated=treated,
            reference=reference,
        )
        context["marked"] = True
    except InputError as error:
        context["mark_errors"] = {p.path: p.message for p in error.problems}
        status = 422
    except NotFound:
        return _bad_link(request, _BadLink("this photo is not yours to mark", 404))
    htmx = request.headers.get("hx-request") == "true"
    template = "patient/_mark_photo.html" if htmx else "patient/photo_marked.html"
    return render(request, template, {**context, "page": "checkin"}, status_code=status)


@router.get("/checkin/{token}/{checkin_id}/clinic-told", response_class=HTMLResponse)
def clinic_told(
    request: Request,
    token: str,
    checkin_id: int,
    state: StateDep,
    uow: UowDep,
    knowledge: KnowledgeDep,
) -> Response:
    """What the clinic has been told of this check-in, asked again while the alert is on its
    way (the patient's answer shows it)."""
    try:
        access = _access(state, uow, token)
        told = alerts.clinic_told(uow, access=access, checkin_id=checkin_id, knowledge=knowledge)
    except _BadLink as error:
        return _bad_link(request, error)
    except NotFound:
        return Response(status_code=404)
    return render(
        request,
        "patient/_clinic_told.html",
        {
            "told": told,
            "checkin_id": checkin_id,
            "base": f"/checkin/{token}",
            "poll": TOLD_POLL if told.status == "sending" else None,
        },
    )


@router.get("/checkin/{token}/reminders", response_class=HTMLResponse)
def reminders_page(
    request: Request, token: str, state: StateDep, uow: UowDep, knowledge: KnowledgeDep
) -> Response:
    """The opt-out page the link in every message opens: a question and a button (a link
    scanner that opens the page stops nothing)."""
    try:
        access = _access(state, uow, token)
    except _BadLink as error:
        return _bad_link(request, error)
    stopped = reminders.reminders_stopped(uow, access=access)
    base = _base(uow, access, token)
    texts = reminders.texts_for(knowledge, clinic=base["view"].clinic_name)  # type: ignore[attr-defined]  # a view model in a dict
    return render(request, "patient/reminders.html", {**base, "stopped": stopped, "texts": texts})


@router.post("/checkin/{token}/reminders", response_class=HTMLResponse)
def stop_reminders(
    request: Request,
    token: str,
    state: StateDep,
    uow: UowDep,
    knowledge: KnowledgeDep,
    _csrf: CsrfChecked,
) -> Response:
    try:
        access = _access(state, uow, token)
    except _BadLink as error:
        return _bad_link(request, error)
    reminders.stop_reminders(uow, access=access)
    base = _base(uow, access, token)
    texts = reminders.texts_for(knowledge, clinic=base["view"].clinic_name)  # type: ignore[attr-defined]  # a view model in a dict
    return render(request, "patient/reminders.html", {**base, "stopped": True, "texts": texts})


# ---------------------------------------------------------------- the clinic's live inbox


def _live(request: Request, actor: Any, uow: Any) -> Response:
    return render(
        request,
        "_live_inbox.html",
        {"live": alerts.live_inbox(uow, actor=actor), "actor": actor, "loaded": True},
    )


@router.get("/inbox/live", response_class=HTMLResponse)
def live_inbox(request: Request, actor: SessionActor, uow: UowDep) -> Response:
    """Polled by the inbox page every few seconds: alerts not yet acknowledged, missed
    check-ins not yet called. The page plays a sound when a new alert appears."""
    return _live(request, actor, uow)


@router.post("/alerts/{alert_id}/acknowledge", response_class=HTMLResponse)
def acknowledge(
    request: Request, alert_id: int, actor: SessionActor, uow: UowDep, _csrf: CsrfChecked
) -> Response:
    alerts.acknowledge(uow, actor=actor, alert_id=alert_id)
    return _live(request, actor, uow)


@router.post("/missed/{missed_id}/called", response_class=HTMLResponse)
def missed_called(
    request: Request, missed_id: int, actor: SessionActor, uow: UowDep, _csrf: CsrfChecked
) -> Response:
    reminders.mark_missed_called(uow, actor=actor, missed_id=missed_id)
    return _live(request, actor, uow)


# ---------------------------------------------------------------- photos for the clinic


@router.get("/photos/{photo_id}/image")
def photo_image(photo_id: int, actor: SessionActor, uow: UowDep, settings: SettingsDep) -> Response:
    data, content_type = photos.photo_image(
        uow, actor=actor, store=photo_store(settings), photo_id=photo_id
    )
    return Response(data, media_type=content_type, headers={"Cache-Control": "private, no-store"})


@dataclass(frozen=True)
class Plot:
    """The redness trend as an SVG line: Δa* by day, with the threshold and the day normal
    redness should be over."""

    width: int
    height: int
    points: str  # "x,y x,y ..."
    dots: list[tuple[float, float, str]]  # x, y, label
    threshold_y: float | None
    normal_x: float | None
    y_max: float
    last_day: int


def _plot(trend: photos.RednessTrend, threshold: float | None) -> Plot | None:
    if not trend.points:
        return None
    width, height, pad = 320, 140, 24
    last_day = max([p.day for p in trend.points] + [trend.normal_until_day or 0, 7])
    y_max = max([p.delta_a_star for p in trend.points] + [threshold or 0, 5.0]) * 1.15
    y_min = min([p.delta_a_star for p in trend.points] + [0.0])

    def x(day: float) -> float:
        return round(pad + (width - 2 * pad) * day / last_day, 1)

    def y(value: float) -> float:
        return round(height - pad - (height - 2 * pad) * (value - y_min) / (y_max - y_min), 1)

    dots = [
        (x(p.day), y(p.delta_a_star), f"day {p.day}: {p.delta_a_star:+.1f}") for p in trend.points
    ]
    return Plot(
        width=width,
        height=height,
        points=" ".join(f"{a},{b}" for a, b, _ in dots),
        dots=dots,
        threshold_y=y(threshold) if threshold is not None else None,
        normal_x=x(trend.normal_until_day) if trend.normal_until_day is not None else None,
        y_max=y_max,
        last_day=last_day,
    )


def _panel(
    request: Request,
    actor: Any,
    uow: Any,
    knowledge: Any,
    treatment_id: int,
    *,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    items = photos.list_photos(uow, actor=actor, treatment_id=treatment_id)
    trend = photos.redness_trend(uow, actor=actor, treatment_id=treatment_id, knowledge=knowledge)
    rules = knowledge.aftercare.photo_redness if knowledge.aftercare else None
    return render(
        request,
        "_treatment_photos_panel.html",
        {
            "photos": items,
            "trend": trend,
            "plot": _plot(trend, rules.min_delta_a if rules else None),
            "treatment_id": treatment_id,
            "errors": errors or {},
        },
        status_code=status_code,
    )


@router.get("/treatments/{treatment_id}/photos-panel", response_class=HTMLResponse)
def treatment_photos(
    request: Request, treatment_id: int, actor: SessionActor, uow: UowDep, knowledge: KnowledgeDep
) -> Response:
    """The treatment's photos side by side by day, their measured redness and its trend."""
    return _panel(request, actor, uow, knowledge, treatment_id)


def _box(value: str) -> tuple[int, int, int, int]:
    try:
        x, y, w, h = (int(float(p)) for p in value.split(","))
    except ValueError:
        raise ValueError("mark the area: tap the photo, or type X,Y,W,H") from None
    return x, y, w, h


@router.post("/photos/{photo_id}/measure", response_class=HTMLResponse)
def measure(
    request: Request,
    photo_id: int,
    actor: SessionActor,
    uow: UowDep,
    settings: SettingsDep,
    knowledge: KnowledgeDep,
    _csrf: CsrfChecked,
    treatment_id: Annotated[int, Form()],
    treated: Annotated[str, Form(max_length=60)] = "",
    reference: Annotated[str, Form(max_length=60)] = "",
    card: Annotated[bool, Form()] = False,
) -> Response:
    """Measure the marked areas of a photo and show the panel again."""
    errors: dict[str, str] = {}
    boxes = {}
    for name, value in (("treated", treated), ("reference", reference)):
        try:
            boxes[name] = _box(value)
        except ValueError as error:
            errors[f"{photo_id}.{name}"] = str(error)
    if not errors:
        try:
            photos.measure_photo(
                uow,
                actor=actor,
                store=photo_store(settings),
                photo_id=photo_id,
                treated=boxes["treated"],
                reference=boxes["reference"],
                use_card=card,
            )
        except InputError as error:
            errors = {f"{photo_id}.{p.path}": p.message for p in error.problems}
    return _panel(
        request,
        actor,
        uow,
        knowledge,
        treatment_id,
        errors=errors,
        status_code=422 if errors else 200,
    )


MAX_IDS_TEXT = 2000  # "1,2,3,...": an inbox page's cards, with room to spare


@router.get("/inbox/photo-strips", response_class=HTMLResponse)
def checkin_photo_strips(
    request: Request,
    actor: SessionActor,
    uow: UowDep,
    ids: Annotated[str, Query(max_length=MAX_IDS_TEXT, pattern=r"^[0-9]{1,10}(,[0-9]{1,10})*$")],
) -> Response:
    """The photo strips of every card on an inbox page in one request (followup.js asks once
    for all the cards it finds): each check-in's photos beside its treatment's earlier ones.
    A check-in of another clinic, or with no photos, is simply not in the answer."""
    strips = photos.checkin_strips(uow, actor=actor, checkin_ids=[int(i) for i in ids.split(",")])
    return render(request, "_checkin_photos_strips.html", {"strips": strips})


@router.get("/checkins/{checkin_id}/photos-strip", response_class=HTMLResponse)
def checkin_photos(request: Request, checkin_id: int, actor: SessionActor, uow: UowDep) -> Response:
    """One check-in's photo strip (the batch above, for one card)."""
    strip = photos.checkin_strips(uow, actor=actor, checkin_ids=[checkin_id]).get(checkin_id)
    return render(
        request,
        "_checkin_photos_strip.html",
        {"mine": strip.mine if strip else [], "earlier": strip.earlier if strip else []},
    )


# ---------------------------------------------------------------- the admin's outbox


@router.get("/outbox", response_class=HTMLResponse)
def outbox(request: Request, actor: SessionActor, uow: UowDep) -> Response:
    """Jobs (pending, running, done, failed) and messages; the text of those kept in the
    outbox because nothing is configured to send them."""
    actor.require_admin()
    with uow:
        jobs = uow.session.scalars(
            select(Job)
            .where(Job.clinic_id == actor.clinic_id)
            .order_by(Job.run_at.desc())
            .limit(100)
        ).all()
        messages = uow.session.scalars(
            select(Message)
            .where(Message.clinic_id == actor.clinic_id)
            .order_by(Message.id.desc())
            .limit(100)
        ).all()
        counts: dict[str, int] = {}
        for job in jobs:
            counts[job.status] = counts.get(job.status, 0) + 1
        audit(uow, actor, "list", "message")
        uow.commit()
    return render(
        request,
        "outbox.html",
        {
            **header_context(actor, uow),
            "jobs": jobs,
            "messages": messages,
            "counts": counts,
            "now": dt.datetime.now(dt.UTC),
        },
    )
