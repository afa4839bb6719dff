"""Every route and its status codes, with the bodies they answer."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.api.apikit import ClinicWorld
from tests.store.dbkit import INTAKE, TREATMENT


def _problems(response: Any) -> list[tuple[str, str]]:
    return [(p["path"], p["message"]) for p in response.json()["detail"]]


# ---------------------------------------------------------------- health and engines


def test_health_needs_no_sign_in(client: TestClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_screen_answers_an_assessment(client: TestClient) -> None:
    response = client.post("/api/v1/screen", json=INTAKE)
    assert response.status_code == 200
    body = response.json()
    assert body["decision"] == "proceed_with_precautions"  # a cold sore history: an antiviral
    assert "herpes_reactivation" in body["risks"]


def test_triage_answers_a_disposition(client: TestClient) -> None:
    response = client.post(
        "/api/v1/triage", json={"days_since_treatment": 1, "symptoms": ["throat_tightness"]}
    )
    assert response.status_code == 200
    assert response.json()["disposition"] == "emergency"


@pytest.mark.parametrize(
    ("path", "body", "where", "words"),
    [
        (
            "/api/v1/screen",
            {**INTAKE, "plan": {**INTAKE["plan"], "device": "pencil"}},
            "plan.device",
            "unknown device",
        ),
        ("/api/v1/screen", {**INTAKE, "extra": 1}, "extra", "unknown field"),
        ("/api/v1/screen", {"plan": INTAKE["plan"]}, "patient", "missing"),
        ("/api/v1/screen", [1, 2], "", "JSON object"),
        ("/api/v1/triage", {"days_since_treatment": -1}, "days_since_treatment", "greater"),
        (
            "/api/v1/triage",
            {"days_since_treatment": 1, "symptoms": ["puss"]},
            "symptoms[0].code",
            "did you mean `pus`",
        ),
        ("/api/v1/triage", {"days_since_treatment": 1, "message": "x" * 5001}, "message", "5000"),
    ],
)
def test_bad_engine_input_is_422_naming_the_field(
    client: TestClient, path: str, body: Any, where: str, words: str
) -> None:
    response = client.post(path, json=body)
    assert response.status_code == 422
    paths = dict(_problems(response))
    assert where in paths, paths
    assert words in paths[where]


@pytest.mark.parametrize(
    "raw",
    [b"", b"{", b"\xff\xfe", b"[" * 5000, b'{"a": 1e999999}', b"null", b"1" * 5000],
    ids=["empty", "truncated", "not-utf8", "deep", "huge-number", "null", "long-int"],
)
@pytest.mark.parametrize("path", ["/api/v1/screen", "/api/v1/triage"])
def test_malformed_bodies_are_422_never_500(client: TestClient, path: str, raw: bytes) -> None:
    response = client.post(path, content=raw, headers={"content-type": "application/json"})
    assert response.status_code == 422, response.text


def test_a_body_over_the_cap_is_413(client: TestClient) -> None:
    response = client.post("/api/v1/triage", content=b" " * 70_000)
    assert response.status_code == 413


def test_a_streamed_body_over_the_cap_is_413(client: TestClient) -> None:
    def chunks() -> Iterator[bytes]:
        for _ in range(20):
            yield b" " * 8192

    response = client.post("/api/v1/triage", content=chunks())
    assert response.status_code == 413


# ---------------------------------------------------------------- signing in


def test_sign_in_gives_a_bearer_token_that_works_until_logout(
    client: TestClient, clinic_a: ClinicWorld
) -> None:
    staff = clinic_a.practitioner
    response = client.post(
        "/api/v1/auth/token", json={"email": staff.email, "password": staff.password}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "bearer" and body["expires_in"] > 0
    headers = {"Authorization": f"Bearer {body['access_token']}"}
    me = client.get("/api/v1/auth/me", headers=headers)
    assert me.status_code == 200
    assert me.json()["email"] == staff.email
    assert "password_hash" not in me.json()
    assert client.post("/api/v1/auth/logout", headers=headers).status_code == 204
    assert client.get("/api/v1/auth/me", headers=headers).status_code == 401


def test_a_wrong_password_is_401(client: TestClient, clinic_a: ClinicWorld) -> None:
    response = client.post(
        "/api/v1/auth/token", json={"email": clinic_a.admin.email, "password": "wrong one"}
    )
    assert response.status_code == 401
    assert _problems(response) == [("", "wrong email or password")]


def test_sign_in_without_fields_is_422(client: TestClient) -> None:
    response = client.post("/api/v1/auth/token", json={"email": "a@b.example"})
    assert response.status_code == 422
    assert _problems(response) == [("password", "required field is missing")]


def test_sign_in_is_rate_limited(client: TestClient, clinic_a: ClinicWorld) -> None:
    staff = clinic_a.admin
    wrong = {"email": staff.email, "password": "wrong password"}
    for _ in range(5):
        assert client.post("/api/v1/auth/token", json=wrong).status_code == 401
    limited = client.post("/api/v1/auth/token", json=wrong)
    assert limited.status_code == 429
    assert int(limited.headers["retry-after"]) > 0
    # even the right password waits out the window
    right = {"email": staff.email, "password": staff.password}
    assert client.post("/api/v1/auth/token", json=right).status_code == 429


# ---------------------------------------------------------------- admin


def test_an_admin_adds_a_user_once(client: TestClient, clinic_a: ClinicWorld) -> None:
    user = {"email": "New@Clinic.example", "role": "practitioner", "password": "long password"}
    first = client.post("/api/v1/users", json=user, headers=clinic_a.admin.headers)
    assert first.status_code == 201
    assert first.json()["email"] == "new@clinic.example"
    assert first.json()["clinic_id"] == clinic_a.clinic_id
    again = client.post("/api/v1/users", json=user, headers=clinic_a.admin.headers)
    assert again.status_code == 409
    bad = client.post(
        "/api/v1/users", json={**user, "role": "owner"}, headers=clinic_a.admin.headers
    )
    assert bad.status_code == 422
    assert _problems(bad)[0][0] == "role"


def test_the_audit_log_lists_reads_and_writes_without_content(
    client: TestClient, clinic_a: ClinicWorld
) -> None:
    client.get(f"/api/v1/patients/{clinic_a.patient}", headers=clinic_a.practitioner.headers)
    log = client.get("/api/v1/audit?limit=200", headers=clinic_a.admin.headers).json()
    assert {"actor", "action", "record_type", "record_id", "at", "user_id"} <= set(log["items"][0])
    newest = log["items"][0]
    assert (newest["action"], newest["record_type"], newest["record_id"]) == (
        "read",
        "patient",
        str(clinic_a.patient),
    )
    assert "Pat Example" not in str(log)


# ---------------------------------------------------------------- patients and intakes


def test_patients_are_created_read_and_listed_with_pages(
    client: TestClient, clinic_a: ClinicWorld
) -> None:
    headers = clinic_a.practitioner.headers
    for name in ("Zed", "Amy", "Bea"):
        assert (
            client.post("/api/v1/patients", json={"name": name}, headers=headers).status_code == 201
        )
    page = client.get("/api/v1/patients?limit=2&offset=1", headers=headers).json()
    assert page["total"] == 4 and page["limit"] == 2 and page["offset"] == 1
    assert [p["name"] for p in page["items"]] == ["Bea", "Pat Example"]
    found = client.get("/api/v1/patients?search=ze", headers=headers).json()
    assert [p["name"] for p in found["items"]] == ["Zed"]


@pytest.mark.parametrize(
    ("body", "path"),
    [
        ({}, "name"),
        ({"name": ""}, "name"),
        ({"name": "A", "date_of_birth": "soon"}, "date_of_birth"),
        ({"name": "A", "x": 1}, "x"),
    ],
)
def test_a_bad_patient_is_422(
    client: TestClient, clinic_a: ClinicWorld, body: dict[str, Any], path: str
) -> None:
    response = client.post("/api/v1/patients", json=body, headers=clinic_a.admin.headers)
    assert response.status_code == 422
    assert _problems(response)[0][0] == path


@pytest.mark.parametrize("query", ["limit=0", "limit=201", "offset=-1", "limit=abc"])
def test_bad_paging_is_422(client: TestClient, clinic_a: ClinicWorld, query: str) -> None:
    response = client.get(f"/api/v1/patients?{query}", headers=clinic_a.admin.headers)
    assert response.status_code == 422
    assert [path for path, _ in _problems(response)] == [query.split("=")[0]]


def test_a_missing_record_is_404(client: TestClient, clinic_a: ClinicWorld) -> None:
    headers = clinic_a.admin.headers
    for path in (
        "/api/v1/patients/999",
        "/api/v1/intakes/999",
        "/api/v1/treatments/999",
        "/api/v1/checkins/999",
        "/api/v1/adverse-events/999",
        "/api/v1/treatments/999/aftercare",
    ):
        assert client.get(path, headers=headers).status_code == 404, path
    assert client.get("/api/v1/patients/abc", headers=headers).status_code == 422


def test_an_intake_is_stored_with_its_assessment(client: TestClient, clinic_a: ClinicWorld) -> None:
    headers = clinic_a.practitioner.headers
    created = client.post(
        f"/api/v1/patients/{clinic_a.patient}/intakes", json=INTAKE, headers=headers
    )
    assert created.status_code == 201
    body = created.json()
    assert body["assessment"]["decision"] == body["decision"]
    assert body["knowledge_version"] == body["assessment"]["knowledge_version"]
    read = client.get(f"/api/v1/intakes/{body['id']}", headers=headers)
    assert read.json() == body
    listed = client.get(f"/api/v1/patients/{clinic_a.patient}/intakes", headers=headers).json()
    assert listed["items"][0]["id"] == body["id"]  # newest first


def test_a_bad_intake_is_422_with_the_path_and_a_suggestion(
    client: TestClient, clinic_a: ClinicWorld
) -> None:
    bad = {"patient": {**INTAKE["patient"], "allergies": ["lidocain"]}, "plan": INTAKE["plan"]}
    response = client.post(
        f"/api/v1/patients/{clinic_a.patient}/intakes", json=bad, headers=clinic_a.admin.headers
    )
    assert response.status_code == 422
    ((path, message),) = _problems(response)
    assert path == "patient.allergies[0]" and "`lidocaine`" in message


# ---------------------------------------------------------------- treatments and check-ins


def test_a_treatment_is_recorded_and_issues_a_patient_link(
    client: TestClient, clinic_a: ClinicWorld
) -> None:
    headers = clinic_a.practitioner.headers
    created = client.post(
        f"/api/v1/patients/{clinic_a.patient}/treatments",
        json={**TREATMENT, "intake_id": clinic_a.intake},
        headers=headers,
    )
    assert created.status_code == 201, created.text
    assert created.json()["override"] is None
    treatment = created.json()
    assert treatment["areas"] == [{"area": "cheeks", "depth_mm": 1.0, "passes": 2}]
    link = client.post(f"/api/v1/treatments/{treatment['id']}/checkin-link", headers=headers)
    assert link.status_code == 201
    assert link.json()["url"] == f"https://clinic.example/checkin/{link.json()['token']}"
    assert client.get(f"/api/v1/checkin/{link.json()['token']}").status_code == 200


def test_a_bad_treatment_is_422(client: TestClient, clinic_a: ClinicWorld) -> None:
    body = {**TREATMENT, "areas": [{"area": "cheeks", "depth_mm": 0}]}
    response = client.post(
        f"/api/v1/patients/{clinic_a.patient}/treatments", json=body, headers=clinic_a.admin.headers
    )
    assert response.status_code == 422
    assert _problems(response)[0][0] == "areas[0].depth_mm"


def test_aftercare_without_a_screening_is_422(client: TestClient, clinic_a: ClinicWorld) -> None:
    headers = clinic_a.practitioner.headers
    body = {**TREATMENT, "override_reason": "entered after the fact from the paper chart"}
    treatment = client.post(
        f"/api/v1/patients/{clinic_a.patient}/treatments", json=body, headers=headers
    ).json()
    assert [c["code"] for c in treatment["override"]["conflicts"]] == ["no_screening"]
    response = client.get(f"/api/v1/treatments/{treatment['id']}/aftercare", headers=headers)
    assert response.status_code == 422
    assert _problems(response)[0][0] == "intake_id"


def test_aftercare_comes_as_json_and_as_a_calendar(
    client: TestClient, clinic_a: ClinicWorld
) -> None:
    headers = clinic_a.practitioner.headers
    plan = client.get(f"/api/v1/treatments/{clinic_a.treatment}/aftercare", headers=headers)
    assert plan.status_code == 200
    assert plan.json()["treatment_date"] == TREATMENT["performed_on"]
    ics = client.get(f"/api/v1/treatments/{clinic_a.treatment}/aftercare.ics", headers=headers)
    assert ics.status_code == 200
    assert ics.headers["content-type"].startswith("text/calendar")
    assert ics.text.startswith("BEGIN:VCALENDAR")
    patient = client.get(f"/api/v1/checkin/{clinic_a.link}/aftercare.ics")
    assert patient.content == ics.content


def test_staff_record_a_checkin_with_context_from_the_screening(
    client: TestClient, clinic_a: ClinicWorld
) -> None:
    response = client.post(
        f"/api/v1/treatments/{clinic_a.treatment}/checkins",
        json={"days_since_treatment": 3, "symptoms": ["blisters"]},
        headers=clinic_a.practitioner.headers,
    )
    assert response.status_code == 201
    body = response.json()
    assert body["source"] == "staff"
    assert body["input"]["patient"]["conditions"] == ["cold_sore_history"]
    assert body["disposition"] == body["triage"]["disposition"]


def test_the_inbox_puts_what_needs_attention_first_and_filters(
    client: TestClient, clinic_a: ClinicWorld
) -> None:
    headers = clinic_a.practitioner.headers
    link = f"/api/v1/checkin/{clinic_a.link}"
    calm = client.post(link, json={"symptoms": ["redness"], "days_since_treatment": 1}).json()
    worst = client.post(link, json={"message": "my throat is tight and I can't breathe"}).json()
    inbox = client.get("/api/v1/checkins", headers=headers).json()
    ids = [c["id"] for c in inbox["items"]]
    assert ids[0] == worst["checkin_id"]  # emergency before the older urgent one
    assert ids[1] == clinic_a.checkin
    assert ids[-1] == calm["checkin_id"]
    only = client.get("/api/v1/checkins?disposition=emergency", headers=headers).json()
    assert [c["id"] for c in only["items"]] == [worst["checkin_id"]]
    attention = client.get("/api/v1/checkins?needs_attention=true", headers=headers).json()
    assert calm["checkin_id"] not in {c["id"] for c in attention["items"]}
    bad = client.get("/api/v1/checkins?disposition=panic", headers=headers)
    assert bad.status_code == 422


def test_a_checkin_is_marked_handled_with_a_note(client: TestClient, clinic_a: ClinicWorld) -> None:
    headers = clinic_a.practitioner.headers
    url = f"/api/v1/checkins/{clinic_a.checkin}/handled"
    done = client.post(url, json={"note": "Called, fine."}, headers=headers)
    assert done.status_code == 200
    assert done.json()["handled"] is True and done.json()["needs_attention"] is False
    assert done.json()["handled_note"] == "Called, fine."
    assert client.post(url, json={"note": "x" * 5001}, headers=headers).status_code == 422
    assert client.post(url, json={"nope": 1}, headers=headers).status_code == 422


def test_a_patient_checkin_with_bad_input_is_422_and_not_stored(
    client: TestClient, clinic_a: ClinicWorld
) -> None:
    link = f"/api/v1/checkin/{clinic_a.link}"
    for body, path in (
        ({"message": "x" * 5001}, "message"),
        ({"symptoms": ["rednes"]}, "symptoms[0].code"),
        ({"temperature_c": 80}, "temperature_c"),
    ):
        response = client.post(link, json=body)
        assert response.status_code == 422
        assert _problems(response)[0][0] == path
    total = client.get("/api/v1/checkins", headers=clinic_a.admin.headers).json()["total"]
    assert total == 1


# ---------------------------------------------------------------- adverse events


def test_adverse_events_are_recorded_read_and_listed(
    client: TestClient, clinic_a: ClinicWorld
) -> None:
    headers = clinic_a.practitioner.headers
    event = {
        "patient_id": clinic_a.patient,
        "treatment_id": clinic_a.treatment,
        "complication": "hyperpigmentation",
        "onset_date": (dt.date.today() - dt.timedelta(days=1)).isoformat(),
        "ctcae_grade": 1,
        "icd10_code": "L81.0",
        "serious": False,
        "actions": "sun protection",
        "outcome": "recovering",
        "product_lot": "HA-1",
    }
    created = client.post("/api/v1/adverse-events", json=event, headers=headers)
    assert created.status_code == 201
    got = client.get(f"/api/v1/adverse-events/{created.json()['id']}", headers=headers)
    assert got.json()["icd10_code"] == "L81.0"
    listed = client.get(
        "/api/v1/adverse-events?complication=hyperpigmentation", headers=headers
    ).json()
    assert [e["id"] for e in listed["items"]] == [created.json()["id"]]
    bad = client.post("/api/v1/adverse-events", json={**event, "ctcae_grade": 7}, headers=headers)
    assert bad.status_code == 422 and _problems(bad)[0][0] == "ctcae_grade"
    unknown = client.post(
        "/api/v1/adverse-events", json={**event, "complication": "scaring"}, headers=headers
    )
    assert unknown.status_code == 422 and "`scarring`" in _problems(unknown)[0][1]


# ---------------------------------------------------------------- the frame


def test_unknown_routes_and_methods_answer_in_the_same_shape(client: TestClient) -> None:
    missing = client.get("/api/v1/nothing")
    assert missing.status_code == 404 and _problems(missing)[0][0] == ""
    wrong = client.delete("/api/v1/patients")
    assert wrong.status_code == 405


def test_responses_carry_security_headers(client: TestClient) -> None:
    response = client.get("/healthz")
    headers = response.headers
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["x-frame-options"] == "DENY"
    assert headers["referrer-policy"] == "no-referrer"
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert headers["strict-transport-security"].startswith("max-age=")
    api = client.get("/api/v1/patients")
    assert api.headers["cache-control"] == "no-store"


def test_the_openapi_document_describes_every_route_with_schemas(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    assert spec["openapi"].startswith("3.1")
    schemas = spec["components"]["schemas"]
    for name in ("Intake", "CheckIn", "Assessment", "Triage", "PatientPublic", "TreatmentCreate"):
        assert name in schemas, name
    paths = spec["paths"]
    expected = {
        "/healthz",
        "/api/v1/screen",
        "/api/v1/triage",
        "/api/v1/auth/token",
        "/api/v1/patients",
        "/api/v1/patients/{patient_id}",
        "/api/v1/patients/{patient_id}/intakes",
        "/api/v1/patients/{patient_id}/treatments",
        "/api/v1/treatments/{treatment_id}/aftercare",
        "/api/v1/checkins",
        "/api/v1/checkins/{checkin_id}/handled",
        "/api/v1/adverse-events",
        "/api/v1/checkin/{token}",
        "/api/v1/users",
        "/api/v1/audit",
    }
    assert expected <= set(paths)
    screen = paths["/api/v1/screen"]["post"]
    assert screen["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Intake"
    }
    for ref in _refs(spec):
        assert ref.startswith("#/components/schemas/")
        assert ref.split("/")[-1] in schemas, ref


def _refs(node: Any) -> set[str]:
    if isinstance(node, dict):
        found = {node["$ref"]} if isinstance(node.get("$ref"), str) else set()
        return found.union(*(_refs(v) for v in node.values()))
    if isinstance(node, list):
        return set().union(*(_refs(v) for v in node))
    return set()


def test_the_log_holds_no_patient_data(
    client: TestClient, clinic_a: ClinicWorld, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("DEBUG")
    client.post(f"/api/v1/checkin/{clinic_a.link}", json={"message": "Pat Example has pus"})
    client.get(f"/api/v1/patients/{clinic_a.patient}", headers=clinic_a.admin.headers)
    text = "\n".join(
        r.getMessage()
        for r in caplog.records
        if not r.name.startswith("httpx")  # the client's
    )
    assert "POST /api/v1/checkin/{token} 201" in text
    assert clinic_a.link not in text and "pus" not in text and "Pat Example" not in text


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/patients/99999999999999999999",
        "/api/v1/patients/0",
        "/api/v1/intakes/2147483648",
        "/api/v1/treatments/-1",
        "/api/v1/checkins?patient_id=99999999999999",
        "/api/v1/adverse-events?treatment_id=0",
    ],
)
def test_ids_out_of_range_are_422_not_a_database_error(
    client: TestClient, clinic_a: ClinicWorld, path: str
) -> None:
    response = client.get(path, headers=clinic_a.admin.headers)
    assert response.status_code == 422, response.text


def test_ids_out_of_range_in_a_body_are_422(client: TestClient, clinic_a: ClinicWorld) -> None:
    event = {
        "patient_id": 2**40,
        "complication": "infection",
        "onset_date": (dt.date.today() - dt.timedelta(days=1)).isoformat(),
        "ctcae_grade": 1,
    }
    response = client.post("/api/v1/adverse-events", json=event, headers=clinic_a.admin.headers)
    assert response.status_code == 422
    assert _problems(response)[0][0] == "patient_id"


@pytest.mark.parametrize(
    ("method", "path"), [("POST", "/api/v1/auth/logout"), ("GET", "/api/v1/auth/me")]
)
def test_auth_routes_need_a_token(client: TestClient, method: str, path: str) -> None:
    assert client.request(method, path).status_code == 401
