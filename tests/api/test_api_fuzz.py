"""No input makes a 500: arbitrary JSON to every route that takes a body (POST, PUT, PATCH),
the routes taken from the app itself, so a new route is fuzzed the day it is added."""

from __future__ import annotations

import json
from typing import Any

from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.api.apikit import ClinicWorld, app_routes, fill_path, route_shape

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

BODY_METHODS = {"POST", "PUT", "PATCH"}
# routes not fuzzed here, and why (each must still be a route of the app)
NOT_HERE = {
    ("POST", "/api/v1/auth/logout"): "ends the session the other examples use (no body read)",
    ("POST", "/api/v1/checkin/{}/photos"): "multipart photos: tests/followup/test_photos.py",
}
ROUTES = [
    (method, path)
    for method, path in app_routes()
    if method in BODY_METHODS and (method, route_shape(path)) not in NOT_HERE
]


def test_the_fuzzed_routes_are_the_apps() -> None:
    every = {(m, route_shape(p)) for m, p in app_routes()}
    assert set(NOT_HERE) <= every, "a route listed in NOT_HERE is not in the app any more"
    assert len(ROUTES) >= 25  # the engines, records, consents, follow-up, interop, admin


@settings(
    max_examples=250,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(route=st.sampled_from(ROUTES), body=JSON)
def test_no_json_body_makes_a_server_error(
    client: TestClient, clinic_a: ClinicWorld, route: tuple[str, str], body: Any
) -> None:
    method, template = route
    url = fill_path(template, clinic_a)
    raw = json.dumps(body, allow_nan=True)
    response = client.request(
        method,
        url,
        content=raw,
        headers={**clinic_a.admin.headers, "content-type": "application/json"},
    )
    assert response.status_code < 500, (url, raw, response.text)
    assert isinstance(
        response.json()["detail"] if response.status_code >= 400 else {}, (list, dict)
    )
