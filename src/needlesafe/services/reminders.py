"""Check-in reminders: scheduled when a treatment is recorded, on the days `aftercare.yaml`
sets for its depth band and risks, at the clinic's local send hour and never in its quiet
hours; one re-send when unanswered, then a "missed check-in" in the clinic's inbox to call.

Scheduling happens inside the treatment's own transaction (the jobs exist exactly when the
treatment does). Each reminder job, when due, decides again: a patient who has checked in
since the day began, or who stopped reminders, gets nothing. The messages themselves are
queued as `send` jobs and delivered by the worker (services/worker.py).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from needlesafe import zones
from needlesafe.engine.aftercare import checkin_reminder_days
from needlesafe.errors import InputError
from needlesafe.knowledge.aftercare_schema import CheckinReminders
from needlesafe.knowledge.base import Knowledge
from needlesafe.messaging import sms
from needlesafe.services.aftercare import screened_as_done
from needlesafe.services.common import audit
from needlesafe.services.context import Actor, LinkAccess
from needlesafe.services.errors import NotFound
from needlesafe.store import models as m
from needlesafe.store.followup import Job, JobQueue, Message, MissedCheckin
from needlesafe.store.uow import UnitOfWork

REMINDER_PATH = "/reminders"  # under the patient's check-in link: the opt-out page


def settings_of(knowledge: Knowledge) -> CheckinReminders | None:
    return knowledge.aftercare.checkin_reminders if knowledge.aftercare else None


def clinic_zone(clinic: m.Clinic | None) -> dt.tzinfo:
    """The clinic's time zone, UTC when unset or unknown."""
    return zones.zone(clinic.time_zone if clinic is not None else "UTC")


def local_time(day: dt.date, hour: int, zone: dt.tzinfo) -> dt.datetime:
    """`hour`:00 on `day` in `zone`, as an aware UTC datetime."""
    return dt.datetime.combine(day, dt.time(hour), tzinfo=zone).astimezone(dt.UTC)


def in_quiet_hours(hour: int, rules: CheckinReminders) -> bool:
    start, end = rules.quiet_start_hour, rules.quiet_end_hour
    return (start <= hour or hour < end) if start > end else (start <= hour < end)


def after_quiet_hours(now: dt.datetime, rules: CheckinReminders, zone: dt.tzinfo) -> dt.datetime:
    """The end of the quiet hours that `now` falls in."""
    local = now.astimezone(zone)
    day = local.date()
    if local.hour >= rules.quiet_end_hour:
        day += dt.timedelta(days=1)
    return local_time(day, rules.quiet_end_hour, zone)


# ---------------------------------------------------------------- scheduling


def schedule_reminders(
    uow: UnitOfWork,
    *,
    treatment: m.Treatment,
    knowledge: Knowledge,
    now: dt.datetime | None = None,
) -> list[int]:
    """Queue the treatment's reminders (inside the caller's unit of work); the days queued.
    Days whose send time has passed (a treatment recorded late) are skipped, not sent at once."""
    rules = settings_of(knowledge)
    if rules is None or not treatment.areas:
        return []
    now = now or dt.datetime.now(dt.UTC)
    try:
        screened = screened_as_done(uow, treatment, knowledge)
    except InputError:
        screened = None  # no screening: the schedules without conditions
    depth = max(a.depth_mm for a in treatment.areas)
    _, days = checkin_reminder_days(knowledge, depth_mm=depth, screened=screened)
    zone = clinic_zone(uow.clinics.by_id(treatment.clinic_id))
    queue = JobQueue(uow.session)
    queued = []
    for day in days:
        run_at = local_time(treatment.performed_on + dt.timedelta(days=day), rules.send_hour, zone)
        if run_at < now:
            continue
        queue.enqueue(
            clinic_id=treatment.clinic_id,
            kind="reminder",
            payload={"treatment_id": treatment.id, "day": day, "resend": False},
            run_at=run_at,
            dedupe_key=f"reminder:{treatment.id}:{day}",
        )
        queued.append(day)
    return queued


# ---------------------------------------------------------------- when a reminder is due


def _checked_in_since(uow: UnitOfWork, treatment_id: int, since: dt.datetime) -> bool:
    return (
        uow.session.scalar(
            select(m.CheckIn.id)
            .where(m.CheckIn.treatment_id == treatment_id, m.CheckIn.created_at >= since)
            .limit(1)
        )
        is not None
    )


