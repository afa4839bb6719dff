"""No input makes a 500: arbitrary JSON to every route that takes a body."""

from __future__ import annotations

import json
from typing import Any

from apikit import ClinicWorld
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st


SCALARS = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30)
KEYS = st.sampled_from(
    [
        "patient",
        "plan",
        "age",
        "fitzpatrick",
        "areas",
        "needle_depth_mm",
        "device",
        "symptoms",
        "message",
        "days_since_treatment",
        "name",
        "performed_on",
        "patient_id",
        "ctcae_grade",
        "complication",
        "onset_date",
        "icd10_code",
        "note",
        "email",
        "password",
        "role",
        "code",
    ]
) | st.text(max_size=10)
JSON = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(KEYS, inner, max_size=6),
    max_leaves=20,
)

ROUTES = [
    "/api/v1/screen",
    "/api/v1/triage",
    "/api/v1/auth/token",
    "/api/v1/patients",
    "/api/v1/users",
    "/api/v1/adverse-events",
    "/api/v1/patients/{patient}/intakes",
    "/api/v1/patients/{patient}/treatments",
    "/api/v1/treatments/{treatment}/checkins",
    "/api/v1/checkins/{checkin}/handled",
    "/api/v1/checkin/{link}",
]


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(route=st.sampled_from(ROUTES), body=JSON)
def test_no_json_body_makes_a_server_error(
    client: TestClient, clinic_a: ClinicWorld, route: str, body: Any
) -> None:
    url = route.format(
        patient=clinic_a.patient,
        treatment=clinic_a.treatment,
        checkin=clinic_a.checkin,
        link=clinic_a.link,
    )
    raw = json.dumps(body, allow_nan=True)
    response = client.post(
        url, content=raw, headers={**clinic_a.admin.headers, "content-type": "application/json"}
    )
    assert response.status_code < 500, (url, raw, response.text)
    assert isinstance(
        response.json()["detail"] if response.status_code >= 400 else {}, (list, dict)
    )
