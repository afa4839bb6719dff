"""A patient's records as a FHIR R4 Bundle (type `collection`), built by hand as R4 JSON.

Patient; per screening a RiskAssessment (a prediction per complication with `qualitativeRisk`
and `rationale`, `basis` pointing at the inputs: Condition, MedicationStatement and
AllergyIntolerance resources of the contract's codes); per treatment a Procedure (areas, depth
and passes per area, products and lots as extensions, the device as `focalDevice`) with its
Device, and a CarePlan for the aftercare; per adverse event an AdverseEvent (CTCAE grade as
severity, ICD-10-CM code); per check-in a QuestionnaireResponse (with the check-in
Questionnaire); per signed consent a Consent with the PDF as an attachment hash.

The contract's codes travel in the local code systems named from `code_map.yaml`'s local
system. Pure: records in (any objects with the stored fields), JSON out.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import uuid
from typing import Any

from needlesafe.knowledge.base import Knowledge
from needlesafe.knowledge.code_map_schema import CodeMap

NAMESPACE = uuid.UUID("6f1d2a3e-5b0c-4e57-9a51-1d3c0e6b2f10")  # fullUrls: urn:uuid, stable
RISK_PROBABILITY = "http://terminology.hl7.org/CodeSystem/risk-probability"
AE_SEVERITY = "http://terminology.hl7.org/CodeSystem/adverse-event-severity"
AE_SERIOUSNESS = "http://terminology.hl7.org/CodeSystem/adverse-event-seriousness"
AE_OUTCOME = "http://terminology.hl7.org/CodeSystem/adverse-event-outcome"
CONDITION_CLINICAL = "http://terminology.hl7.org/CodeSystem/condition-clinical"
ALLERGY_CLINICAL = "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical"
CONSENT_SCOPE = "http://terminology.hl7.org/CodeSystem/consentscope"
LOINC = "http://loinc.org"
ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"

LEVEL_PROBABILITY = {"baseline": "low", "elevated": "moderate", "high": "high"}
OUTCOMES = {
    "recovered": "resolved",
    "recovering": "recovering",
    "not_recovered": "ongoing",
    "recovered_with_sequelae": "resolvedWithSequelae",
    "fatal": "fatal",
    "unknown": "unknown",
}


QUESTIONNAIRE_ID = "needlesafe-checkin"


def _root(code_map: CodeMap) -> str:
    return code_map.local_system.rsplit("/CodeSystem/", 1)[0]


def system(code_map: CodeMap, name: str) -> str:
    """The local code system of one vocabulary (`needlesafe-area`, ...)."""
    return f"{_root(code_map)}/CodeSystem/needlesafe-{name}"


def extension_url(code_map: CodeMap, name: str) -> str:
    return f"{_root(code_map)}/StructureDefinition/{name}"


def questionnaire_url(code_map: CodeMap) -> str:
    return f"{_root(code_map)}/Questionnaire/{QUESTIONNAIRE_ID}"  # the fullUrl ends with its id


def _full_url(clinic_id: int, kind: str, key: object) -> str:
    return f"urn:uuid:{uuid.uuid5(NAMESPACE, f'{clinic_id}/{kind}/{key}')}"


def _instant(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def _coding(system_url: str, code: str, display: str | None = None) -> dict[str, str]:
    out = {"system": system_url, "code": code}
    if display:
        out["display"] = display
    return out


class _Builder:
    def __init__(self, code_map: CodeMap, knowledge: Knowledge, clinic_id: int) -> None:
        self.code_map = code_map
        self.knowledge = knowledge
        self.clinic_id = clinic_id
        self.entries: list[dict[str, Any]] = []

    def add(self, kind: str, key: object, resource: dict[str, Any]) -> str:
        url = _full_url(self.clinic_id, kind, key)
        resource = {"resourceType": kind, "id": url.removeprefix("urn:uuid:"), **resource}
        self.entries.append({"fullUrl": url, "resource": resource})
        return url

    def concept(self, vocabulary: str, code: str) -> dict[str, Any]:
        label = self.knowledge.label(vocabulary, code)
        return {"coding": [_coding(system(self.code_map, vocabulary), code, label)], "text": label}


def patient_bundle(
    code_map: CodeMap,
    knowledge: Knowledge,
    *,
    patient: Any,
    intakes: list[Any],
    treatments: list[Any],
    checkins: list[Any],
    events: list[Any],
    consents: list[Any],
    plans: dict[int, Any],
) -> dict[str, Any]:
    b = _Builder(code_map, knowledge, patient.clinic_id)
    subject = {"reference": b.add("Patient", patient.id, _patient(code_map, patient))}
    for intake in sorted(intakes, key=lambda i: i.id):
        _risk_assessment(b, intake, subject)
    procedures: dict[int, str] = {}
    for treatment in sorted(treatments, key=lambda t: t.id):
        procedures[treatment.id] = _procedure(b, treatment, subject)
        if treatment.id in plans:
            _care_plan(b, treatment, plans[treatment.id], subject, procedures[treatment.id])
    for event in sorted(events, key=lambda e: e.id):
        _adverse_event(b, event, subject, procedures.get(event.treatment_id))
    if checkins:
        b.entries.append(
            {"fullUrl": questionnaire_url(code_map), "resource": checkin_questionnaire(b)}
        )
    for checkin in sorted(checkins, key=lambda c: c.id):
        _questionnaire_response(b, checkin, subject, procedures.get(checkin.treatment_id))
    for consent in consents:
        _consent(b, consent, subject)
    return {
        "resourceType": "Bundle",
        "id": str(uuid.uuid5(NAMESPACE, f"{patient.clinic_id}/bundle/{patient.id}")),
        "meta": {"lastUpdated": _instant(dt.datetime.now(dt.UTC))},
        "type": "collection",
        "timestamp": _instant(dt.datetime.now(dt.UTC)),
        "entry": b.entries,
    }


def _patient(code_map: CodeMap, patient: Any) -> dict[str, Any]:
    out: dict[str, Any] = {
        "identifier": [
            {"system": f"{_root(code_map)}/identifier/patient", "value": str(patient.id)}
        ],
        "name": [{"text": patient.name}],
    }
    if patient.chart_number:
        out["identifier"].append(
            {"system": f"{_root(code_map)}/identifier/chart-number", "value": patient.chart_number}
        )
    telecom = []
    if patient.phone:
        telecom.append({"system": "phone", "value": patient.phone})
    if patient.email:
        telecom.append({"system": "email", "value": patient.email})
    if telecom:
        out["telecom"] = telecom
    if patient.date_of_birth:
        out["birthDate"] = patient.date_of_birth.isoformat()
    return out


def _risk_assessment(b: _Builder, intake: Any, subject: dict[str, str]) -> None:
    """The screening's inputs as resources, and its result as a RiskAssessment."""
    given = intake.input
    when = _instant(intake.created_at)
    basis: list[dict[str, str]] = []
    person = given.get("patient", {})
    for code in person.get("conditions", []):
        basis.append(
            {
                "reference": b.add(
                    "Condition",
                    f"{intake.id}/{code}",
                    {
                        "clinicalStatus": {"coding": [_coding(CONDITION_CLINICAL, "active")]},
                        "code": b.concept("conditions", code),
                        "subject": subject,
                        "recordedDate": when,
                    },
                )
            }
        )
    for medication in person.get("medications", []):
        code = medication["code"] if isinstance(medication, dict) else medication
        stopped = medication.get("stopped_days_ago") if isinstance(medication, dict) else None
        statement: dict[str, Any] = {
            "status": "active" if stopped is None else "completed",
            "medicationCodeableConcept": b.concept("medications", code),
            "subject": subject,
            "dateAsserted": when,
        }
        if stopped is not None:
            end = intake.created_at.date() - dt.timedelta(days=int(stopped))
            statement["effectivePeriod"] = {"end": end.isoformat()}
        basis.append({"reference": b.add("MedicationStatement", f"{intake.id}/{code}", statement)})
    for code in person.get("allergies", []):
        basis.append(
            {
                "reference": b.add(
                    "AllergyIntolerance",
                    f"{intake.id}/{code}",
                    {
                        "clinicalStatus": {"coding": [_coding(ALLERGY_CLINICAL, "active")]},
                        "code": b.concept("allergies", code),
                        "patient": subject,
                        "recordedDate": when,
                    },
                )
            }
        )
    assessment = intake.assessment
    predictions = []
    for code, risk in assessment.get("risks", {}).items():
        level = risk["level"]
        reasons = "; ".join(r.get("clinician_text", "") for r in risk.get("reasons", []))
        prediction: dict[str, Any] = {
            "outcome": {
                "coding": [
                    _coding(system(b.code_map, "complication"), code, risk.get("label") or code)
                ]
            },
            "qualitativeRisk": {
                "coding": [
                    _coding(RISK_PROBABILITY, LEVEL_PROBABILITY[level]),
                    _coding(system(b.code_map, "risk-level"), level),
                ]
            },
        }
        if reasons:
            prediction["rationale"] = reasons
        predictions.append(prediction)
    decision = assessment.get("decision", intake.decision)
    out: dict[str, Any] = {
        "status": "final",
        "code": {
            "coding": [
                _coding(
                    b.code_map.local_system,
                    "microneedling",
                    b.code_map.local_display("microneedling"),
                )
            ],
            "text": "Microneedling screening",
        },
        "subject": subject,
        "occurrenceDateTime": when,
        "method": {"text": f"needlesafe screening, knowledge {intake.knowledge_version}"},
        "prediction": predictions,
        "note": [{"text": f"Decision: {decision.replace('_', ' ')}"}],
    }
    if basis:
        out["basis"] = basis
    precautions = [p.get("clinician_text", "") for p in assessment.get("precautions", [])]
    if precautions:
        out["mitigation"] = " ".join(precautions)
    b.add("RiskAssessment", intake.id, out)


