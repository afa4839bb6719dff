"""The follow-up tests' kit: a real SMTP server (aiosmtpd), a worker wired to it, and a
treatment recorded today for a patient with an email and a phone."""

from __future__ import annotations

import datetime as dt
import email
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import Message as EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from needlesafe.knowledge.base import Knowledge
from needlesafe.messaging import OutboxSender
from needlesafe.messaging.mail import SmtpSender
from needlesafe.services import patients as _patients
from needlesafe.services import treatments as _treatments
from needlesafe.services.worker import Delivery, Worker
from needlesafe.settings import Settings
from needlesafe.store.db import make_session_factory
from needlesafe.store.uow import UnitOfWork
from tests.store.dbkit import TREATMENT, Staff, add_clinic, add_staff, screen_for_treatment

# A plan with no raised risk: the standard schedule, light band (days 1, 3 and 7).
LIGHT_INTAKE = {
    "patient": {"age": 35, "fitzpatrick": "II"},
    "plan": {"areas": ["cheeks"], "needle_depth_mm": 0.5, "device": "pen"},
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Inbox:
    """What the SMTP server received."""

    messages: list[EmailMessage] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.lock:
            self.messages.append(email.message_from_bytes(envelope.content))
        return "250 OK"

    def to(self, address: str) -> list[EmailMessage]:
        with self.lock:
            return [m for m in self.messages if m["To"] == address]


@pytest.fixture
def smtp() -> Iterator[tuple[str, Inbox]]:
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield f"smtp://127.0.0.1:{port}", inbox
    finally:
        controller.stop()


def make_worker(
    engine: Engine, knowledge: Knowledge, settings: Settings, smtp_url: str | None
) -> Worker:
    email_sender = (
        SmtpSender(smtp_url, mail_from="alerts@clinic.example")
        if smtp_url
        else OutboxSender("email")
    )
    return Worker(
        make_session_factory(engine),
        knowledge=knowledge,
        delivery=Delivery(
            email=email_sender,
            sms=OutboxSender("sms"),
            secret_key=settings.secret,
            base_url=settings.public_base_url,
            link_max_age=settings.checkin_link_max_age,
        ),
    )


@dataclass
class Treated:
    clinic_id: int
    staff: Staff
    patient_id: int
    treatment_id: int
    performed_on: dt.date


def treat_today(
    uow: UnitOfWork,
    knowledge: Knowledge,
    *,
    email_address: str | None = "pat@patient.example",
    phone: str | None = "+1 555 0100",
    intake: dict[str, Any] | None = None,
    clinic_id: int | None = None,
    name: str = "Pat Example",
) -> Treated:
    clinic = clinic_id or add_clinic(uow)
    staff = add_staff(uow, clinic, "admin")
    patient = _patients.create_patient(
        uow,
        actor=staff.actor,
        patient={"name": name, "email": email_address, "phone": phone},
    )
    intake_id = screen_for_treatment(uow, staff.actor, knowledge, patient.id, LIGHT_INTAKE)
    today = dt.date.today()
    treatment = _treatments.record_treatment(
        uow,
        actor=staff.actor,
        knowledge=knowledge,
        patient_id=patient.id,
        treatment={
            **TREATMENT,
            "intake_id": intake_id,
            "performed_on": today.isoformat(),
            "areas": [{"area": "cheeks", "depth_mm": 0.5, "passes": 2}],
            "numbing_agent": "none",
            "numbing_agent_lot": None,
            "topicals": [],
        },
    )
    return Treated(clinic, staff, patient.id, treatment.id, today)


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    """A time on `day` in UTC (the test clinics' time zone)."""
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=dt.UTC)


def csrf(client: TestClient, path: str = "/login") -> str:
    """The CSRF token of a page's forms (the client keeps the cookie it is bound to)."""
    import re

    page = client.get(path)
    found = re.search(r'name="csrf_token" value="([0-9a-f]+)"', page.text)
    assert found, f"no CSRF token on {path}"
    return found.group(1)


def sign_in(client: TestClient, staff: Staff) -> None:
    response = client.post(
        "/login",
        data={"csrf_token": csrf(client), "email": staff.email, "password": staff.password},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
