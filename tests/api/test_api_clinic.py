"""The clinic's phone and emergency number: set by an admin, shown to its patients."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.api.apikit import ClinicWorld


def test_staff_read_their_clinic_and_an_admin_sets_its_numbers(
    client: TestClient, clinic_a: ClinicWorld, clinic_b: ClinicWorld
) -> None:
    shown = client.get("/api/v1/clinic", headers=clinic_a.practitioner.headers)
    assert shown.status_code == 200
    assert shown.json()["id"] == clinic_a.clinic_id
    assert shown.json()["phone"] is None and shown.json()["emergency_number"] == "911"

    changed = client.patch(
        "/api/v1/clinic",
        json={"phone": "+44 20 7946 0100", "emergency_number": "999"},
        headers=clinic_a.admin.headers,
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["phone"] == "+44 20 7946 0100"
    assert changed.json()["emergency_number"] == "999"
    # only this clinic
    other = client.get("/api/v1/clinic", headers=clinic_b.admin.headers).json()
    assert other["phone"] is None and other["emergency_number"] == "911"
    # a field left out stays; the phone can be cleared
    cleared = client.patch(
        "/api/v1/clinic", json={"phone": None}, headers=clinic_a.admin.headers
    ).json()
    assert cleared["phone"] is None and cleared["emergency_number"] == "999"


def test_a_practitioner_cannot_change_the_clinic(client: TestClient, clinic_a: ClinicWorld) -> None:
    response = client.patch(
        "/api/v1/clinic", json={"phone": "555 0100"}, headers=clinic_a.practitioner.headers
    )
    assert response.status_code == 403
    assert client.patch("/api/v1/clinic", json={"phone": "555 0100"}).status_code == 401


@pytest.mark.parametrize(
    ("body", "path"),
    [
        ({"phone": "call us"}, "phone"),
        ({"phone": "1"}, "phone"),
        ({"emergency_number": "nine-one-one"}, "emergency_number"),
        ({"emergency_number": None}, "emergency_number"),
        ({"fax": "555"}, "fax"),
    ],
)
def test_bad_clinic_numbers_are_422_naming_the_field(
    client: TestClient, clinic_a: ClinicWorld, body: dict[str, Any], path: str
) -> None:
    response = client.patch("/api/v1/clinic", json=body, headers=clinic_a.admin.headers)
    assert response.status_code == 422
    assert response.json()["detail"][0]["path"] == path
    assert client.get("/api/v1/clinic", headers=clinic_a.admin.headers).json()["phone"] is None


def test_the_patients_aftercare_and_link_name_the_clinics_numbers(
    client: TestClient, clinic_a: ClinicWorld
) -> None:
    client.patch(
        "/api/v1/clinic",
        json={"phone": "555 0123", "emergency_number": "112"},
        headers=clinic_a.admin.headers,
    )
    view = client.get(f"/api/v1/checkin/{clinic_a.link}").json()
    assert view["clinic_phone"] == "555 0123" and view["emergency_number"] == "112"
    plan = client.get(f"/api/v1/checkin/{clinic_a.link}/aftercare").json()
    calls = {flag["action"]: flag["action_text"] for flag in plan["red_flags"]}
    assert "112" in calls["emergency"]
    assert "555 0123" in calls["contact_clinic"]
    staff_plan = client.get(
        f"/api/v1/treatments/{clinic_a.treatment}/aftercare", headers=clinic_a.admin.headers
    ).json()
    assert staff_plan["red_flags"] == plan["red_flags"]


def test_changing_the_clinic_is_audited(client: TestClient, clinic_a: ClinicWorld) -> None:
    client.patch("/api/v1/clinic", json={"phone": "555 0100"}, headers=clinic_a.admin.headers)
    audit = client.get("/api/v1/audit", headers=clinic_a.admin.headers).json()["items"]
    assert {"action": "update", "record_type": "clinic"}.items() <= audit[0].items()