@dataclass(frozen=True)
class Decision:
    """What a job decided: its outcome, or a later time to try again (quiet hours)."""

    outcome: str
    postpone_to: dt.datetime | None = None


def _treatment_of(uow: UnitOfWork, job: Job) -> m.Treatment:
    treatment = uow.treatments.get(job.clinic_id, int(job.payload["treatment_id"]))
    if treatment is None:
        raise NotFound("the treatment of this reminder is gone")
    return treatment


def _day_start(treatment: m.Treatment, day: int, zone: dt.tzinfo) -> dt.datetime:
    return local_time(treatment.performed_on + dt.timedelta(days=day), 0, zone)


def run_reminder(uow: UnitOfWork, *, job: Job, knowledge: Knowledge, now: dt.datetime) -> Decision:
    """A due reminder (or its re-send), inside the job's unit of work: queue its messages and
    the next step, or decide that nothing is to be sent."""
    rules = settings_of(knowledge)
    if rules is None:
        return Decision("no reminder settings in the knowledge base")
    treatment = _treatment_of(uow, job)
    patient = uow.patients.get(job.clinic_id, treatment.patient_id)
    if patient is None:
        raise NotFound("the patient of this reminder is gone")
    day, resend = int(job.payload["day"]), bool(job.payload.get("resend"))
    zone = clinic_zone(uow.clinics.by_id(job.clinic_id))
    if patient.reminders_stopped_at is not None:
        return Decision("not sent: the patient stopped reminders")
    if _checked_in_since(uow, treatment.id, _day_start(treatment, day, zone)):
        return Decision("not sent: the patient has checked in")
    if in_quiet_hours(now.astimezone(zone).hour, rules):
        return Decision("quiet hours", postpone_to=after_quiet_hours(now, rules, zone))
    addresses = [("email", patient.email), ("sms", patient.phone)]
    channels = [(channel, to) for channel, to in addresses if to]
    queue = JobQueue(uow.session)
    for channel, to in channels:
        message = Message(
            clinic_id=job.clinic_id,
            kind="reminder_resend" if resend else "reminder",
            channel=channel,
            to_address=to,
            patient_id=patient.id,
            treatment_id=treatment.id,
            day=day,
            status="queued",
            subject="",
            body="",
            provider_ref="",
            error="",
        )
        uow.session.add(message)
        uow.session.flush()
        queue.enqueue(
            clinic_id=job.clinic_id,
            kind="send",
            payload={"message_id": message.id},
            run_at=now,
            dedupe_key=f"send:{message.id}",
        )
    after = dt.timedelta(hours=rules.missed_after_hours if resend else rules.resend_after_hours)
    if resend or not channels:
        queue.enqueue(
            clinic_id=job.clinic_id,
            kind="missed",
            payload={"treatment_id": treatment.id, "day": day},
            run_at=now + after if channels else now,
            dedupe_key=f"missed:{treatment.id}:{day}",
        )
    else:
        queue.enqueue(
            clinic_id=job.clinic_id,
            kind="reminder",
            payload={"treatment_id": treatment.id, "day": day, "resend": True},
            run_at=now + after,
            dedupe_key=f"reminder:{treatment.id}:{day}:resend",
        )
    if not channels:
        return Decision("not sent: the patient has no email or phone; the clinic will call")
    return Decision("queued: " + " and ".join(channel for channel, _ in channels))


def run_missed(uow: UnitOfWork, *, job: Job, now: dt.datetime) -> Decision:
    """The reminder and its re-send went unanswered: the clinic's inbox shows it, to call."""
    treatment = _treatment_of(uow, job)
    day = int(job.payload["day"])
    zone = clinic_zone(uow.clinics.by_id(job.clinic_id))
    if _checked_in_since(uow, treatment.id, _day_start(treatment, day, zone)):
        return Decision("the patient has checked in")
    patient = uow.patients.get(job.clinic_id, treatment.patient_id)
    if patient is not None and patient.reminders_stopped_at is not None:
        return Decision("the patient stopped reminders")
    uow.session.add(
        MissedCheckin(
            clinic_id=job.clinic_id,
            patient_id=treatment.patient_id,
            treatment_id=treatment.id,
            day=day,
            flagged_at=now,
        )
    )
    return Decision("missed check-in: in the clinic's inbox")


# ---------------------------------------------------------------- the patient's opt-out


def reminders_stopped(uow: UnitOfWork, *, access: LinkAccess) -> bool:
    with uow:
        patient = _linked_patient(uow, access)
        audit(uow, access, "read", "reminders", patient.id)
        uow.commit()
        return patient.reminders_stopped_at is not None


