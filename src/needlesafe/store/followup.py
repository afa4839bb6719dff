"""The follow-up loop's records (migration 0008): the job queue, the messages sent, the clinic's
alerts, missed check-ins and check-in photos. Every row belongs to one clinic.

The job queue is a transactional outbox: a job is written in the same transaction as the
record that needs it (a treatment schedules its reminders, an urgent check-in its alert), so
it exists exactly when that record does. Workers claim due jobs with one UPDATE over a
sub-select that PostgreSQL runs with `FOR UPDATE SKIP LOCKED` (and SQLite, whose writers take
turns, runs as it is); a claimed job carries a random claim token and a lease, and only the
holder of the token can finish it. A worker killed mid-job leaves a lease that runs out, and
the job is claimed again.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Sequence
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    and_,
    or_,
    select,
    update,
)
from sqlalchemy.orm import Mapped, Session, mapped_column

from needlesafe.store.models import Base, utcnow

JOB_KINDS = ("reminder", "missed", "realert", "send")
JOB_STATUSES = ("pending", "running", "done", "failed")
MESSAGE_STATUSES = ("queued", "sent", "outbox", "failed")


class Job(Base):
    __tablename__ = "jobs"
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'running', 'done', 'failed')", name="status"),
        Index("ix_jobs_due", "status", "run_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinics.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    # one job per purpose (e.g. "reminder:12:3"): scheduling twice adds nothing
    dedupe_key: Mapped[str | None] = mapped_column(String(120), unique=True)
    payload: Mapped[dict[str, Any]]  # record ids only, never clinical content
    status: Mapped[str] = mapped_column(String(10), default="pending")
    run_at: Mapped[dt.datetime]
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    max_attempts: Mapped[int] = mapped_column(Integer, default=5)
    claim_token: Mapped[str | None] = mapped_column(String(32))
    lease_until: Mapped[dt.datetime | None]
    outcome: Mapped[str] = mapped_column(String(200), default="")
    last_error: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[dt.datetime | None]


class Message(Base):
    """One message to one address: when, channel, to whom, the outcome. The text is kept only
    while it waits in the outbox (no transport configured) for staff to read; a message a
    transport accepted keeps its provider reference, not its text."""

    __tablename__ = "messages"
    __table_args__ = (
        CheckConstraint("channel IN ('email', 'sms')", name="channel"),
        CheckConstraint("status IN ('queued', 'sent', 'outbox', 'failed')", name="status"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinics.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # reminder, reminder_resend, alert, realert
    channel: Mapped[str] = mapped_column(String(10))
    to_address: Mapped[str] = mapped_column(String(320))
    patient_id: Mapped[int | None] = mapped_column(ForeignKey("patients.id"), index=True)
    treatment_id: Mapped[int | None] = mapped_column(ForeignKey("treatments.id"), index=True)
    checkin_id: Mapped[int | None] = mapped_column(ForeignKey("checkins.id"))
    day: Mapped[int | None] = mapped_column(Integer)  # the reminder's day after treatment
    status: Mapped[str] = mapped_column(String(10), default="queued")
    subject: Mapped[str] = mapped_column(String(300), default="")
    body: Mapped[str] = mapped_column(Text, default="")
    provider_ref: Mapped[str] = mapped_column(String(200), default="")
    error: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[dt.datetime | None]


class ClinicAlert(Base):
    """An urgent or emergency check-in the clinic was alerted to; acknowledged by staff, or
    sent again to the second address after the clinic's re-alert delay."""

    __tablename__ = "clinic_alerts"
    id: Mapped[int] = mapped_column(primary_key=True)
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinics.id"), index=True)
    checkin_id: Mapped[int] = mapped_column(ForeignKey("checkins.id"), unique=True)
    disposition: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    emailed_to: Mapped[str | None] = mapped_column(String(320))  # None: no alert address
    acknowledged_at: Mapped[dt.datetime | None]
    acknowledged_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    realerted_at: Mapped[dt.datetime | None]


class MissedCheckin(Base):
    """A reminder and its re-send went unanswered: the clinic should call the patient."""

    __tablename__ = "missed_checkins"
    id: Mapped[int] = mapped_column(primary_key=True)
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinics.id"), index=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"))
    treatment_id: Mapped[int] = mapped_column(ForeignKey("treatments.id"), index=True)
    day: Mapped[int] = mapped_column(Integer)
    flagged_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    handled_at: Mapped[dt.datetime | None]
    handled_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class CheckinPhoto(Base):
    """A photo sent with a check-in: re-encoded (no EXIF, no GPS) and kept in the photo store
    under `storage_key`, never in the web root; served only to the clinic's staff."""

    __tablename__ = "checkin_photos"
    id: Mapped[int] = mapped_column(primary_key=True)
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinics.id"), index=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"))
    treatment_id: Mapped[int] = mapped_column(ForeignKey("treatments.id"), index=True)
    checkin_id: Mapped[int | None] = mapped_column(ForeignKey("checkins.id"), index=True)
    source: Mapped[str] = mapped_column(String(20))  # "patient_link" or "staff"
    storage_key: Mapped[str] = mapped_column(String(200), unique=True)
    content_type: Mapped[str] = mapped_column(String(40))
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    size_bytes: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    days_since_treatment: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    measurement: Mapped[dict[str, Any] | None]  # treated and reference areas, Lab, deltas
    measured_at: Mapped[dt.datetime | None]


