"""The consent routes: page, PDF, signing; a signed consent is immutable and clinic-scoped."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from pydantic import SecretStr

from needlesafe.app import create_app
from needlesafe.knowledge.base import Knowledge
from needlesafe.services import accounts, clinics
from needlesafe.services.context import Actor
from needlesafe.settings import Settings
from needlesafe.store.db import make_engine, make_session_factory
from needlesafe.store.migrate import upgrade
from needlesafe.store.uow import UnitOfWork

PASSWORD = "correct horse battery staple 42"
ADULT = {
    "patient": {"age": 35, "fitzpatrick": "IV", "conditions": ["cold_sore_history"]},
    "plan": {"areas": ["perioral"], "needle_depth_mm": 0.5, "device": "pen"},
}
MINOR = {
    "patient": {"age": 16, "fitzpatrick": "II"},
    "plan": {"areas": ["cheeks"], "needle_depth_mm": 0.5, "device": "pen"},
}
DEFERRED = {
    "patient": {"age": 30, "fitzpatrick": "II", "conditions": ["active_cold_sore"]},
    "plan": {"areas": ["perioral"], "needle_depth_mm": 0.5, "device": "pen"},
}
PHONE = "020 7946 0100"  # Riverside's, from the clinic record; the other clinic has none


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'test.db'}"
    engine = make_engine(url)
    upgrade(engine)
    uow = UnitOfWork(make_session_factory(engine))
    for clinic, phone in (("Riverside Skin Clinic", PHONE), ("Other Clinic", None)):
        accounts.create_clinic(uow, name=clinic, phone=phone, emergency_number="999")
        accounts.create_user_for_clinic(
            uow,
            clinic_name=clinic,
            email=f"doc@{clinic.split()[0].lower()}.example",
            role="practitioner",
            password=PASSWORD,
            name=f"Dr {clinic.split()[0]}",
        )
    engine.dispose()
    return url


@pytest.fixture
def client(database_url: str, knowledge: Knowledge) -> Iterator[TestClient]:
    settings = Settings(
        environment="test", database_url=database_url, secret_key=SecretStr("s" * 40)
    )
    with TestClient(create_app(settings, knowledge=knowledge)) as test_client:
        yield test_client


def headers_for(client: TestClient, email: str) -> dict[str, str]:
    response = client.post("/api/v1/auth/token", json={"email": email, "password": PASSWORD})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


@pytest.fixture
def staff(client: TestClient) -> dict[str, str]:
    return headers_for(client, "doc@riverside.example")


@pytest.fixture
def outsider(client: TestClient) -> dict[str, str]:
    return headers_for(client, "doc@other.example")


def screened(client: TestClient, headers: dict[str, str], intake: dict[str, Any]) -> str:
    """A patient with one screening; returns the consent path."""
    patient = client.post("/api/v1/patients", json={"name": "Alex <b>Morgan</b>"}, headers=headers)
    assert patient.status_code == 201, patient.text
    patient_id = patient.json()["id"]
    made = client.post(f"/api/v1/patients/{patient_id}/intakes", json=intake, headers=headers)
    assert made.status_code == 201, made.text
    return f"/api/v1/patients/{patient_id}/intakes/{made.json()['id']}/consent"


def shown_version(client: TestClient, headers: dict[str, str], path: str) -> str:
    page = client.get(path, headers=headers)
    assert page.status_code == 200, page.text
    version: str = page.headers["X-Consent-Sheet-Version"]
    return version


def sign_body(version: str, **extra: Any) -> dict[str, Any]:
    return {
        "sheet_version": version,
        "patient_signer": "Alex Morgan",
        **extra,
    }


def test_the_consent_page_is_printable_html_for_this_patient(
    client: TestClient, staff: dict[str, str]
) -> None:
    path = screened(client, staff, ADULT)
    page = client.get(path, headers=staff)
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "Cold sore flare-up" in page.text
    assert "window.print()" in page.text
    assert "@page" in page.text and "size: A4" in page.text
    assert "Alex &lt;b&gt;Morgan&lt;/b&gt;" in page.text  # the patient's name, escaped
    assert "Riverside Skin Clinic" in page.text


def test_the_sheet_prints_the_clinics_own_phone_and_emergency_number(
    client: TestClient, staff: dict[str, str]
) -> None:
    path = screened(client, staff, ADULT)
    page = client.get(path, headers=staff).text.replace("\u00a0", " ")
    assert f"Clinic phone: <strong>{PHONE}</strong>" in page
    assert "Emergency: <strong>999</strong>" in page
    assert "Call 999 now." in page and f"at {PHONE}" in page  # the warning signs


def test_a_clinic_without_a_phone_gets_no_sheet_until_an_admin_sets_one(
    client: TestClient, outsider: dict[str, str], database_url: str
) -> None:
    path = screened(client, outsider, ADULT)
    for suffix in ("", ".pdf"):
        response = client.get(path + suffix, headers=outsider)
        assert response.status_code == 409
        assert "no phone number" in response.json()["detail"][0]["message"]
    set_phone(database_url, "Other Clinic", "555 0199")
    page = client.get(path, headers=outsider)
    assert page.status_code == 200
    assert "555 0199" in page.text.replace("\u00a0", " ")


def test_the_old_phone_parameters_are_gone(client: TestClient, staff: dict[str, str]) -> None:
    path = screened(client, staff, ADULT)
    page = client.get(path, params={"phone": "1 2 3", "emergency": "000"}, headers=staff)
    assert "1 2 3" not in page.text.replace("\u00a0", " ")
    version = page.headers["X-Consent-Sheet-Version"]
    response = client.post(path + "/sign", json=sign_body(version, phone="1"), headers=staff)
    assert response.status_code == 422
    assert response.json()["detail"][0]["path"] == "phone"


def set_phone(database_url: str, clinic: str, phone: str) -> None:
    engine = make_engine(database_url)
    uow = UnitOfWork(make_session_factory(engine))
    with uow:
        row = uow.clinics.by_name(clinic)
        assert row is not None
        clinic_id = row.id
    admin = Actor(user_id=None, clinic_id=clinic_id, role="admin")
    clinics.update_clinic(uow, actor=admin, changes={"phone": phone})
    engine.dispose()


def test_the_consent_pdf_is_a_pdf(client: TestClient, staff: dict[str, str]) -> None:
    path = screened(client, staff, ADULT)
    response = client.get(path + ".pdf", headers=staff)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    assert "X-Consent-Signed-At" not in response.headers


def test_signing_records_who_when_which_version_and_the_pdf_hash(
    client: TestClient, staff: dict[str, str]
) -> None:
    path = screened(client, staff, ADULT)
    version = shown_version(client, staff, path)
    signed = client.post(path + "/sign", json=sign_body(version), headers=staff)
    assert signed.status_code == 201, signed.text
    record = signed.json()
    assert record["sheet_version"] == version
    assert record["patient_signer"] == "Alex Morgan"
    assert record["practitioner_signer"] == "Dr Riverside"
    assert record["signed_at"]
    assert len(record["pdf_sha256"]) == 64

    # Afterwards the PDF is exactly the signed file, and the page shows the signed sheet.
    pdf = client.get(path + ".pdf", headers=staff)
    assert hashlib.sha256(pdf.content).hexdigest() == record["pdf_sha256"]
    assert pdf.headers["X-Consent-Pdf-Sha256"] == record["pdf_sha256"]
    page = client.get(path, headers=staff)
    assert page.headers["X-Consent-Sheet-Version"] == version
    assert PHONE in page.text.replace("\u00a0", " ")


def test_a_second_signature_is_refused(client: TestClient, staff: dict[str, str]) -> None:
    path = screened(client, staff, ADULT)
    version = shown_version(client, staff, path)
    assert client.post(path + "/sign", json=sign_body(version), headers=staff).status_code == 201
    again = client.post(
        path + "/sign", json=sign_body(version, patient_signer="Someone Else"), headers=staff
    )
    assert again.status_code == 409
    assert "already signed" in again.text


def test_signing_a_sheet_that_changed_since_it_was_shown_is_refused(
    client: TestClient, staff: dict[str, str], database_url: str
) -> None:
    path = screened(client, staff, ADULT)
    version = shown_version(client, staff, path)
    set_phone(database_url, "Riverside Skin Clinic", "555 9999")  # not the sheet they read
    response = client.post(path + "/sign", json=sign_body(version), headers=staff)
    assert response.status_code == 409
    assert "changed" in response.text


def test_a_deferred_screening_cannot_be_signed(client: TestClient, staff: dict[str, str]) -> None:
    path = screened(client, staff, DEFERRED)
    version = shown_version(client, staff, path)
    response = client.post(path + "/sign", json=sign_body(version), headers=staff)
    assert response.status_code == 409
    assert "not for signing" in response.text


def test_a_minor_needs_a_guardian_signature(client: TestClient, staff: dict[str, str]) -> None:
    path = screened(client, staff, MINOR)
    version = shown_version(client, staff, path)
    without = client.post(path + "/sign", json=sign_body(version), headers=staff)
    assert without.status_code == 422
    assert "guardian_signer" in without.text
    with_guardian = client.post(
        path + "/sign", json=sign_body(version, guardian_signer="Pat Morgan"), headers=staff
    )
    assert with_guardian.status_code == 201, with_guardian.text
    assert with_guardian.json()["guardian_signer"] == "Pat Morgan"


@pytest.mark.parametrize(
    "body",
    [
        {"patient_signer": "A"},  # no version
        {"sheet_version": "nothex", "patient_signer": "A"},
        {"sheet_version": "0" * 16, "patient_signer": ""},
        {"sheet_version": "0" * 16, "patient_signer": "A", "extra": True},
    ],
)
def test_a_bad_sign_request_is_422_naming_the_field(
    client: TestClient, staff: dict[str, str], body: dict[str, Any]
) -> None:
    path = screened(client, staff, ADULT)
    response = client.post(path + "/sign", json=body, headers=staff)
    assert response.status_code == 422
    assert response.json()["detail"][0]["path"]


def test_another_clinic_cannot_read_or_sign(
    client: TestClient, staff: dict[str, str], outsider: dict[str, str]
) -> None:
    path = screened(client, staff, ADULT)
    version = shown_version(client, staff, path)
    assert client.get(path, headers=outsider).status_code == 404
    assert client.get(path + ".pdf", headers=outsider).status_code == 404
    signed = client.post(path + "/sign", json=sign_body(version), headers=outsider)
    assert signed.status_code == 404


def test_consent_routes_need_a_signed_in_user(client: TestClient, staff: dict[str, str]) -> None:
    path = screened(client, staff, ADULT)
    assert client.get(path).status_code == 401
    assert client.post(path + "/sign", json=sign_body("0" * 16)).status_code == 401


def test_the_consent_api_is_under_api_v1_and_answers_like_the_api(
    client: TestClient, staff: dict[str, str], outsider: dict[str, str]
) -> None:
    """A bearer-token API: JSON errors even to a browser's Accept, no CSRF cookie; the old
    paths outside /api/v1 are gone (no client used them)."""
    path = screened(client, staff, ADULT)
    assert path.startswith("/api/v1/patients/")
    refused = client.get(path, headers={**outsider, "accept": "text/html"})
    assert refused.status_code == 404
    missing = "no such intake for this patient"
    assert refused.json() == {"detail": [{"path": "", "message": missing}]}
    assert "needlesafe_csrf" not in refused.headers.get("set-cookie", "")
    assert client.get(path.removeprefix("/api/v1"), headers=staff).status_code == 404


def test_a_wrong_patient_for_the_intake_is_not_found(
    client: TestClient, staff: dict[str, str]
) -> None:
    path = screened(client, staff, ADULT)
    other = screened(client, staff, ADULT)
    mixed = other.split("/intakes/")[0] + "/intakes/" + path.split("/intakes/")[1]
    assert client.get(mixed, headers=staff).status_code == 404


def test_the_database_refuses_to_change_or_delete_a_signed_consent(
    client: TestClient, staff: dict[str, str], database_url: str
) -> None:
    path = screened(client, staff, ADULT)
    version = shown_version(client, staff, path)
    assert client.post(path + "/sign", json=sign_body(version), headers=staff).status_code == 201
    engine = make_engine(database_url)
    try:
        for statement in (
            "UPDATE signed_consents SET patient_signer = 'Mallory'",
            "DELETE FROM signed_consents",
        ):
            with pytest.raises(sa.exc.DBAPIError, match="cannot be changed"), engine.begin() as c:
                c.execute(sa.text(statement))
    finally:
        engine.dispose()


def test_reading_and_signing_consent_is_audited(
    client: TestClient, staff: dict[str, str], database_url: str
) -> None:
    path = screened(client, staff, ADULT)
    version = shown_version(client, staff, path)
    client.post(path + "/sign", json=sign_body(version), headers=staff)
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            actions = (
                connection.execute(
                    sa.text("SELECT action FROM audit_events WHERE record_type = 'consent'")
                )
                .scalars()
                .all()
            )
    finally:
        engine.dispose()
    assert "read" in actions and "create" in actions