def _procedure(b: _Builder, treatment: Any, subject: dict[str, str]) -> str:
    device: dict[str, Any] = {
        "type": b.concept("devices", treatment.device),
        "patient": subject,
    }
    if treatment.device_make:
        device["manufacturer"] = treatment.device_make
    if treatment.device_model:
        device["deviceName"] = [{"name": treatment.device_model, "type": "model-name"}]
    if treatment.needle_cartridge_lot:
        device["lotNumber"] = treatment.needle_cartridge_lot
    device_url = b.add("Device", treatment.id, device)
    areas = [
        {
            "url": extension_url(b.code_map, "area-detail"),
            "extension": [
                {"url": "area", "valueCoding": b.concept("areas", a.area)["coding"][0]},
                {"url": "depthMm", "valueDecimal": a.depth_mm},
                {"url": "passes", "valueInteger": a.passes},
            ],
        }
        for a in treatment.areas
    ]
    products = []
    if treatment.numbing_agent and treatment.numbing_agent != "none":
        products.append(("numbing_agents", treatment.numbing_agent, treatment.numbing_agent_lot))
    products += [("topicals", t.code, t.lot) for t in treatment.topicals]
    used = []
    for vocabulary, code, lot in products:
        used.append(b.concept(vocabulary, code))
        if lot:
            areas.append(
                {
                    "url": extension_url(b.code_map, "product-lot"),
                    "extension": [
                        {"url": "product", "valueCoding": b.concept(vocabulary, code)["coding"][0]},
                        {"url": "lot", "valueString": lot},
                    ],
                }
            )
    depth = max((a.depth_mm for a in treatment.areas), default=None)
    if depth is not None:
        areas.append({"url": extension_url(b.code_map, "needle-depth"), "valueDecimal": depth})
    out: dict[str, Any] = {
        "extension": areas,
        "status": "completed",
        "code": {
            "coding": [
                _coding(
                    b.code_map.local_system,
                    "microneedling",
                    b.code_map.local_display("microneedling"),
                )
            ]
        },
        "subject": subject,
        "performedDateTime": treatment.performed_on.isoformat(),
        "bodySite": [b.concept("areas", a.area) for a in treatment.areas],
        "focalDevice": [{"manipulated": {"reference": device_url}}],
    }
    if used:
        out["usedCode"] = used
    if not out["extension"]:
        del out["extension"]
    if treatment.notes:
        out["note"] = [{"text": treatment.notes}]
    return b.add("Procedure", treatment.id, out)


