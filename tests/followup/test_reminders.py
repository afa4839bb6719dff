"""Check-in reminders: a patient treated today is asked on days 1, 3 and 7 without anyone
lifting a finger; an unanswered reminder is sent once more, then the clinic is asked to call."""

from __future__ import annotations

import datetime as dt
import re
from typing import cast

from sqlalchemy import Engine, select

from needlesafe.knowledge.base import Knowledge
from needlesafe.knowledge.readability import reading_grade
from needlesafe.services import checkins, reminders
from needlesafe.services.context import LinkAccess
from needlesafe.settings import Settings
from needlesafe.store.followup import Job, Message, MissedCheckin
from needlesafe.store.uow import UnitOfWork
from tests.followup.followkit import Inbox, at, make_worker, treat_today


def _jobs(uow: UnitOfWork, treatment_id: int) -> list[tuple[str, object, str]]:
    with uow:
        return [
            (j.kind, j.payload.get("day"), j.status)
            for j in uow.session.scalars(select(Job).order_by(Job.run_at, Job.id))
            if j.payload.get("treatment_id") == treatment_id
        ]


def test_recording_a_treatment_schedules_the_reminder_days_of_its_band(
    uow: UnitOfWork, knowledge: Knowledge
) -> None:
    treated = treat_today(uow, knowledge)
    assert [(k, d) for k, d, _ in _jobs(uow, treated.treatment_id)] == [
        ("reminder", 1),
        ("reminder", 3),
        ("reminder", 7),
    ]
    with uow:
        first = uow.session.scalars(select(Job).order_by(Job.run_at)).first()
        assert first is not None
        # at the send hour of aftercare.yaml, in the clinic's time zone (UTC here)
        assert first.run_at == at(treated.performed_on + dt.timedelta(days=1), 10)


def test_the_reminder_reaches_a_real_smtp_server_with_the_link_and_plain_words(
    uow: UnitOfWork,
    engine: Engine,
    knowledge: Knowledge,
    settings: Settings,
    smtp: tuple[str, Inbox],
) -> None:
    url, inbox = smtp
    treated = treat_today(uow, knowledge)
    worker = make_worker(engine, knowledge, settings, url)
    day1 = treated.performed_on + dt.timedelta(days=1)
    assert worker.run_due(now=at(day1, 9, 59)).total == 0  # not yet
    report = worker.run_due(now=at(day1, 10, 0))
    assert report.outcomes["sent"] == 1 and report.outcomes["outbox"] == 1  # email; SMS outbox
    [mail] = inbox.to("pat@patient.example")
    body = cast(bytes, mail.get_payload(decode=True)).decode()  # a single-part message
    assert f"{settings.public_base_url}/checkin/" in body
    assert "/reminders" in body and "day 1" in body
    assert mail["List-Unsubscribe"].startswith(f"<{settings.public_base_url}/checkin/")
    # the words a patient reads: not the link, whose random token changed the grade by chance
    words = re.sub(r"\S*/checkin/\S*", "", body.replace(settings.public_base_url, ""))
    assert reading_grade(words.split("http")[0]) <= 8
    with uow:
        sms = uow.session.scalars(select(Message).where(Message.channel == "sms")).one()
        email_row = uow.session.scalars(select(Message).where(Message.channel == "email")).one()
        # recorded: when, channel, to whom, outcome; the email's text is not kept once sent
        assert (email_row.status, email_row.to_address, email_row.body) == (
            "sent",
            "pat@patient.example",
            "",
        )
        assert email_row.sent_at == at(day1, 10)
        assert email_row.provider_ref == mail["Message-ID"]
        assert sms.status == "outbox" and "/checkin/" in sms.body  # waits, never lost
    assert worker.run_due(now=at(day1, 10, 5)).total == 0  # nothing is sent twice


def test_an_unanswered_reminder_is_sent_once_more_then_the_clinic_is_asked_to_call(
    uow: UnitOfWork,
    engine: Engine,
    knowledge: Knowledge,
    settings: Settings,
    smtp: tuple[str, Inbox],
) -> None:
    url, inbox = smtp
    treated = treat_today(uow, knowledge, phone=None)
    worker = make_worker(engine, knowledge, settings, url)
    day = treated.performed_on
    worker.run_due(now=at(day + dt.timedelta(days=1), 10))
    worker.run_due(now=at(day + dt.timedelta(days=2), 10))  # the re-send, 24 hours later
    subjects = [m["Subject"] for m in inbox.to("pat@patient.example")]
    assert len(subjects) == 2 and "not heard" in subjects[1]
    with uow:
        assert uow.session.scalars(select(MissedCheckin)).all() == []
    worker.run_due(now=at(day + dt.timedelta(days=3), 10))  # 24 hours after the re-send
    with uow:
        [missed] = uow.session.scalars(select(MissedCheckin)).all()
        assert (missed.treatment_id, missed.day) == (treated.treatment_id, 1)
    # and day 3's own reminder went out at the same time
    assert len(inbox.to("pat@patient.example")) == 3


