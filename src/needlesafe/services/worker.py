"""The job worker: claims due jobs and runs them (reminders, missed check-ins, re-alerts, and
the delivery of each message).

Exactly once: a job is claimed by one worker only (store/followup.py) and its effects are
committed together with its completion, so a decision (queue these messages, flag this missed
check-in) happens once even with several workers or after a crash. A delivery crosses to the
outside world, which no transaction covers: the message is marked sent in the commit right
after the provider accepted it. A worker killed in the few milliseconds between the two leaves
a lapsed lease; the job runs again with the same Message-ID / Idempotency-Key, which mail
clients and SMS providers use to drop the repeat. Every other point of a kill (before the
send, or after the commit) sends nothing twice.

Nothing here writes a message's text to a log: outcomes and error classes only.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy.orm import Session, sessionmaker

from needlesafe.knowledge.base import Knowledge
from needlesafe.messaging import Outgoing, Sender, SendError
from needlesafe.services import alerts, reminders, treatments
from needlesafe.services.clinics import contact_for
from needlesafe.services.errors import NotFound
from needlesafe.store.followup import JobQueue, Message
from needlesafe.store.uow import UnitOfWork

log = logging.getLogger("needlesafe.worker")
LEASE = dt.timedelta(minutes=2)  # longer than any send's timeout
BATCH = 10


@dataclass
class Delivery:
    """What delivering messages needs: the senders, and what makes the patient's link."""

    email: Sender
    sms: Sender
    secret_key: str
    base_url: str
    link_max_age: dt.timedelta


@dataclass
class RunReport:
    outcomes: Counter[str] = field(default_factory=Counter)

    @property
    def total(self) -> int:
        return sum(self.outcomes.values())