def _care_plan(
    b: _Builder, treatment: Any, plan: Any, subject: dict[str, str], procedure: str
) -> None:
    last = max((item.to_date for item in plan.items), default=plan.treatment_date)
    activities = []
    for item in plan.items:
        activities.append(
            {
                "detail": {
                    "code": {"coding": [_coding(system(b.code_map, "aftercare"), item.id)]},
                    "status": "scheduled",
                    "scheduledPeriod": {
                        "start": item.from_date.isoformat(),
                        "end": item.to_date.isoformat(),
                    },
                    "description": item.text,
                }
            }
        )
    for follow_up in plan.follow_ups:
        activities.append(
            {
                "detail": {
                    "code": {"coding": [_coding(system(b.code_map, "aftercare"), follow_up.id)]},
                    "status": "scheduled",
                    "scheduledString": follow_up.date.isoformat(),
                    "description": follow_up.text,
                }
            }
        )
    b.add(
        "CarePlan",
        treatment.id,
        {
            "status": "completed" if last < dt.date.today() else "active",
            "intent": "plan",
            "title": "Aftercare after microneedling",
            "description": plan.intro,
            "subject": subject,
            "period": {"start": plan.treatment_date.isoformat(), "end": last.isoformat()},
            "supportingInfo": [{"reference": procedure}],
            "activity": activities,
        },
    )


