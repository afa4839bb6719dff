"""`Idempotency-Key` (issue 16, item 6): a retry with the same key and body gets the first
answer and stores nothing new; the same key with another body is a 409; the patient's check-in
form sends a key of its own. On SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import re
import secrets
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select, update

from needlesafe.store import models as m
from needlesafe.store.reliability import IdempotencyKey
from tests.api.apikit import ClinicWorld
from tests.reliability.faultkit import csrf_of
from tests.store.dbkit import INTAKE, TREATMENT


def _count(engine: Engine, table: type[m.Base]) -> int:
    with engine.connect() as connection:
        return connection.scalar(select(func.count()).select_from(table.__table__)) or 0


def _creations(
    world: ClinicWorld,
) -> list[tuple[str, dict[str, Any], dict[str, Any], type[m.Base], dict[str, str]]]:
    staff = world.practitioner.headers
    yesterday = (dt.date.today() - dt.timedelta(days=1)).isoformat()
    event = {"patient_id": world.patient, "complication": "infection", "onset_date": yesterday}
    return [
        ("/api/v1/patients", {"name": "Ann Lee"}, {"name": "Bo Lee"}, m.Patient, staff),
        (
            f"/api/v1/patients/{world.patient}/intakes",
            INTAKE,
            {**INTAKE, "patient": {**INTAKE["patient"], "age": 36}},
            m.Intake,
            staff,
        ),
        (
            f"/api/v1/patients/{world.patient}/treatments",
            {**TREATMENT, "intake_id": world.intake},
            {**TREATMENT, "intake_id": world.intake, "notes": "second"},
            m.Treatment,
            staff,
        ),
        (
            f"/api/v1/treatments/{world.treatment}/checkins",
            {"message": "a bit red"},
            {"message": "a bit sore"},
            m.CheckIn,
            staff,
        ),
        (
            "/api/v1/adverse-events",
            {**event, "ctcae_grade": 1},
            {**event, "ctcae_grade": 2},
            m.AdverseEvent,
            staff,
        ),
        (
            f"/api/v1/checkin/{world.link}",
            {"message": "my cheek is a bit red"},
            {"message": "my cheek is very red"},
            m.CheckIn,
            {},
        ),
    ]


@pytest.mark.parametrize(
    "which", ["patient", "intake", "treatment", "staff checkin", "adverse event", "link checkin"]
)
def test_a_retry_with_the_same_key_gets_the_first_answer_and_stores_nothing_new(
    client: TestClient, clinic_a: ClinicWorld, engine: Engine, which: str
) -> None:
    names = ["patient", "intake", "treatment", "staff checkin", "adverse event", "link checkin"]
    path, body, other, table, headers = _creations(clinic_a)[names.index(which)]
    key = {"Idempotency-Key": secrets.token_urlsafe(16)}
    before = _count(engine, table)
    first = client.post(path, json=body, headers={**headers, **key})
    assert first.status_code == 201, first.text
    again = client.post(path, json=body, headers={**headers, **key})
    assert again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    assert _count(engine, table) == before + 1
    changed = client.post(path, json=other, headers={**headers, **key})
    assert changed.status_code == 409
    assert changed.json()["detail"][0]["path"] == "Idempotency-Key"
    assert _count(engine, table) == before + 1
    fresh = client.post(path, json=body, headers={**headers, "Idempotency-Key": "another-key"})
    assert fresh.status_code == 201 and fresh.json() != first.json()


def test_without_a_key_a_retry_is_a_new_record_and_a_bad_key_is_a_422(
    client: TestClient, clinic_a: ClinicWorld, engine: Engine
) -> None:
    staff = clinic_a.practitioner.headers
    before = _count(engine, m.Patient)
    for _ in range(2):
        assert (
            client.post("/api/v1/patients", json={"name": "Cy"}, headers=staff).status_code == 201
        )
    assert _count(engine, m.Patient) == before + 2
    bad = client.post(
        "/api/v1/patients", json={"name": "Cy"}, headers={**staff, "Idempotency-Key": "a b"}
    )
    assert bad.status_code == 422 and bad.json()["detail"][0]["path"] == "Idempotency-Key"


def test_one_callers_key_never_reaches_another_callers_answer(
    client: TestClient, clinic_a: ClinicWorld, clinic_b: ClinicWorld, engine: Engine
) -> None:
    key = {"Idempotency-Key": "shared-key"}
    body = {"name": "Dee"}
    a = client.post("/api/v1/patients", json=body, headers={**clinic_a.practitioner.headers, **key})
    b = client.post("/api/v1/patients", json=body, headers={**clinic_b.practitioner.headers, **key})
    assert a.status_code == b.status_code == 201
    assert a.json()["id"] != b.json()["id"] and "idempotent-replayed" not in b.headers


def test_the_patients_form_sends_a_key_and_a_resent_form_is_one_check_in(
    client: TestClient, clinic_a: ClinicWorld, engine: Engine
) -> None:
    html = {"accept": "text/html"}
    page = client.get(f"/checkin/{clinic_a.link}", headers=html)
    key = re.search(r'name="idempotency_key" value="([^"]+)"', page.text)
    assert key, "the check-in form carries no idempotency key"
    form = {"csrf_token": csrf_of(page.text), "idempotency_key": key.group(1)}
    form["message"] = "my cheek is a bit red and warm"
    before = _count(engine, m.CheckIn)
    first = client.post(f"/checkin/{clinic_a.link}", data=form, headers=html)
    again = client.post(f"/checkin/{clinic_a.link}", data=form, headers=html)
    assert first.status_code == again.status_code == 200
    assert again.headers.get("idempotent-replayed") == "true"
    assert _count(engine, m.CheckIn) == before + 1
    second_page = client.get(f"/checkin/{clinic_a.link}", headers=html)
    assert key.group(1) not in second_page.text  # each form its own key


def test_a_request_whose_answer_was_lost_says_what_was_stored(
    client: TestClient, clinic_a: ClinicWorld, engine: Engine
) -> None:
    staff = {**clinic_a.practitioner.headers, "Idempotency-Key": "lost-answer"}
    first = client.post("/api/v1/patients", json={"name": "Eve"}, headers=staff)
    with engine.begin() as connection:  # as if the server died before keeping the answer
        connection.execute(update(IdempotencyKey).values(status=None, body=None))
    again = client.post("/api/v1/patients", json={"name": "Eve"}, headers=staff)
    assert again.status_code == 409
    assert again.json()["record_type"] == "patient"
    assert again.json()["record_id"] == str(first.json()["id"])


def test_two_sends_of_one_key_at_once_store_one_record(
    client: TestClient, clinic_a: ClinicWorld, engine: Engine
) -> None:
    headers = {"Idempotency-Key": "at-once"}
    path = f"/api/v1/checkin/{clinic_a.link}"
    before = _count(engine, m.CheckIn)
    with ThreadPoolExecutor(4) as pool:
        answers = list(
            pool.map(
                lambda _: client.post(path, json={"message": "red"}, headers=headers), range(4)
            )
        )
    assert _count(engine, m.CheckIn) == before + 1
    ids = {str(a.json().get("checkin_id") or a.json().get("record_id")) for a in answers}
    # one stores the check-in; the others wait for its answer and get it again
    assert [a.status_code for a in answers] == [201] * 4, [a.text for a in answers]
    replayed = sorted(a.headers.get("idempotent-replayed", "") for a in answers)
    assert replayed == ["", "true", "true", "true"]
    assert len(ids) == 1
