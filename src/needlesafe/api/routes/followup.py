"""The follow-up loop over the API: photos with a check-in (the patient's link adds them,
staff list and fetch them and measure redness), what the clinic was told of a check-in, the
live alerts and missed check-ins, and the admin's view of the job queue and the outbox."""

from __future__ import annotations

import datetime as dt
import hmac
import logging
from dataclasses import asdict
from typing import Annotated, Any, Literal, cast
from xml.sax.saxutils import escape

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy import select

from needlesafe.api.deps import (
    AdminActor,
    CurrentActor,
    KnowledgeDep,
    PatientLink,
    SettingsDep,
    UowDep,
)
from needlesafe.api.routes.common import JSON_ERRORS
from needlesafe.deps import photo_limits, photo_store, read_uploads
from needlesafe.errors import InputError, InputProblem
from needlesafe.messaging import sms
from needlesafe.services import alerts, photos, reminders
from needlesafe.services.common import audit
from needlesafe.services.errors import NotAuthenticated
from needlesafe.settings import Settings
from needlesafe.store.followup import JOB_STATUSES, Job, Message

router = APIRouter(tags=["follow-up"], responses=JSON_ERRORS)
log = logging.getLogger("needlesafe.sms")


def too_large(error: photos.PhotoError) -> JSONResponse:
    return JSONResponse(
        status_code=413, content={"detail": [{"path": error.path, "message": error.message}]}
    )


class PhotoOut(BaseModel):
    id: int
    treatment_id: int
    checkin_id: int | None
    days_since_treatment: int
    created_at: dt.datetime
    width: int
    height: int
    url: str  # the image, for the clinic's staff only
    measurement: dict[str, Any] | None


class PhotoList(BaseModel):
    items: list[PhotoOut]


def _out(items: list[photos.PhotoPublic]) -> PhotoList:
    return PhotoList(items=[PhotoOut(**asdict(p)) for p in items])


@router.post(
    "/checkin/{token}/photos",
    response_model=PhotoList,
    status_code=201,
    tags=["patient check-in"],
    responses={413: {"description": "a photo (or the request) is too large"}},
)
async def add_checkin_photos(
    access: PatientLink,
    uow: UowDep,
    settings: SettingsDep,
    photos_: Annotated[list[UploadFile], File(alias="photos")],
    checkin_id: Annotated[int | None, Form(ge=1, le=2_147_483_647)] = None,
) -> PhotoList | JSONResponse:
    """Up to 3 photos (field `photos`: JPEG, PNG, HEIC or WebP) with the check-in `checkin_id`
    of this link's treatment. Each is re-encoded with no EXIF or GPS, kept outside the web
    root, and shown only to the clinic's staff."""
    limits = photo_limits(settings)
    data = await read_uploads(photos_, limits.max_bytes)
    try:
        saved = photos.add_patient_photos(
            uow,
            access=access,
            store=photo_store(settings),
            files=data,
            checkin_id=checkin_id,
            limits=limits,
        )
    except photos.PhotoError as error:
        if error.too_large:
            return too_large(error)
        raise
    return _out(saved)


class ClinicToldOut(BaseModel):
    status: Literal["sending", "sent", "failed", "not_alerted", "list_only"]
    text: str
    sent_at: dt.datetime | None


@router.get(
    "/checkin/{token}/checkins/{checkin_id}/clinic-told",
    response_model=ClinicToldOut,
    tags=["patient check-in"],
)
def clinic_told(
    access: PatientLink, checkin_id: int, uow: UowDep, knowledge: KnowledgeDep
) -> ClinicToldOut:
    """What the clinic has been told of this check-in, in the patient's words."""
    told = alerts.clinic_told(uow, access=access, checkin_id=checkin_id, knowledge=knowledge)
    return ClinicToldOut(status=told.status, text=told.text, sent_at=told.sent_at)


@router.get("/treatments/{treatment_id}/photos", response_model=PhotoList)
def list_treatment_photos(treatment_id: int, actor: CurrentActor, uow: UowDep) -> PhotoList:
    """The treatment's photos, oldest first, each with the URL of its image."""
    return _out(photos.list_photos(uow, actor=actor, treatment_id=treatment_id))


@router.get(
    "/photos/{photo_id}/image",
    response_class=Response,
    responses={200: {"content": {"image/jpeg": {}}}},
)
def photo_image(photo_id: int, actor: CurrentActor, uow: UowDep, settings: SettingsDep) -> Response:
    data, content_type = photos.photo_image(
        uow, actor=actor, store=photo_store(settings), photo_id=photo_id
    )
    return Response(data, media_type=content_type)  # the API answers no-store (middleware)


