"""The treatment gate through the API: 409 with every conflict (stable code, field, message),
nothing stored; an override with a reason is recorded, shown and audited; the check route."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from needlesafe.knowledge.base import Knowledge
from needlesafe.store.uow import UnitOfWork
from tests.api.apikit import ClinicWorld
from tests.store.dbkit import INTAKE, TREATMENT, screen_for_treatment


def _deferred(uow: UnitOfWork, world: ClinicWorld, knowledge: Knowledge) -> int:
    intake = {
        "patient": {**INTAKE["patient"], "pregnant": True, "allergies": ["lidocaine"]},
        "plan": INTAKE["plan"],
    }
    return screen_for_treatment(
        uow, world.practitioner.actor, knowledge, world.patient, intake, consent=False
    )


def _post(client: TestClient, world: ClinicWorld, body: dict[str, Any]) -> Any:
    return client.post(
        f"/api/v1/patients/{world.patient}/treatments",
        json=body,
        headers=world.practitioner.headers,
    )


def _treatments(client: TestClient, world: ClinicWorld) -> int:
    response = client.get(
        f"/api/v1/treatments?patient_id={world.patient}", headers=world.admin.headers
    )
    return int(response.json()["total"])


def test_a_blocked_treatment_is_409_with_every_conflict_and_nothing_stored(
    client: TestClient, clinic_a: ClinicWorld, uow: UnitOfWork, knowledge: Knowledge
) -> None:
    intake_id = _deferred(uow, clinic_a, knowledge)
    before = _treatments(client, clinic_a)
    body = {**TREATMENT, "intake_id": intake_id, "areas": [{"area": "perioral", "depth_mm": 2.0}]}
    response = _post(client, clinic_a, body)
    assert response.status_code == 409, response.text
    answer = response.json()
    assert answer["can_override"] is True
    assert [(d["code"], d["path"]) for d in answer["detail"]] == [
        ("screening_deferred", "intake_id"),
        ("area_not_screened", "areas[0].area"),
        ("depth_above_cap", "areas[0].depth_mm"),
        ("depth_above_screened", "areas[0].depth_mm"),
        ("allergy_numbing_agent", "numbing_agent"),
        ("consent_not_signed", "intake_id"),
    ]
    assert all(d["message"] and d["overridable"] for d in answer["detail"])
    assert _treatments(client, clinic_a) == before


def test_an_override_with_a_reason_is_recorded_shown_and_audited(
    client: TestClient, clinic_a: ClinicWorld, uow: UnitOfWork, knowledge: Knowledge
) -> None:
    intake_id = _deferred(uow, clinic_a, knowledge)
    body = {
        **TREATMENT,
        "intake_id": intake_id,
        "numbing_agent": "none",
        "numbing_agent_lot": None,
        "override_reason": "Obstetric clearance in the chart; no numbing cream used",
    }
    response = _post(client, clinic_a, body)
    assert response.status_code == 201, response.text
    override = response.json()["override"]
    assert override["reason"].startswith("Obstetric clearance")
    assert [c["code"] for c in override["conflicts"]] == [
        "screening_deferred",
        "consent_not_signed",
    ]
    assert override["user_id"] == clinic_a.practitioner.actor.user_id
    again = client.get(
        f"/api/v1/treatments/{response.json()['id']}", headers=clinic_a.admin.headers
    )
    assert again.json()["override"] == override
    audit = client.get("/api/v1/audit?limit=50", headers=clinic_a.admin.headers).json()["items"]
    assert ("override", "treatment", str(response.json()["id"])) in {
        (a["action"], a["record_type"], a["record_id"]) for a in audit
    }
    assert "Obstetric" not in str(audit)


def test_an_absolute_contraindication_is_409_even_with_a_reason(
    client: TestClient, clinic_a: ClinicWorld, uow: UnitOfWork, knowledge: Knowledge
) -> None:
    intake = {
        "patient": {**INTAKE["patient"], "conditions": ["skin_cancer_in_area"]},
        "plan": INTAKE["plan"],
    }
    intake_id = screen_for_treatment(
        uow, clinic_a.practitioner.actor, knowledge, clinic_a.patient, intake
    )
    body = {**TREATMENT, "intake_id": intake_id, "override_reason": "patient insists"}
    for staff in (clinic_a.practitioner, clinic_a.admin):
        response = client.post(
            f"/api/v1/patients/{clinic_a.patient}/treatments", json=body, headers=staff.headers
        )
        assert response.status_code == 409
        assert response.json()["can_override"] is False
        first = response.json()["detail"][0]
        assert (first["code"], first["overridable"]) == ("screening_do_not_treat", False)


def test_a_blank_override_reason_is_422_naming_the_field(
    client: TestClient, clinic_a: ClinicWorld
) -> None:
    response = _post(client, clinic_a, {**TREATMENT, "override_reason": " "})
    assert response.status_code == 422
    assert response.json()["detail"][0]["path"] == "override_reason"


def test_the_check_route_answers_the_gate_without_recording(
    client: TestClient, clinic_a: ClinicWorld, uow: UnitOfWork, knowledge: Knowledge
) -> None:
    intake_id = _deferred(uow, clinic_a, knowledge)
    before = _treatments(client, clinic_a)
    response = client.post(
        f"/api/v1/patients/{clinic_a.patient}/treatments/check",
        json={**TREATMENT, "intake_id": intake_id},
        headers=clinic_a.practitioner.headers,
    )
    assert response.status_code == 200
    check = response.json()
    assert check["decision"] == "defer" and check["consent_signed_at"] is None
    assert "allergy_numbing_agent" in {c["code"] for c in check["conflicts"]}
    assert _treatments(client, clinic_a) == before
