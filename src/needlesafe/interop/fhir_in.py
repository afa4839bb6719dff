"""FHIR R4 resources -> the contract's intake: the mapped codes and what could not be mapped.

Conditions, MedicationStatements/MedicationRequests and AllergyIntolerances are read through
the knowledge base's code map (`code_map.yaml`). A code the map does not know is never guessed
and never dropped: it is listed in `unmapped` for the clinician to read. Pure: `today` is given.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from needlesafe.knowledge.code_map_schema import CodeMap, Mapping_

ACTIVE_STATUSES = frozenset({"active", "recurrence", "relapse"})
NOT_TRUE = frozenset({"refuted", "entered-in-error"})  # verificationStatus: ignore the record
CURRENT_MEDICATION = frozenset({"active", "intended", "on-hold", "draft", "unknown"})
READ_TYPES = frozenset(
    {"Condition", "MedicationStatement", "MedicationRequest", "AllergyIntolerance"}
)


@dataclass
class Extracted:
    """What the record says, in the contract's codes."""

    conditions: list[str] = field(default_factory=list)
    medications: dict[str, int | None] = field(default_factory=dict)  # code -> stopped days ago
    allergies: list[str] = field(default_factory=list)
    flags: set[str] = field(default_factory=set)
    unmapped: list[dict[str, str]] = field(default_factory=list)
    read: int = 0  # resources read

    def add(self, vocabulary: str, code: str, stopped_days_ago: int | None = None) -> None:
        if vocabulary == "medications":
            # current use (None) wins over a stop; otherwise the most recent stop counts
            if code in self.medications:
                before = self.medications[code]
                if before is None or (stopped_days_ago is not None and stopped_days_ago >= before):
                    return
            self.medications[code] = stopped_days_ago
            return
        if vocabulary == "flags":
            self.flags.add(code)
            return
        target: list[str] = getattr(self, vocabulary)
        if code not in target:
            target.append(code)

    def patient_fields(self) -> dict[str, Any]:
        """The intake's `patient` fields these findings fill (not age nor skin type)."""
        return {
            "conditions": list(self.conditions),
            "medications": [
                code if days is None else {"code": code, "stopped_days_ago": days}
                for code, days in self.medications.items()
            ],
            "allergies": list(self.allergies),
            "pregnant": "pregnant" in self.flags,
            "breastfeeding": "breastfeeding" in self.flags,
        }


def items(value: Any) -> list[Any]:
    """A JSON array's items; anything else (absent, null, a string, a number) has none."""
    return value if isinstance(value, list) else []


def objects(value: Any) -> list[dict[str, Any]]:
    """The JSON objects of an array (what a FHIR list of elements should hold)."""
    return [item for item in items(value) if isinstance(item, dict)]


def codings(concept: Any) -> list[dict[str, Any]]:
    if not isinstance(concept, dict):
        return []
    return objects(concept.get("coding"))


def status_code(concept: Any) -> str | None:
    for coding in codings(concept):
        if isinstance(coding.get("code"), str):
            return str(coding["code"])
    return None


def bundle_resources(bundle: Any) -> list[dict[str, Any]]:
    """The resources of a Bundle (or the resource itself when it is not a Bundle)."""
    if not isinstance(bundle, dict):
        return []
    if bundle.get("resourceType") != "Bundle":
        return [bundle]
    return [
        entry["resource"]
        for entry in objects(bundle.get("entry"))
        if isinstance(entry.get("resource"), dict)
    ]


def lookup(code_map: CodeMap, concept: Any) -> Mapping_ | None:
    for coding in codings(concept):
        key = (str(coding.get("system", "")), str(coding.get("code", "")))
        if key in code_map.by_code:
            return code_map.by_code[key]
    return None


def _unmapped(resource: dict[str, Any], concept: Any) -> dict[str, str]:
    found = codings(concept)
    first = found[0] if found else {}
    text = concept.get("text") if isinstance(concept, dict) else None
    return {
        "resourceType": str(resource.get("resourceType", "")),
        "id": str(resource.get("id", "")),
        "system": str(first.get("system", "")),
        "code": str(first.get("code", "")),
        "display": str(first.get("display") or text or ""),
    }


def _days_between(end: str | None, today: dt.date) -> int | None:
    if not end:
        return None
    try:
        day = dt.date.fromisoformat(end[:10])
    except ValueError:
        return None
    return max(0, (today - day).days)


def _apply(
    out: Extracted,
    mapping: Mapping_,
    *,
    active: bool,
    only: str | None = None,
    stopped_days_ago: int | None = None,
) -> None:
    for targets in (mapping.to, mapping.when_active) if active else (mapping.to,):
        for vocabulary, code in targets.items():
            if only is None or vocabulary == only:
                out.add(vocabulary, code, stopped_days_ago)


