"""FHIR import to start a screening: a Bundle of the patient's record pre-fills the intake's
patient part, with what could not be mapped listed for the clinician."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from fastapi.testclient import TestClient

from needlesafe.interop import fhir_in
from needlesafe.interop.cds import code_map_of
from needlesafe.knowledge.base import Knowledge
from tests.api.apikit import ClinicWorld
from tests.interop.fhir_examples import (
    ICD10CM,
    PATIENT,
    RXNORM,
    SNOMED,
    allergy,
    condition,
    medication,
    searchset,
    skin_type,
)


def record(*resources: dict[str, Any]) -> dict[str, Any]:
    return {**searchset(*resources), "type": "collection"}


def test_a_bundle_prefills_the_intake_and_lists_what_it_could_not_map(
    client: TestClient, clinic_a: ClinicWorld
) -> None:
    stopped = (dt.date.today() - dt.timedelta(days=90)).isoformat()
    bundle = record(
        PATIENT,
        condition(SNOMED, "1475003", "Herpes labialis", "resolved"),
        condition(SNOMED, "33659008", "Keloid scar"),
        condition(ICD10CM, "L81.0", "Postinflammatory hyperpigmentation"),
        condition(SNOMED, "38341003", "Hypertensive disorder"),
        medication("11289", "warfarin"),
        medication("6064", "isotretinoin", "completed", stopped),
        medication("860975", "metformin 500 MG"),
        allergy(RXNORM, "6387", "lidocaine"),
        skin_type("V"),
    )
    response = client.post(
        f"/api/v1/patients/{clinic_a.patient}/intakes/from-fhir",
        json=bundle,
        headers=clinic_a.practitioner.headers,
    )
    assert response.status_code == 200, response.text
    body = response.json()
    patient = body["intake"]["patient"]
    assert patient["fitzpatrick"] == "V"
    assert 30 <= patient["age"] <= 40  # born 1990
    assert patient["conditions"] == ["cold_sore_history", "keloid_history", "pih_history"]
    assert patient["medications"] == [
        "anticoagulant",
        {"code": "isotretinoin", "stopped_days_ago": 90},
    ]
    assert patient["allergies"] == ["lidocaine"]
    assert {u["code"] for u in body["unmapped"]} == {"38341003", "860975"}
    assert body["to_confirm"] == ["plan"]
    assert body["resources_read"] == 8


@pytest.mark.logic_only
def test_the_draft_screens_once_the_clinician_adds_the_plan(
    client: TestClient, clinic_a: ClinicWorld
) -> None:
    headers = clinic_a.practitioner.headers
    draft = client.post(
        f"/api/v1/patients/{clinic_a.patient}/intakes/from-fhir",
        json=record(PATIENT, condition(SNOMED, "1475003", "Herpes labialis"), skin_type("III")),
        headers=headers,
    ).json()["intake"]
    plan = {"areas": ["perioral"], "needle_depth_mm": 0.5, "device": "pen"}
    screened = client.post(
        f"/api/v1/patients/{clinic_a.patient}/intakes",
        json={**draft, "plan": plan},
        headers=headers,
    )
    assert screened.status_code == 201, screened.text
    assert screened.json()["decision"] == "defer"  # an active cold sore


@pytest.mark.logic_only
def test_without_a_skin_type_or_birth_date_the_draft_says_what_to_confirm(
    client: TestClient, clinic_a: ClinicWorld
) -> None:
    body = client.post(
        f"/api/v1/patients/{clinic_a.patient}/intakes/from-fhir",
        json=record(),
        headers=clinic_a.practitioner.headers,
    ).json()
    assert body["to_confirm"] == ["patient.fitzpatrick", "patient.age", "plan"]
    assert body["intake"]["patient"]["conditions"] == []


@pytest.mark.logic_only
def test_bad_bundles_are_422_naming_the_field_and_other_clinics_are_404(
    client: TestClient,
    clinic_a: ClinicWorld,
    clinic_b: ClinicWorld,
) -> None:
    url = f"/api/v1/patients/{clinic_a.patient}/intakes/from-fhir"
    headers = clinic_a.practitioner.headers
    not_bundle = client.post(url, json=PATIENT, headers=headers)
    assert not_bundle.status_code == 422
    assert not_bundle.json()["detail"][0]["path"] == "resourceType"
    bad_entry = client.post(
        url, json={"resourceType": "Bundle", "entry": [{"x": 1}]}, headers=headers
    )
    assert bad_entry.status_code == 422
    assert bad_entry.json()["detail"][0]["path"] == "entry[0].resource"
    other = client.post(
        f"/api/v1/patients/{clinic_b.patient}/intakes/from-fhir", json=record(), headers=headers
    )
    assert other.status_code == 404


def test_refuted_and_entered_in_error_records_are_ignored_and_current_use_wins(
    knowledge: Knowledge,
) -> None:
    refuted = condition(SNOMED, "33659008", "Keloid scar")
    refuted["verificationStatus"] = {"coding": [{"code": "refuted"}]}
    resolved_acne = condition(ICD10CM, "L70.0", "Acne vulgaris", "resolved")
    old = (dt.date.today() - dt.timedelta(days=400)).isoformat()
    found = fhir_in.read_resources(
        [
            refuted,
            resolved_acne,
            medication("6064", "isotretinoin", "stopped", old),
            medication("197845", "isotretinoin 40 MG Oral Capsule"),
            medication("1191", "aspirin", "completed"),  # stopped, no date: taken as today
        ],
        code_map_of(knowledge),
        today=dt.date.today(),
    )
    assert found.conditions == []  # refuted keloid ignored; resolved acne is not active acne
    assert found.medications == {"isotretinoin": None, "antiplatelet": 0}
    assert found.unmapped == []