Box = Annotated[list[Annotated[int, Field(ge=0, le=100_000)]], Field(min_length=4, max_length=4)]


class MeasureIn(BaseModel):
    treated: Box  # x, y, width, height in pixels of the stored photo
    reference: Box  # untreated skin of the same photo
    card: bool = False  # correct the colours by the 24-patch colour card in the photo


@router.post("/photos/{photo_id}/measure", response_model=PhotoOut)
def measure_photo(
    photo_id: int, body: MeasureIn, actor: CurrentActor, uow: UowDep, settings: SettingsDep
) -> PhotoOut:
    """Redness (CIELAB a*) and pigment (ITA°) of the treated area against the reference."""
    saved = photos.measure_photo(
        uow,
        actor=actor,
        store=photo_store(settings),
        photo_id=photo_id,
        # four numbers each: the model's Box has checked the length
        treated=cast(photos.Box, tuple(body.treated)),
        reference=cast(photos.Box, tuple(body.reference)),
        use_card=body.card,
    )
    return PhotoOut(**asdict(saved))


class MarksIn(BaseModel):
    """The patient's two places on their photo: boxes in pixels, or (no pointer) which ninth
    of the photo, 1 top left to 9 bottom right. A box wins over a ninth."""

    treated: Box | None = None
    reference: Box | None = None
    treated_cell: Annotated[int, Field(ge=1, le=9)] | None = None
    reference_cell: Annotated[int, Field(ge=1, le=9)] | None = None


@router.post(
    "/checkin/{token}/photos/{photo_id}/marks",
    response_model=PhotoOut,
    tags=["patient check-in"],
)
def mark_checkin_photo(
    photo_id: int, body: MarksIn, access: PatientLink, uow: UowDep, settings: SettingsDep
) -> PhotoOut:
    """The patient marks treated and untreated skin on a photo they sent (of this link's
    treatment only); the answer holds the measurement: `delta_a_star` (redness) and
    `delta_ita` (pigment), treated minus untreated."""
    width, height = photos.photo_size(uow, access=access, photo_id=photo_id)
    treated, reference = photos.marked_boxes(
        width,
        height,
        treated=cast(photos.Box, tuple(body.treated)) if body.treated else None,
        reference=cast(photos.Box, tuple(body.reference)) if body.reference else None,
        treated_cell=body.treated_cell,
        reference_cell=body.reference_cell,
    )
    saved = photos.mark_patient_photo(
        uow,
        access=access,
        store=photo_store(settings),
        photo_id=photo_id,
        treated=treated,
        reference=reference,
    )
    return PhotoOut(**asdict(saved))


class RednessOut(BaseModel):
    points: list[dict[str, Any]]
    normal_until_day: int | None
    finding: str | None
    note: str


@router.get("/treatments/{treatment_id}/redness", response_model=RednessOut)
def redness(
    treatment_id: int, actor: CurrentActor, uow: UowDep, knowledge: KnowledgeDep
) -> RednessOut:
    """The measured redness across the treatment's check-ins, and a finding when it is not
    settling (for the clinic; it never changes a triage answer)."""
    trend = photos.redness_trend(uow, actor=actor, treatment_id=treatment_id, knowledge=knowledge)
    return RednessOut(
        points=[asdict(p) for p in trend.points],
        normal_until_day=trend.normal_until_day,
        finding=trend.finding,
        note=trend.note,
    )


@router.get("/alerts")
def live_alerts(actor: CurrentActor, uow: UowDep) -> dict[str, Any]:
    """Urgent and emergency check-ins not yet acknowledged, and missed check-ins to call."""
    inbox = alerts.live_inbox(uow, actor=actor)
    return {
        "alerts": [asdict(a) for a in inbox.alerts],
        "missed": [asdict(x) for x in inbox.missed],
        "newest_alert_id": inbox.newest_alert_id,
    }


@router.post("/alerts/{alert_id}/acknowledge", status_code=204)
def acknowledge_alert(alert_id: int, actor: CurrentActor, uow: UowDep) -> Response:
    alerts.acknowledge(uow, actor=actor, alert_id=alert_id)
    return Response(status_code=204)