def read_resources(
    resources: list[dict[str, Any]], code_map: CodeMap, *, today: dt.date
) -> Extracted:
    """Read Conditions, medications and allergies; other resource types are left alone."""
    out = Extracted()
    for resource in resources:
        kind = resource.get("resourceType")
        if kind not in READ_TYPES:
            continue
        if status_code(resource.get("verificationStatus")) in NOT_TRUE:
            continue
        out.read += 1
        if kind == "Condition":
            concept = resource.get("code")
            mapping = lookup(code_map, concept)
            clinical = status_code(resource.get("clinicalStatus"))
            active = clinical is None or clinical in ACTIVE_STATUSES
            if mapping is None:
                out.unmapped.append(_unmapped(resource, concept))
            else:
                _apply(out, mapping, active=active)
        elif kind == "AllergyIntolerance":
            if status_code(resource.get("clinicalStatus")) in ("inactive", "resolved"):
                continue
            concept = resource.get("code")
            mapping = lookup(code_map, concept)
            if mapping is None:
                out.unmapped.append(_unmapped(resource, concept))
            else:
                _apply(out, mapping, active=True, only="allergies")
        else:  # MedicationStatement, MedicationRequest
            concept = resource.get("medicationCodeableConcept")
            reference = resource.get("medicationReference")
            if concept is None and isinstance(reference, dict):
                concept = {"text": str(reference.get("display", ""))}
            mapping = lookup(code_map, concept)
            if mapping is None:
                out.unmapped.append(_unmapped(resource, concept))
                continue
            status = str(resource.get("status", "unknown"))
            stopped = None
            if status not in CURRENT_MEDICATION:
                period = resource.get("effectivePeriod") or {}
                end = period.get("end") if isinstance(period, dict) else None
                if kind == "MedicationStatement" and isinstance(
                    resource.get("effectiveDateTime"), str
                ):
                    end = end or resource["effectiveDateTime"]
                # a stop without a date is taken as today's (the cautious reading)
                stopped = _days_between(end, today) or 0
            _apply(out, mapping, active=True, only="medications", stopped_days_ago=stopped)
    return out


def age_on(birth_date: Any, today: dt.date) -> int | None:
    if not isinstance(birth_date, str):
        return None
    try:
        born = dt.date.fromisoformat(birth_date[:10]) if len(birth_date) >= 10 else None
    except ValueError:
        return None
    if born is None:
        return None
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def skin_type(
    resources: list[dict[str, Any]], code_map: CodeMap, valid: frozenset[str]
) -> str | None:
    """The Fitzpatrick type from the newest skin-type Observation (local code), if any."""
    local = code_map.local_system
    found: list[tuple[str, str]] = []
    for resource in resources:
        if resource.get("resourceType") != "Observation":
            continue
        if resource.get("status") in ("entered-in-error", "cancelled"):
            continue
        if not any(
            c.get("system") == local and c.get("code") == "fitzpatrick_skin_type"
            for c in codings(resource.get("code"))
        ):
            continue
        value = resource.get("valueString")
        for coding in codings(resource.get("valueCodeableConcept")):
            value = value or coding.get("code")
        if isinstance(value, str) and value.strip().upper() in valid:
            found.append((str(resource.get("effectiveDateTime", "")), value.strip().upper()))
    return max(found)[1] if found else None


def mentions_procedure(resource: dict[str, Any], code_map: CodeMap) -> bool:
    """Is this appointment or order a microneedling one (local code, or its words)?"""
    local = code_map.local_system
    concepts: list[Any] = []
    for key in ("code", "serviceType", "appointmentType", "reasonCode", "serviceCategory"):
        value = resource.get(key)
        concepts.extend(value if isinstance(value, list) else [value])
    words = [w.lower() for w in code_map.file.procedure_words]
    for concept in concepts:
        for coding in codings(concept):
            if coding.get("system") == local and coding.get("code") == "microneedling":
                return True
        texts = [concept.get("text")] if isinstance(concept, dict) else []
        texts += [c.get("display") for c in codings(concept)]
        for text in texts:
            if isinstance(text, str) and any(w in text.lower() for w in words):
                return True
    description = resource.get("description")
    return isinstance(description, str) and any(w in description.lower() for w in words)


def order_areas(
    resource: dict[str, Any], code_map: CodeMap
) -> tuple[list[str], list[dict[str, str]]]:
    """The contract's areas from an order's body sites, and the sites the map does not know."""
    areas: list[str] = []
    unknown: list[dict[str, str]] = []
    for concept in items(resource.get("bodySite")):
        mapping = None
        for coding in codings(concept):
            mapping = code_map.sites.get((str(coding.get("system")), str(coding.get("code"))))
            if mapping:
                break
        if mapping is None:
            unknown.append(_unmapped(resource, concept))
            continue
        areas += [a for a in mapping.to.areas if a not in areas]
    return areas, unknown
