"""The API over a test database: an app, a client, and clinics full of records."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator as _Iterator
from dataclasses import dataclass as _dataclass

import pytest
from dbkit import TREATMENT, Staff, add_checkin_row, add_clinic, add_staff, screen_for_treatment
from fastapi import FastAPI as _FastAPI
from fastapi.testclient import TestClient as _TestClient

from needlesafe.app import create_app as _create_app
from needlesafe.services import adverse_events as _adverse_events
from needlesafe.services import links as _links
from needlesafe.services import patients as _patients
from needlesafe.services import treatments as _treatments


@pytest.fixture
def app(settings, knowledge) -> _Iterator[_FastAPI]:  # type: ignore[no-untyped-def]
    app = _create_app(settings, knowledge=knowledge)
    yield app
    app.state.needlesafe.engine.dispose()


@pytest.fixture
def client(app: _FastAPI) -> _Iterator[_TestClient]:
    with _TestClient(app, base_url="https://testserver") as client:
        yield client


@_dataclass
class ClinicWorld:
    """One clinic with an admin, a practitioner and one of each record."""

    clinic_id: int
    admin: Staff
    practitioner: Staff
    patient: int
    intake: int
    treatment: int
    checkin: int
    adverse_event: int
    link: str

    @property
    def ids(self) -> dict[str, int]:
        return {
            "patient": self.patient,
            "intake": self.intake,
            "treatment": self.treatment,
            "checkin": self.checkin,
            "event": self.adverse_event,
        }


def build_clinic(uow, knowledge, settings) -> ClinicWorld:  # type: ignore[no-untyped-def]
    clinic = add_clinic(uow)
    admin = add_staff(uow, clinic, "admin")
    practitioner = add_staff(uow, clinic, "practitioner")
    actor = practitioner.actor
    patient = _patients.create_patient(uow, actor=actor, patient={"name": "Pat Example"})
    intake = screen_for_treatment(uow, actor, knowledge, patient.id)
    treatment = _treatments.record_treatment(
        uow,
        actor=actor,
        knowledge=knowledge,
        patient_id=patient.id,
        treatment={**TREATMENT, "intake_id": intake},
    )
    checkin = add_checkin_row(
        uow,
        clinic_id=clinic,
        patient_id=patient.id,
        treatment_id=treatment.id,
        disposition="urgent",
    )
    event = _adverse_events.record_adverse_event(
        uow,
        actor=actor,
        knowledge=knowledge,
        event={
            "patient_id": patient.id,
            "treatment_id": treatment.id,
            "complication": "infection",
            "onset_date": (dt.date.today() - dt.timedelta(days=1)).isoformat(),
            "ctcae_grade": 2,
        },
    )
    link = _links.issue_checkin_token(settings.secret, clinic_id=clinic, treatment_id=treatment.id)
    return ClinicWorld(
        clinic, admin, practitioner, patient.id, intake, treatment.id, checkin, event.id, link
    )


@pytest.fixture
def clinic_a(uow, knowledge, settings) -> ClinicWorld:  # type: ignore[no-untyped-def]
    return build_clinic(uow, knowledge, settings)


@pytest.fixture
def clinic_b(uow, knowledge, settings) -> ClinicWorld:  # type: ignore[no-untyped-def]
    return build_clinic(uow, knowledge, settings)
