"""Adverse events followed through the API (update, close, history, the open list) and a lot
traced through the API, as JSON and CSV."""

from __future__ import annotations

import datetime as dt

from fastapi.testclient import TestClient

from tests.api.apikit import ClinicWorld


def today() -> dt.date:
    """Today (UTC), asked when a test runs: a constant taken at import goes stale when a run
    crosses midnight."""
    return dt.datetime.now(dt.UTC).date()


def test_an_event_is_updated_closed_and_its_history_read(
    client: TestClient, clinic_a: ClinicWorld
) -> None:
    headers = clinic_a.practitioner.headers
    path = f"/api/v1/adverse-events/{clinic_a.adverse_event}"
    follow = (today() + dt.timedelta(days=3)).isoformat()
    updated = client.patch(
        path,
        json={"ctcae_grade": 3, "follow_up_on": follow, "actions": "antibiotics"},
        headers=headers,
    )
    assert updated.status_code == 200, updated.text
    assert (updated.json()["ctcae_grade"], updated.json()["follow_up_on"]) == (3, follow)
    listed = client.get("/api/v1/adverse-events?status=open", headers=headers).json()
    assert [e["id"] for e in listed["items"]] == [clinic_a.adverse_event]
    closed = client.post(
        path + "/close",
        json={"resolved_on": today().isoformat(), "outcome": "recovered"},
        headers=headers,
    )
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    assert client.get("/api/v1/adverse-events?status=open", headers=headers).json()["total"] == 0
    again = client.patch(path, json={"ctcae_grade": 1}, headers=headers)
    assert again.status_code == 409
    history = client.get(path + "/history", headers=headers).json()
    assert [h["action"] for h in history] == ["open", "update", "close"]
    assert history[1]["changes"]["ctcae_grade"] == {"from": 2, "to": 3}
    assert history[2]["user_id"] == clinic_a.practitioner.actor.user_id


def test_bad_follow_up_input_is_422_naming_the_field(
    client: TestClient, clinic_a: ClinicWorld
) -> None:
    headers = clinic_a.admin.headers
    path = f"/api/v1/adverse-events/{clinic_a.adverse_event}"
    cases = [
        ("PATCH", path, {"ctcae_grade": 9}, "ctcae_grade"),
        ("PATCH", path, {"colour": "red"}, "colour"),
        ("POST", path + "/close", {"outcome": "recovered"}, "resolved_on"),
        (
            "POST",
            path + "/close",
            {"resolved_on": today().isoformat(), "outcome": "fine"},
            "outcome",
        ),
        ("GET", "/api/v1/adverse-events?status=pending", None, "status"),
    ]
    for method, url, body, field in cases:
        response = client.request(method, url, json=body, headers=headers)
        assert response.status_code == 422, (url, body, response.text)
        assert response.json()["detail"][0]["path"] == field


def test_dates_that_conflict_with_the_record_are_409_naming_the_field(
    client: TestClient, clinic_a: ClinicWorld
) -> None:
    """Well-formed dates that contradict what is stored (or today) are a conflict, not input
    the schema refuses (issue 16: the spec says which requests are well formed)."""
    path = f"/api/v1/adverse-events/{clinic_a.adverse_event}"
    for method, url, body, field in [
        ("PATCH", path, {"follow_up_on": "2020-01-01"}, "follow_up_on"),
        (
            "POST",
            path + "/close",
            {"resolved_on": "2020-01-01", "outcome": "recovered"},
            "resolved_on",
        ),
    ]:
        response = client.request(method, url, json=body, headers=clinic_a.admin.headers)
        assert response.status_code == 409, (url, body, response.text)
        assert response.json()["detail"][0]["path"] == field


def test_an_onset_before_the_treatment_is_409(client: TestClient, clinic_a: ClinicWorld) -> None:
    response = client.post(
        "/api/v1/adverse-events",
        json={
            "patient_id": clinic_a.patient,
            "treatment_id": clinic_a.treatment,
            "complication": "infection",
            "onset_date": (today() - dt.timedelta(days=20)).isoformat(),
            "ctcae_grade": 1,
        },
        headers=clinic_a.admin.headers,
    )
    assert response.status_code == 409
    assert response.json()["detail"][0]["path"] == "onset_date"


def test_a_lot_is_traced_as_json_and_csv(client: TestClient, clinic_a: ClinicWorld) -> None:
    headers = clinic_a.practitioner.headers
    trace = client.get("/api/v1/lots/HA-1/treatments", headers=headers)
    assert trace.status_code == 200
    use = trace.json()["treatments"][0]
    assert (use["treatment_id"], use["patient_name"], use["used_as"], use["product"]) == (
        clinic_a.treatment,
        "Pat Example",
        ["topical"],
        ["hyaluronic_acid"],
    )
    assert use["practitioner_id"] == clinic_a.practitioner.actor.user_id
    csv = client.get("/api/v1/lots/HA-1/treatments.csv", headers=headers)
    assert csv.headers["content-type"].startswith("text/csv")
    assert "attachment" in csv.headers["content-disposition"]
    assert client.get("/api/v1/lots/unknown/treatments", headers=headers).json()["treatments"] == []
    too_long = client.get("/api/v1/lots/" + "x" * 65 + "/treatments", headers=headers)
    assert too_long.status_code == 422