# ---------------------------------------------------------------- the queue


class JobQueue:
    """Enqueue, claim, finish. Claiming commits at once (the claim must be visible to other
    workers before the job's work starts); finishing is part of the job's own transaction."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def enqueue(
        self,
        *,
        clinic_id: int,
        kind: str,
        payload: dict[str, Any],
        run_at: dt.datetime,
        dedupe_key: str | None = None,
        max_attempts: int = 5,
    ) -> Job | None:
        """Add a job (inside the caller's transaction); None when its dedupe key exists."""
        if kind not in JOB_KINDS:
            raise ValueError(f"unknown job kind {kind!r}")
        if dedupe_key is not None and self.session.scalar(
            select(Job.id).where(Job.dedupe_key == dedupe_key)
        ):
            return None
        job = Job(
            clinic_id=clinic_id,
            kind=kind,
            payload=payload,
            run_at=run_at,
            dedupe_key=dedupe_key,
            max_attempts=max_attempts,
            status="pending",
            attempts=0,
            outcome="",
            last_error="",
        )
        self.session.add(job)
        self.session.flush()
        return job

    def claim(
        self, *, now: dt.datetime, lease: dt.timedelta, limit: int = 10
    ) -> list[tuple[int, str, str]]:
        """Claim up to `limit` due jobs (pending and due, or running with a lapsed lease) and
        commit: [(job id, kind, claim token)]. Two workers never get the same job."""
        token = secrets.token_hex(16)
        due = (
            select(Job.id)
            .where(
                or_(
                    and_(Job.status == "pending", Job.run_at <= now),
                    and_(Job.status == "running", Job.lease_until < now),
                )
            )
            .order_by(Job.run_at, Job.id)
            .limit(limit)
            .with_for_update(skip_locked=True)  # PostgreSQL; SQLite's writers take turns
        )
        self.session.execute(
            update(Job)
            .where(Job.id.in_(due.scalar_subquery()))
            .values(
                status="running",
                claim_token=token,
                lease_until=now + lease,
                attempts=Job.attempts + 1,
            )
            .execution_options(synchronize_session=False)
        )
        self.session.commit()
        rows = self.session.execute(
            select(Job.id, Job.kind).where(Job.claim_token == token).order_by(Job.run_at, Job.id)
        ).all()
        return [(job_id, kind, token) for job_id, kind in rows]

    def held(self, job_id: int, token: str) -> Job | None:
        """The job, if this claim still holds it."""
        job = self.session.get(Job, job_id, populate_existing=True)
        if job is None or job.claim_token != token or job.status != "running":
            return None
        return job

    def finish(self, job: Job, *, now: dt.datetime, outcome: str) -> None:
        job.status = "done"
        job.outcome = outcome[:200]
        job.finished_at = now
        job.lease_until = None

    def postpone(self, job: Job, *, run_at: dt.datetime, outcome: str) -> None:
        """Not now (e.g. quiet hours): pending again at `run_at`, not counted as an attempt."""
        job.status = "pending"
        job.run_at = run_at
        job.attempts = max(0, job.attempts - 1)
        job.outcome = outcome[:200]
        job.claim_token = None
        job.lease_until = None

    def retry_or_fail(self, job: Job, *, now: dt.datetime, error: str) -> None:
        """A failed attempt: again after a back-off (1, 2, 4 ... minutes, at most an hour), or
        failed for good after `max_attempts`."""
        job.last_error = error[:300]
        job.claim_token = None
        job.lease_until = None
        if job.attempts >= job.max_attempts:
            job.status = "failed"
            job.finished_at = now
            job.outcome = "failed"
        else:
            job.status = "pending"
            job.run_at = now + dt.timedelta(minutes=min(60, 2 ** (job.attempts - 1)))

    def listing(
        self, clinic_id: int, *, statuses: Sequence[str] = (), limit: int = 100
    ) -> list[Job]:
        query = select(Job).where(Job.clinic_id == clinic_id)
        if statuses:
            query = query.where(Job.status.in_(list(statuses)))
        return list(self.session.scalars(query.order_by(Job.run_at.desc()).limit(limit)))
