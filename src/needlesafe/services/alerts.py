"""The clinic alerted at once: an urgent or emergency check-in is emailed to the clinic's alert
address and shown live in the inbox; an alert nobody acknowledges within the clinic's re-alert
delay is sent again to its second address. The patient is told exactly what was done.

The alert, its email and its re-alert are written in the check-in's own transaction, so an
acknowledged check-in always has them; the worker sends them within seconds. The email names
no patient and no symptom (email is not a private channel): it says how urgent, when, and
links to the check-in in the inbox.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select

from needlesafe.knowledge.base import Knowledge
from needlesafe.services import reminders
from needlesafe.services.common import audit
from needlesafe.services.context import Actor, LinkAccess
from needlesafe.services.errors import NotFound
from needlesafe.store import models as m
from needlesafe.store.followup import ClinicAlert, Job, JobQueue, Message, MissedCheckin
from needlesafe.store.uow import UnitOfWork

ALERTED = ("urgent", "emergency")


def _queue_email(
    uow: UnitOfWork,
    *,
    alert: ClinicAlert,
    checkin: m.CheckIn,
    kind: str,
    to: str,
    now: dt.datetime,
) -> None:
    message = Message(
        clinic_id=alert.clinic_id,
        kind=kind,
        channel="email",
        to_address=to,
        patient_id=checkin.patient_id,
        treatment_id=checkin.treatment_id,
        checkin_id=checkin.id,
        status="queued",
        subject="",
        body="",
        provider_ref="",
        error="",
    )
    uow.session.add(message)
    uow.session.flush()
    JobQueue(uow.session).enqueue(
        clinic_id=alert.clinic_id,
        kind="send",
        payload={"message_id": message.id},
        run_at=now,
        dedupe_key=f"send:{message.id}",
        max_attempts=8,  # an alert is worth trying longer
    )


def alert_clinic(
    uow: UnitOfWork, *, checkin: m.CheckIn, now: dt.datetime | None = None, new: bool = False
) -> None:
    """Inside the check-in's unit of work: an urgent or emergency check-in (first answered so,
    or raised to it by the patient's correction) gets one alert, its email and its re-alert.
    `new`: the check-in was stored in this same unit of work, so it has no alert yet."""
    if checkin.disposition not in ALERTED:
        return
    if not new and uow.session.scalar(
        select(ClinicAlert.id).where(ClinicAlert.checkin_id == checkin.id)
    ):
        return
    now = now or dt.datetime.now(dt.UTC)
    clinic = uow.clinics.by_id(checkin.clinic_id)
    address = clinic.alert_email if clinic else None
    alert = ClinicAlert(
        clinic_id=checkin.clinic_id,
        checkin_id=checkin.id,
        disposition=checkin.disposition,
        created_at=now,
        emailed_to=address,
    )
    uow.session.add(alert)
    uow.session.flush()
    if clinic is None or not address:
        return  # the live inbox still shows it; the patient is told no alert was sent
    _queue_email(uow, alert=alert, checkin=checkin, kind="alert", to=address, now=now)
    JobQueue(uow.session).enqueue(
        clinic_id=alert.clinic_id,
        kind="realert",
        payload={"alert_id": alert.id},
        run_at=now + dt.timedelta(minutes=clinic.realert_minutes),
        dedupe_key=f"realert:{alert.id}",
    )


def run_realert(uow: UnitOfWork, *, job: Job, now: dt.datetime) -> str:
    """Not acknowledged in time: the alert again, to the second address (or the first)."""
    alert = uow.session.get(ClinicAlert, int(job.payload["alert_id"]))
    if alert is None or alert.clinic_id != job.clinic_id:
        raise NotFound("the alert is gone")
    checkin = uow.checkins.get(alert.clinic_id, alert.checkin_id)
    if alert.acknowledged_at is not None or checkin is None or checkin.handled:
        return "acknowledged in time"
    clinic = uow.clinics.by_id(alert.clinic_id)
    to = (clinic.alert_email_second or clinic.alert_email) if clinic else None
    if not to:
        return "no alert address any more"
    _queue_email(uow, alert=alert, checkin=checkin, kind="realert", to=to, now=now)
    alert.realerted_at = now
    return "sent again"


# ---------------------------------------------------------------- what the patient is told


@dataclass(frozen=True)
class ClinicTold:
    """What the clinic has been told of one check-in, for the patient's answer."""

    status: str  # sending | sent | failed | not_alerted | list_only
    text: str
    sent_at: dt.datetime | None = None


