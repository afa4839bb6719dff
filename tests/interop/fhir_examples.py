"""Hook calls adapted from the CDS Hooks 2.0 specification's own examples (the spec's
`appointment-book` and `order-sign`/`order-select` examples, with a microneedling appointment
and order in place of the sleep-medicine visit and the pureed diet), and the FHIR records they
carry."""

from __future__ import annotations

import copy
import datetime as dt
import json
import uuid
from typing import Any

SNOMED = "http://snomed.info/sct"
ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
LOCAL = "https://needlesafe.example/fhir/CodeSystem/needlesafe"
DEPTH = "https://needlesafe.example/fhir/StructureDefinition/needle-depth"
CLINICAL = "http://terminology.hl7.org/CodeSystem/condition-clinical"

PATIENT = {
    "resourceType": "Patient",
    "id": "1288992",
    "gender": "female",
    "birthDate": "1990-04-12",
    "identifier": [{"system": "urn:oid:2.16.840.1.113883.19.5", "value": "CHART-42"}],
    "active": True,
}


def searchset(*resources: dict[str, Any]) -> dict[str, Any]:
    return {
        "resourceType": "Bundle",
        "type": "searchset",
        "entry": [{"resource": r} for r in resources],
    }


def condition(system: str, code: str, display: str, status: str = "active") -> dict[str, Any]:
    return {
        "resourceType": "Condition",
        "id": f"cond-{code}",
        "clinicalStatus": {"coding": [{"system": CLINICAL, "code": status}]},
        "code": {"coding": [{"system": system, "code": code, "display": display}]},
        "subject": {"reference": "Patient/1288992"},
    }


def medication(
    code: str, display: str, status: str = "active", end: str | None = None
) -> dict[str, Any]:
    statement: dict[str, Any] = {
        "resourceType": "MedicationStatement",
        "id": f"med-{code}",
        "status": status,
        "medicationCodeableConcept": {
            "coding": [{"system": RXNORM, "code": code, "display": display}]
        },
        "subject": {"reference": "Patient/1288992"},
    }
    if end:
        statement["effectivePeriod"] = {"end": end}
    return statement


def allergy(system: str, code: str, display: str) -> dict[str, Any]:
    return {
        "resourceType": "AllergyIntolerance",
        "id": f"allergy-{code}",
        "code": {"coding": [{"system": system, "code": code, "display": display}]},
        "patient": {"reference": "Patient/1288992"},
    }


def skin_type(value: str) -> dict[str, Any]:
    return {
        "resourceType": "Observation",
        "id": "skin",
        "status": "final",
        "code": {"coding": [{"system": LOCAL, "code": "fitzpatrick_skin_type"}]},
        "subject": {"reference": "Patient/1288992"},
        "valueCodeableConcept": {"coding": [{"system": LOCAL, "code": value}]},
    }


HEALTHY_PREFETCH: dict[str, Any] = {
    "patient": PATIENT,
    "conditions": None,  # the EHR has none: the spec's null
    "medicationStatements": searchset(),  # an empty Bundle
    "medicationRequests": searchset(),
    "allergies": searchset(),
    "skinType": searchset(skin_type("II")),
}


def cold_sore_prefetch() -> dict[str, Any]:
    days_ago = (dt.date.today() - dt.timedelta(days=60)).isoformat()
    return {
        **HEALTHY_PREFETCH,
        "conditions": searchset(condition(SNOMED, "1475003", "Herpes labialis", "resolved")),
        "medicationStatements": searchset(
            medication("197844", "isotretinoin 20 MG Oral Capsule", "completed", days_ago)
        ),
        "allergies": searchset(allergy(RXNORM, "6387", "lidocaine")),
        "skinType": searchset(skin_type("IV")),
    }


# The spec's appointment-book example (a bare array of appointments), made a microneedling one.
APPOINTMENT = {
    "resourceType": "Appointment",
    "id": "apt1",
    "status": "proposed",
    "serviceType": [{"coding": [{"code": "183", "display": "Microneedling"}]}],
    "description": "Microneedling, full face",
    "start": "2026-12-10T09:00:00-06:00",
    "end": "2026-12-10T10:00:00-06:00",
    "created": "2026-12-01",
    "participant": [
        {
            "actor": {"reference": "Patient/1288992", "display": "Pat Example"},
            "required": "required",
            "status": "tentative",
        }
    ],
}

