"""Bad patient data caught at the door: a date of birth in the future is refused (422 naming
the field, nothing saved); a likely duplicate (same name and date of birth, same clinic) is
saved with a warning naming the other record, and never matched across clinics."""

from __future__ import annotations

import datetime as dt

from fastapi.testclient import TestClient

from tests.api.apikit import ClinicWorld


def test_a_date_of_birth_in_the_future_is_422_naming_the_field(
    client: TestClient, clinic_a: ClinicWorld
) -> None:
    staff = clinic_a.practitioner.headers
    before = client.get("/api/v1/patients", headers=staff).json()["total"]
    future = (dt.date.today() + dt.timedelta(days=3)).isoformat()
    response = client.post(
        "/api/v1/patients", json={"name": "Not Born Yet", "date_of_birth": future}, headers=staff
    )
    assert response.status_code == 422
    assert [(p["path"], p["message"]) for p in response.json()["detail"]] == [
        ("date_of_birth", "a date of birth cannot be in the future")
    ]
    assert client.get("/api/v1/patients", headers=staff).json()["total"] == before
    today = client.post(
        "/api/v1/patients",
        json={"name": "Born Today", "date_of_birth": dt.date.today().isoformat()},
        headers=staff,
    )
    assert today.status_code == 201


def test_a_likely_duplicate_is_saved_with_a_warning_naming_the_other_record(
    client: TestClient, clinic_a: ClinicWorld, clinic_b: ClinicWorld
) -> None:
    person = {"name": "Jamie Rivera", "date_of_birth": "1990-04-12"}
    first = client.post("/api/v1/patients", json=person, headers=clinic_a.practitioner.headers)
    assert first.status_code == 201 and first.json()["warnings"] == []
    # another clinic's patient of the same name and birth is not this clinic's business
    elsewhere = client.post("/api/v1/patients", json=person, headers=clinic_b.practitioner.headers)
    assert elsewhere.status_code == 201 and elsewhere.json()["warnings"] == []
    again = client.post(
        "/api/v1/patients",
        json={"name": "  jamie   RIVERA ", "date_of_birth": "1990-04-12"},
        headers=clinic_a.practitioner.headers,
    )
    assert again.status_code == 201
    other = first.json()["id"]
    assert again.json()["warnings"] == [
        {
            "code": "likely_duplicate",
            "message": f"patient {other} has the same name and date of birth",
            "patient_id": other,
            "href": f"/api/v1/patients/{other}",
        }
    ]
    # a different date of birth, or none, is a different person as far as we can tell
    for born in ("1990-04-13", None):
        response = client.post(
            "/api/v1/patients",
            json={"name": "Jamie Rivera", "date_of_birth": born},
            headers=clinic_a.practitioner.headers,
        )
        assert response.status_code == 201 and response.json()["warnings"] == []