def test_a_patient_who_checked_in_gets_no_reminder_that_day(
    uow: UnitOfWork,
    engine: Engine,
    knowledge: Knowledge,
    settings: Settings,
    smtp: tuple[str, Inbox],
) -> None:
    url, inbox = smtp
    treated = treat_today(uow, knowledge)
    access = LinkAccess(clinic_id=treated.clinic_id, treatment_id=treated.treatment_id)
    checkins.take_patient_checkin(
        uow, access=access, knowledge=knowledge, data={"message": "a bit red"}
    )
    # a check-in now counts for day 0 only; make it one of day 1's, as if sent that morning
    with uow:
        from needlesafe.store import models as m

        row = uow.session.scalars(select(m.CheckIn)).one()
        row.created_at = at(treated.performed_on + dt.timedelta(days=1), 8)
        uow.commit()
    worker = make_worker(engine, knowledge, settings, url)
    report = worker.run_due(now=at(treated.performed_on + dt.timedelta(days=1), 10))
    assert report.total == 1 and inbox.messages == []
    with uow:
        job = uow.session.scalars(select(Job).where(Job.status == "done")).one()
        assert job.outcome == "not sent: the patient has checked in"


def test_a_patient_who_stopped_reminders_gets_none(
    uow: UnitOfWork,
    engine: Engine,
    knowledge: Knowledge,
    settings: Settings,
    smtp: tuple[str, Inbox],
) -> None:
    url, inbox = smtp
    treated = treat_today(uow, knowledge)
    access = LinkAccess(clinic_id=treated.clinic_id, treatment_id=treated.treatment_id)
    assert reminders.reminders_stopped(uow, access=access) is False
    reminders.stop_reminders(uow, access=access)
    assert reminders.reminders_stopped(uow, access=access) is True
    worker = make_worker(engine, knowledge, settings, url)
    for day in (1, 3, 7):
        worker.run_due(now=at(treated.performed_on + dt.timedelta(days=day), 10))
    assert inbox.messages == []


def test_quiet_hours_hold_a_late_reminder_until_morning(
    uow: UnitOfWork,
    engine: Engine,
    knowledge: Knowledge,
    settings: Settings,
    smtp: tuple[str, Inbox],
) -> None:
    url, inbox = smtp
    treated = treat_today(uow, knowledge)
    with uow:  # the clinic is in Los Angeles: 10:00 there is 18:00 UTC in December
        from needlesafe.store import models as m

        clinic = uow.clinics.by_id(treated.clinic_id)
        assert clinic is not None
        clinic.time_zone = "America/Los_Angeles"
        uow.commit()
    worker = make_worker(engine, knowledge, settings, url)
    day2 = treated.performed_on + dt.timedelta(days=2)
    # the worker was down: day 1's reminder is found at 22:30 Los Angeles time (06:30 UTC)
    report = worker.run_due(now=at(day2, 6, 30))
    assert report.outcomes == {"postponed": 1} and inbox.messages == []
    with uow:
        job = uow.session.scalars(select(Job).where(Job.status == "pending")).first()
        assert job is not None
        assert job.run_at == at(day2, 17)  # 09:00 in Los Angeles, the end of the quiet hours
    assert worker.run_due(now=at(day2, 17)).outcomes["sent"] == 1
    assert m  # the models module was used above


def test_every_delivery_is_in_the_audit_log_without_its_text(
    uow: UnitOfWork, engine: Engine, knowledge: Knowledge, settings: Settings
) -> None:
    treated = treat_today(uow, knowledge)
    make_worker(engine, knowledge, settings, None).run_due(
        now=at(treated.performed_on + dt.timedelta(days=1), 10)
    )
    from needlesafe.store import models as m

    with uow:
        rows = uow.session.scalars(select(m.AuditEvent).where(m.AuditEvent.actor == "worker")).all()
        assert sorted((r.action, r.record_type) for r in rows) == [
            ("outbox", "message"),
            ("outbox", "message"),
        ]
        assert all(r.clinic_id == treated.clinic_id for r in rows)