OTHER_APPOINTMENT = {
    "resourceType": "Appointment",
    "id": "apt2",
    "status": "proposed",
    "appointmentType": {
        "coding": [
            {
                "system": "http://terminology.hl7.org/CodeSystem/v2-0276",
                "code": "CHECKUP",
                "display": "A routine check-up, such as an annual physical",
            }
        ]
    },
    "description": "Regular physical",
}


def appointment_book(
    prefetch: dict[str, Any] | None = None, *, bundle: bool = False, appointments: Any = None
) -> dict[str, Any]:
    booked = appointments if appointments is not None else [copy.deepcopy(APPOINTMENT)]
    body: dict[str, Any] = {
        "hookInstance": str(uuid.uuid4()),
        "hook": "appointment-book",
        "context": {
            "userId": "PractitionerRole/A2340113",
            "patientId": "1288992",
            "appointments": searchset(*booked) if bundle else booked,
        },
    }
    if prefetch is not None:
        body["prefetch"] = copy.deepcopy(prefetch)
    return body


def service_request(
    order_id: str = "mn-1", *, sites: list[tuple[str, str]] | None = None, depth: float | None = 1.5
) -> dict[str, Any]:
    order: dict[str, Any] = {
        "resourceType": "ServiceRequest",
        "id": order_id,
        "status": "draft",
        "intent": "order",
        "code": {"coding": [{"system": LOCAL, "code": "microneedling"}]},
        "subject": {"reference": "Patient/1288992"},
        "bodySite": [
            {"coding": [{"system": SNOMED, "code": code, "display": display}]}
            for code, display in (sites or [("60819002", "Cheek structure")])
        ],
    }
    if depth is not None:
        order["extension"] = [{"url": DEPTH, "valueDecimal": depth}]
    return order


NUTRITION_ORDER = {  # the spec's own order-sign example order: not a microneedling one
    "resourceType": "NutritionOrder",
    "id": "pureeddiet-simple",
    "status": "draft",
    "patient": {"reference": "Patient/1288992"},
    "dateTime": "2014-09-17",
    "oralDiet": {
        "type": [{"coding": [{"system": SNOMED, "code": "226211001"}], "text": "Pureed diet"}]
    },
}


def order_call(
    hook: str,
    prefetch: dict[str, Any] | None,
    orders: list[dict[str, Any]],
    selections: list[str] | None = None,
) -> dict[str, Any]:
    context: dict[str, Any] = {
        "userId": "PractitionerRole/123",
        "patientId": "1288992",
        "encounterId": "89284",
        "draftOrders": searchset(*orders),
    }
    if selections is not None:
        context["selections"] = selections
    body: dict[str, Any] = {"hookInstance": str(uuid.uuid4()), "hook": hook, "context": context}
    if prefetch is not None:
        body["prefetch"] = copy.deepcopy(prefetch)
    return body


def patient_view(prefetch: dict[str, Any] | None) -> dict[str, Any]:
    """The spec's patient-view example request."""
    body: dict[str, Any] = {
        "hookInstance": "d1577c69-dfbe-44ad-ba6d-3e05e953b2ea",
        "hook": "patient-view",
        "context": {
            "userId": "Practitioner/example",
            "patientId": "1288992",
            "encounterId": "89284",
        },
    }
    if prefetch is not None:
        body["prefetch"] = prefetch
    return body


class FakeFhirServer:
    """A FHIR server on 127.0.0.1 (a thread): `Patient/{id}` answers PATIENT, a search answers
    a searchset of `resources[type]`; each request's path and Authorization header is kept."""

    def __init__(self, resources: dict[str, list[dict[str, Any]]] | None = None) -> None:
        import threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        self.resources = resources if resources is not None else {}
        self.requests: list[tuple[str, str | None]] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                fake.requests.append((self.path, self.headers.get("Authorization")))
                kind = self.path.split("?")[0].rstrip("/").split("/")[-2:]
                if kind[0] == "Patient":
                    body: dict[str, Any] = PATIENT
                else:
                    body = searchset(*fake.resources.get(kind[-1], []))
                data = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/fhir+json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/fhir"

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


def fetching(
    body: dict[str, Any], server_url: str, token: str = "some-opaque-fhir-access-token"
) -> dict[str, Any]:
    """The call with a FHIR server and an access token to fetch what it did not prefetch."""
    return {
        **body,
        "fhirServer": server_url,
        "fhirAuthorization": {
            "access_token": token,
            "token_type": "Bearer",
            "expires_in": 300,
            "scope": "user/Patient.read user/Condition.read",
            "subject": "cds-service4",
        },
    }