class Worker:
    def __init__(
        self,
        session_factory: sessionmaker[Session],
        *,
        knowledge: Knowledge,
        delivery: Delivery,
        lease: dt.timedelta = LEASE,
    ) -> None:
        self.session_factory = session_factory
        self.knowledge = knowledge
        self.delivery = delivery
        self.lease = lease

    def uow(self) -> UnitOfWork:
        return UnitOfWork(self.session_factory)

    # ------------------------------------------------------------ the loop

    def run_due(self, *, now: dt.datetime | None = None, limit: int | None = None) -> RunReport:
        """Run every job due at `now` (the clock when None), including those that running
        them makes due, then return. `limit`: at most that many jobs."""
        report = RunReport()
        while limit is None or report.total < limit:
            at = now or dt.datetime.now(dt.UTC)
            with self.uow() as uow:
                claimed = JobQueue(uow.session).claim(now=at, lease=self.lease, limit=BATCH)
            if not claimed:
                break
            for job_id, kind, token in claimed:
                outcome = self.run_one(job_id, kind, token, now=now or dt.datetime.now(dt.UTC))
                report.outcomes[outcome] += 1
        return report

    def run_forever(self, stop: threading.Event, *, poll_seconds: float = 2.0) -> None:
        """Until `stop` is set: run what is due, then wait `poll_seconds`."""
        while not stop.is_set():
            try:
                self.run_due()
            except Exception:  # the database may be away for a moment; try again later
                log.exception("worker: a run failed; trying again")
            stop.wait(poll_seconds)

    # ------------------------------------------------------------ one job

    def run_one(self, job_id: int, kind: str, token: str, *, now: dt.datetime) -> str:
        try:
            if kind == "send":
                return self._deliver(job_id, token, now=now)
            return self._decide(job_id, token, now=now)
        except Exception as error:  # a bug or a lost database: retried, never lost
            log.exception("worker: job %s failed", job_id)
            self._failed(job_id, token, now=now, error=f"{type(error).__name__}")
            return "error"

    def _decide(self, job_id: int, token: str, *, now: dt.datetime) -> str:
        with self.uow() as uow:
            queue = JobQueue(uow.session)
            job = queue.held(job_id, token)
            if job is None:
                return "lost"  # another worker took it over after our lease ran out
            try:
                if job.kind == "reminder":
                    decision = reminders.run_reminder(
                        uow, job=job, knowledge=self.knowledge, now=now
                    )
                    if decision.postpone_to is not None:
                        queue.postpone(job, run_at=decision.postpone_to, outcome=decision.outcome)
                        uow.commit()
                        return "postponed"
                    outcome = decision.outcome
                elif job.kind == "missed":
                    outcome = reminders.run_missed(uow, job=job, now=now).outcome
                elif job.kind == "realert":
                    outcome = alerts.run_realert(uow, job=job, now=now)
                else:
                    outcome = f"unknown job kind {job.kind}"
            except NotFound as error:
                outcome = f"nothing to do: {error.message}"
            queue.finish(job, now=now, outcome=outcome)
            uow.commit()
            return job.kind

    def _failed(self, job_id: int, token: str, *, now: dt.datetime, error: str) -> None:
        with self.uow() as uow:
            queue = JobQueue(uow.session)
            job = queue.held(job_id, token)
            if job is None:
                return
            queue.retry_or_fail(job, now=now, error=error)
            if job.status == "failed" and job.kind == "send":
                message = uow.session.get(Message, int(job.payload["message_id"]))
                if message is not None and message.status == "queued":
                    message.status, message.error = "failed", error[:300]
            uow.commit()

    # ------------------------------------------------------------ delivering a message

    def _deliver(self, job_id: int, token: str, *, now: dt.datetime) -> str:
        with self.uow() as uow:
            job = JobQueue(uow.session).held(job_id, token)
            if job is None:
                return "lost"
            message = uow.session.get(Message, int(job.payload["message_id"]))
            if message is None or message.status != "queued":
                JobQueue(uow.session).finish(job, now=now, outcome="already delivered")
                uow.commit()
                return "already delivered"
            # a STOP (or the link) since the reminder was queued: it does not go
            stopped = message.kind in ("reminder", "reminder_resend") and _stopped(uow, message)
            outgoing = None if stopped else self._compose(uow, message)
            sender = self.delivery.email if message.channel == "email" else self.delivery.sms
        if stopped:
            return self._complete(
                job_id,
                token,
                now=now,
                status="failed",
                ref="",
                outcome="not sent: the patient stopped reminders",
            )
        if outgoing is None:
            return self._complete(
                job_id,
                token,
                now=now,
                status="failed",
                ref="",
                outcome="not sent: the patient's link was stopped",
            )
        try:
            ref = sender.send(outgoing)
        except SendError as error:
            with self.uow() as uow:
                queue = JobQueue(uow.session)
                job = queue.held(job_id, token)
                if job is not None:
                    if not error.transient:
                        job.attempts = job.max_attempts
                    queue.retry_or_fail(job, now=now, error=error.message)
                    message = uow.session.get(Message, int(job.payload["message_id"]))
                    if message is not None:
                        message.error = error.message[:300]
                        if job.status == "failed":
                            message.status = "failed"
                    uow.commit()
            return "send failed"
        if ref is None:  # no transport: kept in the outbox, with its text, for staff
            return self._complete(
                job_id,
                token,
                now=now,
                status="outbox",
                ref="",
                outcome="in the outbox",
                kept=outgoing,
            )
        return self._complete(job_id, token, now=now, status="sent", ref=ref, outcome="sent")

    def _complete(
        self,
        job_id: int,
        token: str,
        *,
        now: dt.datetime,
        status: str,
        ref: str,
        outcome: str,
        kept: Outgoing | None = None,
    ) -> str:
        with self.uow() as uow:
            queue = JobQueue(uow.session)
            job = queue.held(job_id, token)
            if job is None:
                log.warning("worker: job %s was taken over while sending", job_id)
                return "lost"
            message = uow.session.get(Message, int(job.payload["message_id"]))
            if message is not None:
                message.status, message.provider_ref, message.sent_at = status, ref[:200], now
                message.error = "" if status != "failed" else outcome[:300]
                if kept is not None:
                    message.subject, message.body = kept.subject[:300], kept.body
                # the worker read a patient's (or the clinic's) address and sent to it
                uow.audit.record(
                    clinic_id=message.clinic_id,
                    user_id=None,
                    actor="worker",
                    action="send" if status == "sent" else status,
                    record_type="message",
                    record_id=message.id,
                )
            queue.finish(job, now=now, outcome=outcome)
            uow.commit()
        log.info("worker: message %s %s", job_id, status)  # never the address or the text
        return status

    def _compose(self, uow: UnitOfWork, message: Message) -> Outgoing | None:
        """The message's text, made now (the patient's link as it is now)."""
        contact = contact_for(uow, message.clinic_id)
        key = f"needlesafe-{message.clinic_id}-{message.id}"
        base = self.delivery.base_url.rstrip("/")
        if message.kind in ("alert", "realert"):
            checkin = uow.checkins.get(message.clinic_id, message.checkin_id or 0)
            urgency = checkin.disposition if checkin else "urgent"
            label = "EMERGENCY" if urgency == "emergency" else "URGENT"
            again = " (sent again: no one has acknowledged it)" if message.kind == "realert" else ""
            subject = f"{label} check-in at {contact.name}{again}"
            body = (
                f"A patient's check-in was answered {urgency.replace('_', ' ')}{again}.\n"
                f"Open it now and acknowledge it: {base}/inbox#alert-{message.checkin_id}\n\n"
                "This email names no patient and no symptom; the inbox has the details."
            )
            return Outgoing(to=message.to_address, subject=subject, body=body, idempotency_key=key)
        link = self._patient_link(message.treatment_id or 0)
        if link is None:
            return None
        texts = reminders.texts_for(
            self.knowledge,
            clinic=contact.name,
            day=message.day,
            link=link,
            stop_link=link + reminders.REMINDER_PATH,
            emergency_number=contact.emergency_number,
        )
        resend = message.kind == "reminder_resend"
        if message.channel == "sms":
            stop = texts.get("sms_stop_line") or texts["stop_line"]
            body = texts["resend_sms" if resend else "sms"] + " " + stop
            return Outgoing(to=message.to_address, subject="", body=body, idempotency_key=key)
        body = texts["resend_body" if resend else "email_body"] + "\n\n" + texts["stop_line"]
        subject = texts["resend_subject" if resend else "email_subject"]
        return Outgoing(
            to=message.to_address,
            subject=subject,
            body=body,
            idempotency_key=key,
            headers={"List-Unsubscribe": f"<{link}{reminders.REMINDER_PATH}>"},
        )

    def _patient_link(self, treatment_id: int) -> str | None:
        """The treatment's link, made by the link service; None when staff stopped it."""
        link = treatments.issue_checkin_link(
            self.uow(),
            actor=None,
            treatment_id=treatment_id,
            secret_key=self.delivery.secret_key,
            base_url=self.delivery.base_url,
            max_age=self.delivery.link_max_age,
            only_if_active=True,
        )
        return link.url if link is not None else None


def _stopped(uow: UnitOfWork, message: Message) -> bool:
    patient = uow.patients.get(message.clinic_id, message.patient_id or 0)
    return patient is not None and patient.reminders_stopped_at is not None
