"""The API over a test database: an app, a client, and clinics full of records."""

from __future__ import annotations

import datetime as dt
import re as _re
import tempfile as _tempfile
from collections.abc import Iterator as _Iterator
from dataclasses import dataclass as _dataclass
from pathlib import Path as _Path
from typing import Any as _Any
from typing import cast as _cast

import pytest
from fastapi import FastAPI as _FastAPI
from fastapi.testclient import TestClient as _TestClient

from needlesafe.app import create_app as _create_app
from needlesafe.knowledge.base import Knowledge as _Knowledge
from needlesafe.services import adverse_events as _adverse_events
from needlesafe.services import links as _links
from needlesafe.services import patients as _patients
from needlesafe.services import treatments as _treatments
from needlesafe.settings import Settings as _Settings
from needlesafe.state import AppState as _AppState
from needlesafe.store.uow import UnitOfWork as _UnitOfWork
from tests.store.dbkit import (
    TREATMENT,
    Staff,
    add_checkin_row,
    add_clinic,
    add_staff,
    screen_for_treatment,
)


@pytest.fixture
def app(settings: _Settings, knowledge: _Knowledge) -> _Iterator[_FastAPI]:
    app = _create_app(settings, knowledge=knowledge)
    yield app
    app.state.needlesafe.engine.dispose()


@pytest.fixture
def client(app: _FastAPI) -> _Iterator[_TestClient]:
    with _TestClient(app, base_url="https://testserver") as client:
        yield client


def app_state(client: _TestClient) -> _AppState:
    """The state of the app behind `client` (TestClient types its app as any ASGI app)."""
    state: _AppState = _cast(_FastAPI, client.app).state.needlesafe
    return state


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


def build_clinic(uow: _UnitOfWork, knowledge: _Knowledge, settings: _Settings) -> ClinicWorld:
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
def clinic_a(uow: _UnitOfWork, knowledge: _Knowledge, settings: _Settings) -> ClinicWorld:
    return build_clinic(uow, knowledge, settings)


@pytest.fixture
def clinic_b(uow: _UnitOfWork, knowledge: _Knowledge, settings: _Settings) -> ClinicWorld:
    return build_clinic(uow, knowledge, settings)


# ---------------------------------------------------------------- the app's routes


def app_routes() -> list[tuple[str, str]]:
    """Every (method, path template) the app's API answers, from its OpenAPI document (the
    pages are not in it: they are tested through the browser session in tests/web)."""
    never_opened = _Path(_tempfile.gettempdir()) / "needlesafe-routes-never-opened.db"
    settings = _Settings(
        environment="test", database_url=f"sqlite:///{never_opened}", secret_key="r" * 40
    )
    app = _create_app(settings)
    try:
        return sorted(
            (method.upper(), path)
            for path, operations in app.openapi()["paths"].items()
            for method in operations
        )
    finally:
        app.state.needlesafe.engine.dispose()


def route_shape(path: str) -> str:
    """`/api/v1/patients/{patient}?x=1` and `/api/v1/patients/{patient_id}` alike."""
    return _re.sub(r"\{[^}]*\}", "{}", path.split("?")[0])


# a value for each path parameter: the clinic's record of that kind, or a constant
PATH_PARAMS: dict[str, str | int] = {
    "patient_id": "patient",
    "intake_id": "intake",
    "treatment_id": "treatment",
    "checkin_id": "checkin",
    "event_id": "event",
    "user_id": "user",
    "token": "link",
    "lot": "CART-1",
    "photo_id": 1,
    "alert_id": 1,
    "service_id": "needlesafe-screening",
}


def fill_path(template: str, world: ClinicWorld) -> str:
    """`template` with the world's records; a parameter not in PATH_PARAMS fails, naming it."""
    ids: dict[str, _Any] = {
        **world.ids,
        "user": world.practitioner.actor.user_id or 0,
        "link": world.link,
    }

    def value(match: _re.Match[str]) -> str:
        name = match.group(1)
        assert name in PATH_PARAMS, f"path parameter {name!r} of {template}: add it to PATH_PARAMS"
        wanted = PATH_PARAMS[name]
        return str(ids[wanted]) if isinstance(wanted, str) and wanted in ids else str(wanted)

    return _re.sub(r"\{([^}]*)\}", value, template)