def stop_reminders(uow: UnitOfWork, *, access: LinkAccess) -> None:
    """The patient asks for no more reminders (from the link in any message)."""
    with uow:
        patient = _linked_patient(uow, access)
        if patient.reminders_stopped_at is None:
            patient.reminders_stopped_at = dt.datetime.now(dt.UTC)
        audit(uow, access, "update", "reminders", patient.id)
        uow.commit()


@dataclass(frozen=True)
class SmsReply:
    keyword: str | None  # "stop", "start", "help" or None (any other text)
    patients: int  # how many patients' reminders changed or were found
    reply: str  # the text to answer with ("" for none)


def _patients_with_phone(uow: UnitOfWork, number: str) -> list[m.Patient]:
    """Every patient, in any clinic, whose phone is this number. The SQL narrows by the last
    digits in order (a stored number may hold spaces or dashes); Python compares the rest."""
    digits = sms.phone_digits(number)
    if len(digits) < 7:
        return []
    pattern = "%" + "%".join(digits[-6:])
    rows = uow.session.scalars(
        select(m.Patient).where(m.Patient.phone.is_not(None), m.Patient.phone.like(pattern))
    ).all()
    return [p for p in rows if p.phone and sms.same_phone(p.phone, number)]


def sms_reply(
    uow: UnitOfWork,
    *,
    from_number: str,
    body: str,
    knowledge: Knowledge,
    provider: str,
    emergency_number: str,
) -> SmsReply:
    """A patient's SMS reply, from the provider's inbound webhook: STOP (and its variants)
    stops reminders for every patient with that phone number, in every clinic (the reply went
    to this service's number, not to one clinic); START turns them on again; HELP says how.
    Each patient changed is in their clinic's audit log (actor: the SMS provider). Other text
    is not read: a reply is no check-in, and the answer says where to check in."""
    keyword = sms.reply_keyword(body)
    texts = texts_for(knowledge, emergency_number=emergency_number)
    with uow:
        # every reply the provider brings is in the log (no number, no text): which kind
        uow.audit.record(
            clinic_id=None,
            user_id=None,
            actor=provider,
            action="receive",
            record_type="sms_reply",
            record_id=keyword or "other",
        )
        if keyword is None:
            uow.commit()
            return SmsReply(None, 0, texts.get("sms_not_read", ""))
        found = _patients_with_phone(uow, from_number)
        now = dt.datetime.now(dt.UTC)
        for patient in found:
            if keyword == "stop" and patient.reminders_stopped_at is None:
                patient.reminders_stopped_at = now
            elif keyword == "start" and patient.reminders_stopped_at is not None:
                patient.reminders_stopped_at = None
            else:
                continue
            uow.audit.record(
                clinic_id=patient.clinic_id,
                user_id=None,
                actor=provider,
                action="update",
                record_type="reminders",
                record_id=patient.id,
            )
        uow.commit()
    reply = {"stop": "sms_stopped", "start": "sms_started", "help": "sms_help"}[keyword]
    return SmsReply(keyword, len(found), texts.get(reply, ""))


def _linked_patient(uow: UnitOfWork, access: LinkAccess) -> m.Patient:
    treatment = uow.treatments.get(access.clinic_id, access.treatment_id)
    patient = uow.patients.get(access.clinic_id, treatment.patient_id) if treatment else None
    if patient is None:
        raise NotFound("no such treatment")
    return patient


# ---------------------------------------------------------------- the clinic's side


def mark_missed_called(uow: UnitOfWork, *, actor: Actor, missed_id: int) -> None:
    with uow:
        row = uow.session.get(MissedCheckin, missed_id)
        if row is None or row.clinic_id != actor.clinic_id:
            raise NotFound("no such missed check-in")
        if row.handled_at is None:
            row.handled_at = dt.datetime.now(dt.UTC)
            row.handled_by = actor.user_id
        audit(uow, actor, "update", "missed_checkin", row.id)
        uow.commit()


def texts_for(knowledge: Knowledge, **values: Any) -> dict[str, str]:
    """Every reminder text with `values` filled in (for the messages and the pages)."""
    rules = settings_of(knowledge)
    if rules is None:
        return {}
    texts = rules.texts
    return {
        name: getattr(texts, name).format_map(_Blank(values)) for name in type(texts).model_fields
    }


class _Blank(dict[str, Any]):
    """A placeholder with no value stays empty rather than failing."""

    def __missing__(self, key: str) -> str:
        return ""
