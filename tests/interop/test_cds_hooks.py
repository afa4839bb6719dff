"""CDS Hooks 2.0: discovery, the screening hooks with every prefetch state, patient-view,
feedback, and the EHR's JWT (bad, replayed, expired, another clinic's issuer)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from fastapi import FastAPI
from fastapi.testclient import TestClient

from needlesafe.knowledge.base import Knowledge
from needlesafe.settings import Settings
from needlesafe.store.uow import UnitOfWork
from tests.interop.ehrkit import BASE, OTHER_ISS, Ehr, EhrClinic
from tests.interop.fhir_examples import (
    HEALTHY_PREFETCH,
    ICD10CM,
    NUTRITION_ORDER,
    OTHER_APPOINTMENT,
    PATIENT,
    SNOMED,
    FakeFhirServer,
    allergy,
    appointment_book,
    cold_sore_prefetch,
    condition,
    fetching,
    medication,
    order_call,
    patient_view,
    searchset,
    service_request,
)

BOOK = "needlesafe-appointment-book"


def cards_of(response: Any) -> list[dict[str, Any]]:
    assert response.status_code == 200, response.text
    cards: list[dict[str, Any]] = response.json()["cards"]
    return cards


def topics(cards: list[dict[str, Any]]) -> list[str]:
    return [c["source"]["topic"]["code"] for c in cards]


# ---------------------------------------------------------------- discovery


@pytest.mark.logic_only
def test_discovery_lists_each_service_with_its_hook_and_prefetch_templates(
    client: TestClient,
) -> None:
    services = client.get("/cds-services").json()["services"]
    by_hook = {s["hook"]: s for s in services}
    assert set(by_hook) == {"appointment-book", "order-select", "order-sign", "patient-view"}
    for service in services:
        assert service["id"] and service["title"] and service["description"]
    prefetch = by_hook["appointment-book"]["prefetch"]
    assert prefetch["patient"] == "Patient/{{context.patientId}}"
    assert prefetch["conditions"] == "Condition?patient={{context.patientId}}"


# ---------------------------------------------------------------- appointment-book


@pytest.mark.logic_only
def test_a_healthy_patient_booked_for_microneedling_gets_one_info_card(ehr: Ehr) -> None:
    response = ehr.call(BOOK, appointment_book(HEALTHY_PREFETCH))
    assert response.headers["cache-control"] == "no-store"
    decision = cards_of(response)[0]
    assert decision["indicator"] == "info"
    assert decision["summary"].startswith("Microneedling may proceed")
    assert len(decision["summary"]) < 140
    assert decision["source"]["label"].startswith("needlesafe screening (knowledge ")
    assert "Assumed" in decision["detail"]  # areas and depth came from no order
    # the decision is the one info card; each precaution after it is a warning
    indicators = [c["indicator"] for c in cards_of(response)]
    assert indicators == ["info"] + ["warning"] * (len(indicators) - 1)


def test_the_spec_example_with_a_cold_sore_history_suggests_an_antiviral_and_a_patch_test(
    ehr: Ehr,
) -> None:
    response = ehr.call(BOOK, appointment_book(cold_sore_prefetch()))
    cards = cards_of(response)
    decision = cards[0]
    assert decision["indicator"] == "info"
    assert decision["summary"] == "Microneedling may proceed, with precautions"
    assert "HIGH Cold sore flare-up" in decision["detail"]
    assert "isotretinoin (stopped 60 days ago)" in decision["detail"]  # RxNorm product code
    precautions = {c["source"]["topic"]["code"]: c for c in cards[1:]}
    assert "precaution:antiviral_prophylaxis" in precautions
    antiviral = precautions["precaution:antiviral_prophylaxis"]
    assert antiviral["indicator"] == "warning"
    assert antiviral["overrideReasons"] and all(r["display"] for r in antiviral["overrideReasons"])
    assert antiviral["selectionBehavior"] == "at-most-one"
    action = antiviral["suggestions"][0]["actions"][0]
    assert action["type"] == "create"
    assert action["resource"]["resourceType"] == "MedicationRequest"
    assert action["resource"]["subject"] == {"reference": "Patient/1288992"}
    patch = precautions["precaution:patch_test"]  # lidocaine allergy: patch test first
    assert patch["suggestions"][0]["actions"][0]["resource"]["resourceType"] == "ServiceRequest"


@pytest.mark.logic_only
def test_the_appointments_may_come_as_a_bundle_or_the_older_bare_array(ehr: Ehr) -> None:
    as_list = cards_of(ehr.call(BOOK, appointment_book(cold_sore_prefetch())))
    as_bundle = cards_of(ehr.call(BOOK, appointment_book(cold_sore_prefetch(), bundle=True)))
    assert topics(as_list) == topics(as_bundle)


@pytest.mark.logic_only
def test_an_appointment_that_is_not_microneedling_gets_no_cards(ehr: Ehr) -> None:
    body = appointment_book(cold_sore_prefetch(), appointments=[OTHER_APPOINTMENT])
    assert cards_of(ehr.call(BOOK, body)) == []


@pytest.mark.logic_only
def test_unknown_codes_are_listed_in_the_detail_and_the_response_never_dropped(ehr: Ehr) -> None:
    prefetch = {
        **HEALTHY_PREFETCH,
        "conditions": searchset(
            condition(SNOMED, "1475003", "Herpes labialis"),
            condition(SNOMED, "999999999", "Something *unusual* <b>"),
        ),
        "medicationStatements": searchset(medication("123456789", "an unknown drug")),
    }
    response = ehr.call(BOOK, appointment_book(prefetch))
    cards = cards_of(response)
    unmapped = response.json()["extension"]["org.needlesafe.screening"]["unmapped"]
    assert {u["code"] for u in unmapped} == {"999999999", "123456789"}
    detail = cards[0]["detail"]
    assert "could not read (2)" in detail
    assert "\\*unusual\\*" in detail and "\\<b\\>" in detail  # EHR text is made inert
    assert "<b>" not in detail


@pytest.mark.logic_only
def test_an_active_cold_sore_by_icd10_code_defers(ehr: Ehr) -> None:
    prefetch = {**HEALTHY_PREFETCH, "conditions": searchset(condition(ICD10CM, "B00.1", "HSV"))}
    decision = cards_of(ehr.call(BOOK, appointment_book(prefetch)))[0]
    assert decision["indicator"] == "warning"  # defer (do_not_treat would be critical)
    assert decision["summary"].startswith("Defer microneedling")
    assert "cold sore" in decision["detail"].lower()


@pytest.mark.logic_only
def test_a_patient_with_no_conditions_medicines_or_allergies_is_screened(ehr: Ehr) -> None:
    prefetch = {
        **HEALTHY_PREFETCH,
        "conditions": searchset(),
        "medicationStatements": None,
        "medicationRequests": None,
        "allergies": None,
    }
    assert cards_of(ehr.call(BOOK, appointment_book(prefetch)))[0]["indicator"] == "info"


@pytest.mark.logic_only
def test_a_missing_skin_type_is_screened_as_type_vi_and_says_so(ehr: Ehr) -> None:
    prefetch = {**HEALTHY_PREFETCH, "skinType": None}
    response = ehr.call(BOOK, appointment_book(prefetch))
    assumed = response.json()["extension"]["org.needlesafe.screening"]["assumed"]
    assert any("Fitzpatrick VI" in a for a in assumed)
    assert "Fitzpatrick VI" in cards_of(response)[0]["detail"]


# ---------------------------------------------------------------- prefetch states


def test_an_operation_outcome_in_prefetch_gives_a_clear_card_not_a_screening(ehr: Ehr) -> None:
    outcome = {
        "resourceType": "OperationOutcome",
        "issue": [
            {"severity": "error", "code": "timeout", "diagnostics": "Condition search timed out"}
        ],
    }
    prefetch = {**cold_sore_prefetch(), "conditions": outcome}
    cards = cards_of(ehr.call(BOOK, appointment_book(prefetch)))
    assert len(cards) == 1
    assert cards[0]["indicator"] == "warning"
    assert cards[0]["summary"].startswith("Microneedling screening not done")
    assert "conditions" in cards[0]["detail"] and "timed out" in cards[0]["detail"]


@pytest.mark.logic_only
def test_a_missing_prefetch_key_without_a_fhir_server_is_412(ehr: Ehr) -> None:
    prefetch = dict(HEALTHY_PREFETCH)
    del prefetch["allergies"]
    response = ehr.call(BOOK, appointment_book(prefetch))
    assert response.status_code == 412
    assert "allergies" in response.json()["detail"][0]["message"]


@pytest.mark.logic_only
def test_no_prefetch_at_all_without_a_fhir_server_is_412(ehr: Ehr) -> None:
    assert ehr.call(BOOK, appointment_book(None)).status_code == 412


@pytest.mark.logic_only
def test_a_null_patient_cannot_be_screened_and_the_card_says_why(ehr: Ehr) -> None:
    cards = cards_of(ehr.call(BOOK, appointment_book({**HEALTHY_PREFETCH, "patient": None})))
    assert [c["source"]["topic"]["code"] for c in cards] == ["record_incomplete"]


@pytest.fixture
def fhir_server() -> Iterator[FakeFhirServer]:
    server = FakeFhirServer()
    yield server
    server.close()


def test_absent_prefetch_is_fetched_from_the_fhir_server_with_the_given_token(
    ehr: Ehr, fhir_server: FakeFhirServer
) -> None:
    fhir_server.resources["Condition"] = [condition(SNOMED, "33659008", "Keloid scar")]
    cards = cards_of(ehr.call(BOOK, fetching(appointment_book(None), fhir_server.url)))
    assert "keloid" in cards[0]["detail"].lower()
    paths = [p for p, _ in fhir_server.requests]
    assert "/fhir/Patient/1288992" in paths
    assert "/fhir/Condition?patient=1288992" in paths
    assert {auth for _, auth in fhir_server.requests} == {"Bearer some-opaque-fhir-access-token"}


# ---------------------------------------------------------------- order-sign / order-select


def test_order_sign_screens_the_microneedling_order_and_reads_its_sites_and_depth(ehr: Ehr) -> None:
    order = service_request(sites=[("48477009", "Lip structure")], depth=1.0)
    body = order_call("order-sign", cold_sore_prefetch(), [NUTRITION_ORDER, order])
    response = ehr.call("needlesafe-order-sign", body)
    cards = cards_of(response)
    assert "precaution:antiviral_prophylaxis" in topics(cards)
    # the sites and the depth came from the order: only the numbing cream is assumed
    assert response.json()["extension"]["org.needlesafe.screening"] == {
        "unmapped": [],
        "assumed": ["numbing: screened with lidocaine"],
    }


@pytest.mark.logic_only
def test_order_sign_of_the_spec_example_diet_order_alone_gets_no_cards(ehr: Ehr) -> None:
    body = order_call("order-sign", cold_sore_prefetch(), [NUTRITION_ORDER])
    assert cards_of(ehr.call("needlesafe-order-sign", body)) == []


@pytest.mark.logic_only
def test_order_select_screens_only_the_selected_orders(ehr: Ehr) -> None:
    orders = [NUTRITION_ORDER, service_request()]
    selected_diet = order_call(
        "order-select", cold_sore_prefetch(), orders, ["NutritionOrder/pureeddiet-simple"]
    )
    assert cards_of(ehr.call("needlesafe-order-select", selected_diet)) == []
    selected_mn = order_call("order-select", cold_sore_prefetch(), orders, ["ServiceRequest/mn-1"])
    assert cards_of(ehr.call("needlesafe-order-select", selected_mn))


@pytest.mark.logic_only
def test_a_call_to_the_wrong_hook_or_a_bad_body_is_422_naming_the_field(ehr: Ehr) -> None:
    wrong = ehr.call("needlesafe-order-sign", appointment_book(HEALTHY_PREFETCH))
    assert wrong.status_code == 422 and wrong.json()["detail"][0]["path"] == "hook"
    body = appointment_book(HEALTHY_PREFETCH)
    del body["hookInstance"]
    missing = ehr.call(BOOK, body)
    assert missing.status_code == 422 and missing.json()["detail"][0]["path"] == "hookInstance"
    no_context = order_call("order-select", HEALTHY_PREFETCH, [service_request()])
    response = ehr.call("needlesafe-order-select", no_context)
    assert response.status_code == 422
    assert response.json()["detail"][0]["path"] == "context.selections"


@pytest.mark.logic_only
def test_an_unknown_service_is_404(ehr: Ehr) -> None:
    assert ehr.call("no-such-service", appointment_book(HEALTHY_PREFETCH)).status_code == 404


def test_an_oversized_request_is_413_and_stores_nothing(ehr: Ehr, uow: UnitOfWork) -> None:
    body = appointment_book(HEALTHY_PREFETCH)
    body["prefetch"]["conditions"] = searchset(
        *[condition(SNOMED, str(100000 + i), "x" * 200) for i in range(400)]
    )
    assert ehr.call(BOOK, body).status_code == 413
    with uow:
        assert (
            uow.session.execute(
                __import__("sqlalchemy").text("SELECT count(*) FROM cds_cards")
            ).scalar()
            == 0
        )


# ---------------------------------------------------------------- security


@pytest.mark.logic_only
def test_with_no_clients_configured_every_hook_call_is_401(ehr: Ehr, app: FastAPI) -> None:
    app.state.needlesafe.settings = app.state.needlesafe.settings.model_copy(
        update={"cds_clients": None}
    )
    response = ehr.call(BOOK, appointment_book(HEALTHY_PREFETCH))
    assert response.status_code == 401
    assert "not configured" in response.json()["detail"][0]["message"]


@pytest.mark.logic_only
def test_a_call_without_a_jwt_is_401(client: TestClient, ehr_clinic: EhrClinic) -> None:
    response = client.post(f"/cds-services/{BOOK}", json=appointment_book(HEALTHY_PREFETCH))
    assert response.status_code == 401


def test_a_replayed_jwt_is_refused(ehr: Ehr) -> None:
    token = ehr.token(f"{BASE}/cds-services/{BOOK}")
    assert ehr.call(BOOK, appointment_book(HEALTHY_PREFETCH), token=token).status_code == 200
    again = ehr.call(BOOK, appointment_book(HEALTHY_PREFETCH), token=token)
    assert again.status_code == 401
    assert "already used" in again.json()["detail"][0]["message"]


@pytest.mark.logic_only
@pytest.mark.parametrize(
    ("claims", "message"),
    [
        ({"exp": int(time.time()) - 120, "iat": int(time.time()) - 400}, "expired"),
        ({"aud": f"{BASE}/cds-services/needlesafe-order-sign"}, "aud"),
        ({"jti": None}, "not valid"),
        ({"iat": None}, "not valid"),
        ({"exp": int(time.time()) + 86400}, "longer"),
        ({"iss": "https://stranger.example.org/"}, "issuer"),
    ],
)
def test_a_bad_jwt_is_refused_with_the_reason(
    ehr: Ehr, claims: dict[str, Any], message: str
) -> None:
    response = ehr.call(BOOK, appointment_book(HEALTHY_PREFETCH), **claims)
    assert response.status_code == 401
    assert message in response.json()["detail"][0]["message"]


@pytest.mark.logic_only
def test_symmetric_and_unsigned_jwts_are_refused(ehr: Ehr) -> None:
    import jwt as pyjwt

    audience = f"{BASE}/cds-services/{BOOK}"
    now = int(time.time())
    claims = {"iss": ehr.iss, "aud": audience, "iat": now, "exp": now + 60, "jti": "x1"}
    hs = pyjwt.encode(
        claims,
        "a-shared-secret-long-enough-for-hs384-" + "x" * 16,
        algorithm="HS384",
        headers={"kid": "ehr-key-1"},
    )
    # alg "none" takes no key: PyJWT's annotations ask for one whatever the algorithm
    unsigned = pyjwt.encode(claims, None, algorithm="none", headers={"kid": "ehr-key-1"})  # type: ignore[arg-type]  # no key for "none"
    for token in (hs, unsigned, "not-a-jwt"):
        response = ehr.call(BOOK, appointment_book(HEALTHY_PREFETCH), token=token)
        assert response.status_code == 401


@pytest.mark.logic_only
def test_an_rs384_jwt_from_the_same_ehr_is_accepted(ehr: Ehr, rsa_key: rsa.RSAPrivateKey) -> None:
    rsa_ehr = Ehr(client=ehr.client, key=rsa_key, kid="ehr-rsa-1", alg="RS384")
    assert rsa_ehr.call(BOOK, appointment_book(HEALTHY_PREFETCH)).status_code == 200


@pytest.mark.logic_only
def test_a_jwt_signed_with_another_key_is_refused(
    ehr: Ehr, other_key: ec.EllipticCurvePrivateKey
) -> None:
    forged = Ehr(client=ehr.client, key=other_key)  # our issuer and kid, the wrong key
    assert forged.call(BOOK, appointment_book(HEALTHY_PREFETCH)).status_code == 401


def test_another_clinics_issuer_never_reaches_this_clinics_records(
    ehr: Ehr,
    other_key: ec.EllipticCurvePrivateKey,
    ehr_clinic: EhrClinic,
    uow: UnitOfWork,
) -> None:
    from needlesafe.services import patients

    staff = ehr_clinic["staff"]
    patients.create_patient(
        uow, actor=staff.actor, patient={"name": "Pat Example", "chart_number": "CHART-42"}
    )
    ours = cards_of(ehr.call("needlesafe-patient-view", patient_view({"patient": PATIENT})))
    other = Ehr(client=ehr.client, key=other_key, iss=OTHER_ISS, kid="other-1")
    theirs = cards_of(other.call("needlesafe-patient-view", patient_view({"patient": PATIENT})))
    assert "last_screening" not in topics(ours)  # no screening yet, but the patient matched
    assert theirs == []  # the other clinic has no patient with that chart number
    # and a card of ours cannot be given feedback by the other clinic's EHR
    cards = cards_of(ehr.call(BOOK, appointment_book(cold_sore_prefetch())))
    feedback = {
        "feedback": [
            {
                "card": cards[0]["uuid"],
                "outcome": "overridden",
                "outcomeTimestamp": "2026-12-01T10:00:00Z",
            }
        ]
    }
    assert other.feedback(BOOK, feedback).status_code == 404


# ---------------------------------------------------------------- patient-view


def test_patient_view_shows_check_ins_needing_attention_open_events_and_the_last_decision(
    ehr: Ehr,
    ehr_clinic: EhrClinic,
    uow: UnitOfWork,
    knowledge: Knowledge,
    settings: Settings,
) -> None:
    from needlesafe.services import adverse_events, patients, treatments
    from tests.api.apikit import build_clinic  # noqa: F401  (the same records a clinic world has)
    from tests.store.dbkit import TREATMENT, add_checkin_row, screen_for_treatment

    staff = ehr_clinic["staff"]
    patient = patients.create_patient(
        uow, actor=staff.actor, patient={"name": "Pat Example", "chart_number": "CHART-42"}
    )
    intake = screen_for_treatment(uow, staff.actor, knowledge, patient.id)
    treatment = treatments.record_treatment(
        uow,
        actor=staff.actor,
        knowledge=knowledge,
        patient_id=patient.id,
        treatment={**TREATMENT, "intake_id": intake},
    )
    add_checkin_row(
        uow,
        clinic_id=ehr_clinic["id"],
        patient_id=patient.id,
        treatment_id=treatment.id,
        disposition="urgent",
    )
    adverse_events.record_adverse_event(
        uow,
        actor=staff.actor,
        knowledge=knowledge,
        event={
            "patient_id": patient.id,
            "treatment_id": treatment.id,
            "complication": "infection",
            "onset_date": TREATMENT["performed_on"],
            "ctcae_grade": 2,
        },
    )
    cards = cards_of(ehr.call("needlesafe-patient-view", patient_view({"patient": PATIENT})))
    assert topics(cards) == ["checkins_need_attention", "open_adverse_events", "last_screening"]
    assert cards[0]["indicator"] == "critical"
    assert "urgent" in cards[0]["summary"]
    assert "infection" in cards[1]["detail"]


# ---------------------------------------------------------------- feedback


def test_feedback_is_stored_once_even_when_sent_twice_and_counted(
    ehr: Ehr,
    client: TestClient,
    ehr_clinic: EhrClinic,
) -> None:
    cards = cards_of(ehr.call(BOOK, appointment_book(cold_sore_prefetch())))
    antiviral = next(
        c for c in cards if c["source"]["topic"]["code"] == "precaution:antiviral_prophylaxis"
    )
    reason = antiviral["overrideReasons"][0]
    overridden = {
        "card": cards[0]["uuid"],
        "outcome": "overridden",
        "overrideReason": {"reason": reason, "userComment": "Seen by dermatology."},
        "outcomeTimestamp": "2026-12-01T10:00:00Z",
    }
    accepted = {
        "card": antiviral["uuid"],
        "outcome": "accepted",
        "acceptedSuggestions": [{"id": antiviral["suggestions"][0]["uuid"]}],
        "outcomeTimestamp": "2026-12-01T10:01:00Z",
    }
    first = ehr.feedback(BOOK, {"feedback": [overridden, accepted]})
    assert first.status_code == 200 and first.json() == {"stored": 2, "duplicates": 0}
    again = ehr.feedback(BOOK, {"feedback": [overridden]})
    assert again.json() == {"stored": 0, "duplicates": 1}
    report = client.get("/api/v1/cds/feedback", headers=ehr_clinic["staff"].headers).json()
    counts = {(r["topic"], r["outcome"]): r for r in report}
    assert counts[("decision", "overridden")]["count"] == 1
    assert counts[("decision", "overridden")]["override_reason"] == reason["code"]
    assert counts[("precaution:antiviral_prophylaxis", "accepted")]["count"] == 1


@pytest.mark.logic_only
def test_feedback_on_an_unknown_card_or_a_bad_outcome_stores_nothing(ehr: Ehr) -> None:
    unknown = {
        "feedback": [
            {
                "card": "9368d37b-283f-44a0-93ea-547cebab93ed",
                "outcome": "overridden",
                "outcomeTimestamp": "2020-12-11T00:00:00Z",
            }
        ]
    }
    assert ehr.feedback(BOOK, unknown).status_code == 404
    bad = {
        "feedback": [
            {"card": "x", "outcome": "ignored", "outcomeTimestamp": "2020-12-11T00:00:00Z"}
        ]
    }
    response = ehr.feedback(BOOK, bad)
    assert response.status_code == 422
    assert response.json()["detail"][0]["path"] == "feedback[0].outcome"


def test_a_hook_call_is_in_the_audit_log_of_the_issuers_clinic(
    ehr: Ehr, ehr_clinic: EhrClinic, uow: UnitOfWork
) -> None:
    cards_of(ehr.call(BOOK, appointment_book(HEALTHY_PREFETCH)))
    with uow:
        rows = uow.audit.list(ehr_clinic["id"], offset=0, limit=50).items
        assert any(r.action == "cds_call" and r.actor == "cds_client" for r in rows)


@pytest.mark.logic_only
def test_allergy_by_snomed_substance_maps_too(ehr: Ehr) -> None:
    prefetch = {
        **HEALTHY_PREFETCH,
        "allergies": searchset(allergy(SNOMED, "387480006", "Lidocaine")),
    }
    response = ehr.call(BOOK, appointment_book(prefetch))
    assert "precaution:change_numbing_agent" in topics(cards_of(response))
    healthy = cards_of(ehr.call(BOOK, appointment_book(HEALTHY_PREFETCH)))
    assert "precaution:change_numbing_agent" not in topics(healthy)  # the allergy's own


@pytest.mark.logic_only
def test_keys_come_from_the_issuers_allow_listed_jku_only(
    ec_key: ec.EllipticCurvePrivateKey, ehr_clinic: EhrClinic, uow: UnitOfWork
) -> None:
    from needlesafe.interop.jwt_auth import CdsClient
    from needlesafe.services import interop
    from needlesafe.services.errors import NotAuthenticated
    from tests.interop.ehrkit import public_jwk

    jku = "https://ehr.example.org/jwks.json"
    client = CdsClient(iss="https://ehr.example.org/", clinic="EHR Clinic", jku=jku)
    fetched: list[str] = []

    def jwks(url: str) -> dict[str, Any]:  # the issuer's JWK Set endpoint, as a fake
        fetched.append(url)
        return {"keys": [public_jwk(ec_key, "ehr-key-1", "ES384")]}

    audience = f"{BASE}/cds-services/{BOOK}"
    signer = Ehr(client=None, key=ec_key)
    actor = interop.authenticate(
        uow,
        authorization=f"Bearer {signer.token(audience)}",
        clients=[client],
        audience=audience,
        jwks=jwks,
    )
    assert actor.clinic_id == ehr_clinic["id"] and fetched == [jku]
    now = int(time.time())
    claims = {"iss": client.iss, "aud": audience, "iat": now, "exp": now + 60, "jti": "j-2"}
    elsewhere = jwt.encode(
        claims,
        ec_key,
        algorithm="ES384",
        headers={"kid": "ehr-key-1", "jku": "https://evil.example/k"},
    )
    with pytest.raises(NotAuthenticated, match="jku"):
        interop.authenticate(
            uow, authorization=f"Bearer {elsewhere}", clients=[client], audience=audience, jwks=jwks
        )
    assert fetched == [jku]  # the other URL was never fetched


@pytest.mark.logic_only
def test_a_browser_ehr_from_an_allowed_origin_may_call_others_may_not(
    ehr: Ehr, client: TestClient
) -> None:
    allowed = {"Origin": "https://sandbox.example.org"}
    preflight = client.options(
        f"/cds-services/{BOOK}",
        headers={**allowed, "Access-Control-Request-Method": "POST"},
    )
    assert preflight.status_code == 204
    assert preflight.headers["access-control-allow-origin"] == "https://sandbox.example.org"
    assert "Authorization" in preflight.headers["access-control-allow-headers"]
    stranger = client.options(
        f"/cds-services/{BOOK}", headers={"Origin": "https://evil.example.org"}
    )
    assert stranger.status_code == 403
    assert "access-control-allow-origin" not in stranger.headers
    path = f"/cds-services/{BOOK}"
    token = ehr.token(BASE + path)
    answer = client.post(
        path,
        json=appointment_book(HEALTHY_PREFETCH),
        headers={"Authorization": f"Bearer {token}", **allowed},
    )
    assert answer.status_code == 200
    assert answer.headers["access-control-allow-origin"] == "https://sandbox.example.org"
    discovery = client.get("/cds-services", headers={"Origin": "https://evil.example.org"})
    assert "access-control-allow-origin" not in discovery.headers


MALFORMED = [
    "not a resource",
    42,
    [],
    {"resourceType": 5},
    {"resourceType": "Bundle", "entry": 7},
    {"resourceType": "Bundle", "entry": ["x", {"resource": "y"}, {"resource": {"no": "type"}}]},
    {"resourceType": "Bundle", "entry": [{"resource": {"resourceType": "Condition", "code": 3}}]},
    {
        "resourceType": "Bundle",
        "entry": [
            {
                "resource": {
                    "resourceType": "MedicationStatement",
                    "status": ["active"],
                    "medicationReference": "Medication/1",
                    "effectivePeriod": [],
                }
            }
        ],
    },
    {"resourceType": "OperationOutcome", "issue": "boom"},
    {"resourceType": "Condition", "code": {"coding": {"system": SNOMED, "code": "1475003"}}},
]


KEYS = ("conditions", "medicationStatements", "patient", "skinType")


@pytest.mark.logic_only
@pytest.mark.parametrize(
    ("key", "value"), [(KEYS[n % len(KEYS)], value) for n, value in enumerate(MALFORMED)]
)
def test_malformed_prefetch_never_crashes(ehr: Ehr, key: str, value: Any) -> None:
    response = ehr.call(BOOK, appointment_book({**HEALTHY_PREFETCH, key: value}))
    assert response.status_code == 200, response.text  # a card says what could not be read
    assert "internal error" not in response.text
