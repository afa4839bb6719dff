"""The patient's safety pages while the database cannot be written (issue 16, item 2): the
warning signs, the numbers to call and the triage answer are still given; the patient is told
plainly when a check-in was not saved; `/readyz` says so while `/healthz` stays up; and the
service recovers when the database does, without a restart. On SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from needlesafe.store import models as m
from tests.api.apikit import ClinicWorld
from tests.reliability.faultkit import ReadOnlySwitch, csrf_of

EMERGENCY_MESSAGE = "my lips are swelling and I can't breathe"


def _checkins(engine: Engine) -> int:
    with engine.connect() as connection:
        return connection.scalar(select(func.count()).select_from(m.CheckIn.__table__)) or 0


def test_the_patients_pages_answer_while_the_database_refuses_writes(
    client: TestClient, clinic_a: ClinicWorld, read_only: ReadOnlySwitch, engine: Engine
) -> None:
    base = f"/checkin/{clinic_a.link}"
    before = _checkins(engine)
    read_only.set(True)
    html = {"accept": "text/html"}

    page = client.get(base, headers=html)
    assert page.status_code == 200
    assert 'href="tel:' in page.text  # the emergency number is on the page
    signs = client.get(base + "/warning-signs", headers=html)
    assert signs.status_code == 200 and "Warning signs" in signs.text

    answered = client.post(
        base,
        data={"csrf_token": csrf_of(page.text), "message": EMERGENCY_MESSAGE},
        headers=html,
    )
    assert answered.status_code == 200
    assert "Call" in answered.text and "now" in answered.text  # the emergency answer
    assert "We could not save your check-in" in answered.text
    assert "Please phone them" in answered.text

    api = client.post(f"/api/v1/checkin/{clinic_a.link}", json={"message": EMERGENCY_MESSAGE})
    assert api.status_code == 503
    assert api.json()["saved"] is False
    assert api.json()["triage"]["disposition"] == "emergency"
    assert api.headers["x-content-type-options"] == "nosniff"

    assert client.get("/healthz").status_code == 200
    ready = client.get("/readyz")
    assert ready.status_code == 503
    assert ready.json() == {"status": "not ready", "read": "ok", "write": "failed"}
    assert _checkins(engine) == before  # nothing half-written

    read_only.set(False)  # the disk is writable again: no restart
    assert client.get("/readyz").json() == {"status": "ready", "read": "ok", "write": "ok"}
    stored = client.post(f"/api/v1/checkin/{clinic_a.link}", json={"message": EMERGENCY_MESSAGE})
    assert stored.status_code == 201, stored.text
    assert _checkins(engine) == before + 1


def test_a_staff_write_that_fails_is_a_500_with_the_security_headers_and_a_reference(
    client: TestClient,
    clinic_a: ClinicWorld,
    read_only: ReadOnlySwitch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    read_only.set(True)
    with caplog.at_level("INFO"):
        response = client.post(
            "/api/v1/patients",
            json={"name": "Ada Failwrite", "phone": "+44 7700 900123"},
            headers=clinic_a.practitioner.headers,
        )
    assert response.status_code == 500
    message = response.json()["detail"][0]["message"]
    assert message.startswith("internal error; quote reference ")
    reference = message.split("reference ")[1].split()[0]
    for header in ("x-content-type-options", "x-frame-options", "content-security-policy"):
        assert header in response.headers
    lines = [r.getMessage() for r in caplog.records]
    assert any(reference in line and "Error on POST" in line for line in lines), lines
    access = [r.getMessage() for r in caplog.records if r.name == "needlesafe.access"]
    assert any(" POST /api/v1/patients 500 " in line for line in access), access
