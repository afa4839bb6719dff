"""Hostile input is a 422 naming the field, never a 500 (issue 16, item 7), on both databases;
the anonymous engine endpoints are rate-limited per address."""

from __future__ import annotations

import pytest
import textstat
from fastapi.testclient import TestClient

from needlesafe.app import create_app
from needlesafe.knowledge.base import Knowledge
from needlesafe.settings import Settings
from tests.api.apikit import ClinicWorld
from tests.reliability.faultkit import csrf_of


@pytest.mark.parametrize("offset", ["9223372036854775808", "99999999999999999999", "-3000000000"])
def test_an_offset_beyond_any_integer_is_a_422_naming_it(
    client: TestClient, clinic_a: ClinicWorld, offset: str
) -> None:
    response = client.get(
        f"/api/v1/checkins?offset={offset}", headers=clinic_a.practitioner.headers
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["path"] == "offset"


def test_a_nul_in_a_stored_text_is_a_422_naming_the_field_and_nothing_is_stored(
    client: TestClient, clinic_a: ClinicWorld
) -> None:
    staff = clinic_a.practitioner.headers
    before = client.get("/api/v1/patients", headers=staff).json()["total"]
    response = client.post("/api/v1/patients", json={"name": "Ann\u0000Lee"}, headers=staff)
    assert response.status_code == 422
    assert response.json()["detail"] == [
        {"path": "name", "message": "control characters (such as NUL) are not allowed"}
    ]
    nested = client.post(
        f"/api/v1/checkin/{clinic_a.link}",
        json={"symptoms": [{"code": "redness\u0007"}], "message": "ok\x1b[31m"},
    )
    assert nested.status_code == 422
    assert {p["path"] for p in nested.json()["detail"]} == {"symptoms[0].code", "message"}
    assert client.get("/api/v1/patients", headers=staff).json()["total"] == before


def test_newlines_and_tabs_are_ordinary_text(client: TestClient, clinic_a: ClinicWorld) -> None:
    response = client.post(
        "/api/v1/patients",
        json={"name": "Ann Lee", "chart_number": "C-1"},
        headers=clinic_a.practitioner.headers,
    )
    assert response.status_code == 201
    answered = client.post(
        f"/api/v1/checkin/{clinic_a.link}", json={"message": "a bit red\n\tand warm"}
    )
    assert answered.status_code == 201


def test_a_nul_in_a_form_or_query_is_refused_with_the_field_named(
    client: TestClient, clinic_a: ClinicWorld
) -> None:
    form = client.post("/login", data={"email": "a\x00@b.example"}, headers={"accept": "text/html"})
    assert form.status_code == 422 and "Email: control characters" in form.text
    query = client.get("/api/v1/patients?search=a%00b", headers=clinic_a.practitioner.headers)
    assert query.status_code == 422
    assert query.json()["detail"][0]["path"] == "search"


def test_anonymous_screening_is_limited_per_address_and_a_token_has_its_own_limit(
    settings: Settings, knowledge: Knowledge, clinic_a: ClinicWorld
) -> None:
    app = create_app(
        settings.model_copy(update={"anonymous_rate_limit": 3, "token_rate_limit": 5}),
        knowledge=knowledge,
    )
    body = {"message": "a little red", "days_since_treatment": 1}
    with TestClient(app, base_url="https://testserver") as client:
        codes = [client.post("/api/v1/triage", json=body).status_code for _ in range(4)]
        assert codes == [200, 200, 200, 429]
        limited = client.post("/api/v1/screen", json={})
        assert limited.status_code == 429 and int(limited.headers["retry-after"]) >= 1
        staff = clinic_a.practitioner.headers
        signed_in = [
            client.post("/api/v1/triage", json=body, headers=staff).status_code for _ in range(6)
        ]
        assert signed_in == [200] * 5 + [429]
        # patients' check-ins are not counted against the address
        assert client.post(f"/api/v1/checkin/{clinic_a.link}", json=body).status_code == 201
    app.state.needlesafe.engine.dispose()


def test_a_nul_typed_into_the_check_in_gets_the_patients_own_form_back(
    client: TestClient, clinic_a: ClinicWorld
) -> None:
    """Not the staff error page: the patient's form, what they typed (without the character)
    and a plain message by the field; nothing is stored."""
    link = f"/checkin/{clinic_a.link}"
    staff = clinic_a.practitioner.headers
    before = client.get("/api/v1/checkins", headers=staff).json()["total"]
    page = client.get(link, headers={"accept": "text/html"})
    answer = client.post(
        link,
        data={
            "csrf_token": csrf_of(page.text),
            "symptoms": ["redness"],
            "message": "my lips\x00 are swelling",
        },
        headers={"accept": "text/html"},
    )
    assert answer.status_code == 422
    assert 'id="f-message"' in answer.text  # the check-in form itself
    message = "Your message has a hidden character we cannot read. Please type it again."
    assert message in answer.text
    assert textstat.flesch_kincaid_grade(message) <= 8
    assert "my lips are swelling" in answer.text and "\x00" not in answer.text
    assert "control characters" not in answer.text
    assert client.get("/api/v1/checkins", headers=staff).json()["total"] == before