def _adverse_event(b: _Builder, event: Any, subject: dict[str, str], procedure: str | None) -> None:
    grade = int(event.ctcae_grade)
    codings = [
        _coding(
            system(b.code_map, "complication"),
            event.complication,
            b.knowledge.complications[event.complication].label
            if event.complication in b.knowledge.complications
            else None,
        )
    ]
    snomed = b.code_map.complication_coding(event.complication)
    if snomed:
        codings.append(snomed)
    if event.icd10_code:
        codings.append(_coding(ICD10CM, event.icd10_code))
    out: dict[str, Any] = {
        "actuality": "actual",
        "event": {"coding": codings},
        "subject": subject,
        "date": event.onset_date.isoformat(),
        "recordedDate": _instant(event.created_at),
        "seriousness": {
            "coding": [_coding(AE_SERIOUSNESS, "serious" if event.serious else "non-serious")]
        },
        "severity": {
            "coding": [
                _coding(
                    AE_SEVERITY, "mild" if grade == 1 else "moderate" if grade == 2 else "severe"
                ),
                _coding(b.code_map.local_system, "ctcae_grade", f"CTCAE grade {grade}"),
            ],
            "text": f"CTCAE grade {grade}",
        },
        "outcome": {"coding": [_coding(AE_OUTCOME, OUTCOMES.get(event.outcome, "unknown"))]},
    }
    if procedure:
        out["suspectEntity"] = [{"instance": {"reference": procedure}}]
    b.add("AdverseEvent", event.id, out)


CHECKIN_ITEMS = (
    ("days_since_treatment", "Days since the treatment", "decimal"),
    ("symptoms", "Symptoms", "choice"),
    ("temperature_c", "Temperature (°C)", "decimal"),
    ("message", "In the patient's words", "text"),
    ("disposition", "needlesafe's answer", "choice"),
)


def checkin_questionnaire(b: _Builder) -> dict[str, Any]:
    return {
        "resourceType": "Questionnaire",
        "id": QUESTIONNAIRE_ID,
        "url": questionnaire_url(b.code_map),
        "name": "NeedlesafeCheckin",
        "title": "Check-in after microneedling",
        "status": "active",
        "subjectType": ["Patient"],
        "item": [
            {
                "linkId": link,
                "text": text,
                "type": kind,
                **({"repeats": True} if link == "symptoms" else {}),
                **({"readOnly": True} if link == "disposition" else {}),
            }
            for link, text, kind in CHECKIN_ITEMS
        ],
    }


def _questionnaire_response(
    b: _Builder, checkin: Any, subject: dict[str, str], procedure: str | None
) -> None:
    given = checkin.input
    items: list[dict[str, Any]] = [
        {
            "linkId": "days_since_treatment",
            "answer": [{"valueDecimal": float(given.get("days_since_treatment", 0))}],
        }
    ]
    symptoms = checkin.triage.get("symptoms") or [
        s["code"] if isinstance(s, dict) else s for s in given.get("symptoms", [])
    ]
    if symptoms:
        items.append(
            {
                "linkId": "symptoms",
                "answer": [
                    {"valueCoding": b.concept("symptoms", s)["coding"][0]} for s in symptoms
                ],
            }
        )
    if given.get("temperature_c") is not None:
        items.append(
            {"linkId": "temperature_c", "answer": [{"valueDecimal": float(given["temperature_c"])}]}
        )
    if given.get("message"):
        items.append({"linkId": "message", "answer": [{"valueString": str(given["message"])}]})
    items.append(
        {
            "linkId": "disposition",
            "answer": [
                {"valueCoding": _coding(system(b.code_map, "disposition"), checkin.disposition)}
            ],
        }
    )
    out: dict[str, Any] = {
        "questionnaire": questionnaire_url(b.code_map),
        "status": "completed",
        "subject": subject,
        "authored": _instant(checkin.created_at),
        "item": items,
    }
    if procedure:
        out["partOf"] = [{"reference": procedure}]
    b.add("QuestionnaireResponse", checkin.id, out)


def _consent(b: _Builder, consent: Any, subject: dict[str, str]) -> None:
    pdf: bytes = consent.pdf
    b.add(
        "Consent",
        consent.id,
        {
            "status": "active",
            "scope": {"coding": [_coding(CONSENT_SCOPE, "treatment")]},
            "category": [{"coding": [_coding(LOINC, "59284-0", "Consent Document")]}],
            "patient": subject,
            "dateTime": _instant(consent.signed_at),
            "policy": [{"uri": f"{_root(b.code_map)}/consent-sheet/{consent.sheet_version}"}],
            "sourceAttachment": {
                "contentType": "application/pdf",
                "size": len(pdf),
                "hash": base64.b64encode(hashlib.sha1(pdf).digest()).decode(),  # R4: SHA-1
                "title": f"Signed consent for microneedling, sheet {consent.sheet_version}",
                "creation": _instant(consent.signed_at),
            },
        },
    )