@router.get("/jobs")
def list_jobs(
    actor: AdminActor,
    uow: UowDep,
    status: Annotated[list[Literal["pending", "running", "done", "failed"]], Query()] = [],  # noqa: B006
) -> dict[str, Any]:
    """The clinic's jobs (reminders, re-alerts, deliveries): pending, running, done, failed."""
    with uow:
        rows = uow.session.scalars(
            select(Job)
            .where(Job.clinic_id == actor.clinic_id, *([Job.status.in_(status)] if status else []))
            .order_by(Job.run_at.desc())
            .limit(200)
        ).all()
        audit(uow, actor, "list", "job")
        uow.commit()
        return {
            "statuses": list(JOB_STATUSES),
            "items": [
                {
                    "id": j.id,
                    "kind": j.kind,
                    "status": j.status,
                    "run_at": j.run_at,
                    "attempts": j.attempts,
                    "outcome": j.outcome,
                    "last_error": j.last_error,
                    "finished_at": j.finished_at,
                }
                for j in rows
            ],
        }


@router.get("/messages")
def list_messages(actor: AdminActor, uow: UowDep) -> dict[str, Any]:
    """Every message: when, channel, to whom, outcome; the text only of those in the outbox
    (nothing configured to send them), for staff to pass on."""
    with uow:
        rows = uow.session.scalars(
            select(Message)
            .where(Message.clinic_id == actor.clinic_id)
            .order_by(Message.id.desc())
            .limit(200)
        ).all()
        audit(uow, actor, "list", "message")
        uow.commit()
        return {
            "items": [
                {
                    "id": x.id,
                    "kind": x.kind,
                    "channel": x.channel,
                    "to": x.to_address,
                    "status": x.status,
                    "created_at": x.created_at,
                    "sent_at": x.sent_at,
                    "error": x.error,
                    "subject": x.subject if x.status == "outbox" else "",
                    "body": x.body if x.status == "outbox" else "",
                }
                for x in rows
            ]
        }


# ---------------------------------------------------------------- SMS replies


def _webhook_believed(request: Request, settings: Settings, form: dict[str, str]) -> bool:
    """The provider's signature over the URL it called (as the public base URL says, not as
    a proxy rewrote it) and the form, keyed by the account token; or the shared secret."""
    signature = request.headers.get("x-twilio-signature")
    token = settings.sms_token.get_secret_value() if settings.sms_token else ""
    if signature and token:
        url = settings.public_base_url.rstrip("/") + request.url.path
        if request.url.query:
            url += "?" + request.url.query
        return sms.signature_valid(token, url, form, signature)
    secret = settings.sms_webhook_secret.get_secret_value() if settings.sms_webhook_secret else ""
    given = request.headers.get("authorization", "")
    return bool(secret) and hmac.compare_digest(given.encode(), f"Bearer {secret}".encode())


@router.post(
    "/sms/inbound",
    tags=["sms"],
    response_class=Response,
    responses={200: {"content": {"application/xml": {}}}, 401: {"description": "not signed"}},
)
async def sms_inbound(
    request: Request, uow: UowDep, settings: SettingsDep, knowledge: KnowledgeDep
) -> Response:
    """The SMS provider's inbound webhook (form fields `From` and `Body`, as the Messages API
    posts them): STOP and its variants stop that number's reminders, START turns them on,
    HELP says what the texts are. Believed only with the provider's `X-Twilio-Signature` or
    `Authorization: Bearer <NEEDLESAFE_SMS_WEBHOOK_SECRET>`; the answer is TwiML."""
    raw = await request.form()
    form = {k: v for k, v in raw.items() if isinstance(v, str)}
    if not _webhook_believed(request, settings, form):
        log.warning("sms inbound: a request without a valid signature was refused")
        raise NotAuthenticated("this webhook needs the SMS provider's signature")
    problems = [
        InputProblem(name, f"at most {limit} characters")
        for name, limit in (("From", 40), ("Body", 1600))
        if len(form.get(name, "")) > limit
    ]
    if not form.get("From"):
        problems.append(InputProblem("From", "the sender's number is missing"))
    if problems:
        raise InputError(problems)
    answer = reminders.sms_reply(
        uow,
        from_number=form["From"],
        body=form.get("Body", ""),
        knowledge=knowledge,
        provider="sms_provider",
        emergency_number=settings.emergency_number,
    )
    log.info("sms inbound: %s, %d patient(s)", answer.keyword or "other", answer.patients)
    reply = f"<Message>{escape(answer.reply)}</Message>" if answer.reply else ""
    return Response(
        f'<?xml version="1.0" encoding="UTF-8"?><Response>{reply}</Response>',
        media_type="application/xml",
    )