def clinic_told(
    uow: UnitOfWork, *, access: LinkAccess, checkin_id: int, knowledge: Knowledge
) -> ClinicTold:
    with uow:
        checkin = uow.checkins.get(access.clinic_id, checkin_id)
        if checkin is None or checkin.treatment_id != access.treatment_id:
            raise NotFound("no such check-in")
        clinic = uow.clinics.by_id(access.clinic_id)
        alert = uow.session.scalars(
            select(ClinicAlert).where(ClinicAlert.checkin_id == checkin.id)
        ).first()
        message = uow.session.scalars(
            select(Message)
            .where(Message.checkin_id == checkin.id, Message.kind == "alert")
            .order_by(Message.id)
        ).first()
        audit(uow, access, "read", "clinic_alert", checkin.id)
        uow.commit()
    zone = reminders.clinic_zone(clinic)
    sent_at = message.sent_at if message is not None else None
    time = sent_at.astimezone(zone).strftime("%H:%M") if sent_at else ""
    texts = reminders.texts_for(knowledge, clinic=clinic.name if clinic else "", time=time)
    if alert is None:
        status = "list_only"
    elif message is None or message.status == "outbox":
        status = "not_alerted"  # no alert address, or no mail server: nothing was sent
    elif message.status == "sent":
        status = "sent"
    elif message.status == "failed":
        status = "failed"
    else:
        status = "sending"
    key = {
        "list_only": "clinic_sees_list",
        "not_alerted": "clinic_not_alerted",
        "sent": "clinic_alert_sent",
        "failed": "clinic_alert_failed",
        "sending": "clinic_alert_sending",
    }[status]
    return ClinicTold(status=status, text=texts.get(key, ""), sent_at=sent_at)


# ---------------------------------------------------------------- the clinic's live inbox


@dataclass(frozen=True)
class AlertView:
    id: int
    checkin_id: int
    patient_id: int
    patient_name: str
    disposition: str
    created_at: dt.datetime
    emailed: str  # queued | sent | outbox | failed | none
    realerted_at: dt.datetime | None


@dataclass(frozen=True)
class MissedView:
    id: int
    patient_id: int
    patient_name: str
    patient_phone: str | None
    treatment_id: int
    day: int
    flagged_at: dt.datetime


@dataclass(frozen=True)
class LiveInbox:
    alerts: list[AlertView]  # not yet acknowledged, newest first
    missed: list[MissedView]  # not yet called
    newest_alert_id: int


def live_inbox(uow: UnitOfWork, *, actor: Actor) -> LiveInbox:
    with uow:
        rows = uow.session.execute(
            select(ClinicAlert, m.CheckIn.patient_id, m.Patient.name)
            .join(m.CheckIn, m.CheckIn.id == ClinicAlert.checkin_id)
            .join(m.Patient, m.Patient.id == m.CheckIn.patient_id)
            .where(
                ClinicAlert.clinic_id == actor.clinic_id,
                ClinicAlert.acknowledged_at.is_(None),
                m.CheckIn.handled.is_(False),
            )
            .order_by(ClinicAlert.id.desc())
            .limit(50)
        ).all()
        statuses = dict(
            uow.session.execute(
                select(Message.checkin_id, Message.status).where(
                    Message.clinic_id == actor.clinic_id,
                    Message.kind == "alert",
                    Message.checkin_id.in_([a.checkin_id for a, _, _ in rows] or [0]),
                )
            ).all()
        )
        missed_rows = uow.session.execute(
            select(MissedCheckin, m.Patient.name, m.Patient.phone)
            .join(m.Patient, m.Patient.id == MissedCheckin.patient_id)
            .where(MissedCheckin.clinic_id == actor.clinic_id, MissedCheckin.handled_at.is_(None))
            .order_by(MissedCheckin.flagged_at.desc())
            .limit(50)
        ).all()
        newest = uow.session.scalar(
            select(ClinicAlert.id)
            .where(ClinicAlert.clinic_id == actor.clinic_id)
            .order_by(ClinicAlert.id.desc())
            .limit(1)
        )
        audit(uow, actor, "list", "clinic_alert")
        uow.commit()
        return LiveInbox(
            alerts=[
                AlertView(
                    id=a.id,
                    checkin_id=a.checkin_id,
                    patient_id=patient_id,
                    patient_name=name,
                    disposition=a.disposition,
                    created_at=a.created_at,
                    emailed=statuses.get(a.checkin_id, "none") if a.emailed_to else "none",
                    realerted_at=a.realerted_at,
                )
                for a, patient_id, name in rows
            ],
            missed=[
                MissedView(
                    id=r.id,
                    patient_id=r.patient_id,
                    patient_name=name,
                    patient_phone=phone,
                    treatment_id=r.treatment_id,
                    day=r.day,
                    flagged_at=r.flagged_at,
                )
                for r, name, phone in missed_rows
            ],
            newest_alert_id=newest or 0,
        )


def acknowledge(uow: UnitOfWork, *, actor: Actor, alert_id: int) -> None:
    """Someone at the clinic has seen the alert: no re-alert is sent."""
    with uow:
        alert = uow.session.get(ClinicAlert, alert_id) if 1 <= alert_id <= 2**31 - 1 else None
        if alert is None or alert.clinic_id != actor.clinic_id:
            raise NotFound("no such alert")
        if alert.acknowledged_at is None:
            alert.acknowledged_at = dt.datetime.now(dt.UTC)
            alert.acknowledged_by = actor.user_id
        audit(uow, actor, "update", "clinic_alert", alert.id)
        uow.commit()
