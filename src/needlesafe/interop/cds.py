"""CDS Hooks 2.0 (HL7 STU2, 2.0.1): the services needlesafe offers, the shape of a hook call,
and the cards made from a screening.

Cards (spec "Card Attributes"): `critical` for do-not-treat, `warning` for defer and for each
precaution (with `overrideReasons`, and a suggestion where the code map has one), `info` for
proceed. A summary is under 140 characters; the detail is Markdown in clinician words, with
everything that came from the EHR escaped. Pure.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from needlesafe.engine.models import Assessment
from needlesafe.knowledge.base import Knowledge, KnowledgeError
from needlesafe.knowledge.code_map_schema import CodeMap

SUMMARY_MAX = 139  # "<140-character summary"
PATIENT = "{{context.patientId}}"


@dataclass(frozen=True)
class CdsService:
    id: str
    hook: str
    title: str
    description: str
    prefetch: dict[str, str]


def screening_prefetch(code_map: CodeMap) -> dict[str, str]:
    skin = f"{code_map.local_system}|fitzpatrick_skin_type"
    return {
        "patient": f"Patient/{PATIENT}",
        "conditions": f"Condition?patient={PATIENT}",
        "medicationStatements": f"MedicationStatement?patient={PATIENT}",
        "medicationRequests": f"MedicationRequest?patient={PATIENT}",
        "allergies": f"AllergyIntolerance?patient={PATIENT}",
        "skinType": f"Observation?patient={PATIENT}&code={skin}",
    }


# Keys a screening cannot do without; the skin type may be missing (then it is assumed).
REQUIRED_KEYS = ("patient", "conditions", "medicationStatements", "medicationRequests", "allergies")


# (id, hook, title's end, what is screened with the record)
SCREENING_SERVICES = (
    ("needlesafe-appointment-book", "appointment-book", "at booking", "appointment being booked"),
    ("needlesafe-order-select", "order-select", "of a selected order", "selected draft order"),
    ("needlesafe-order-sign", "order-sign", "before signing an order", "draft order to sign"),
)


def services(code_map: CodeMap) -> list[CdsService]:
    screening = screening_prefetch(code_map)
    found = [
        CdsService(
            id=service_id,
            hook=hook,
            title=f"needlesafe: microneedling screening {when}",
            description=(
                "Screens the patient for microneedling from their record (conditions, "
                f"medicines, allergies, skin type) and the {what}: the decision, each "
                "precaution, and the reasons."
            ),
            prefetch=screening,
        )
        for service_id, hook, when, what in SCREENING_SERVICES
    ]
    found.append(
        CdsService(
            id="needlesafe-patient-view",
            hook="patient-view",
            title="needlesafe: check-ins and adverse events",
            description=(
                "Shows the patient's check-ins that need attention, open adverse events and the "
                "last screening's decision (patients matched by chart number)."
            ),
            prefetch={"patient": f"Patient/{PATIENT}"},
        )
    )
    return found


def discovery(code_map: CodeMap) -> dict[str, Any]:
    return {
        "services": [
            {
                "hook": s.hook,
                "title": s.title,
                "description": s.description,
                "id": s.id,
                "prefetch": s.prefetch,
            }
            for s in services(code_map)
        ]
    }


# ---------------------------------------------------------------- the request


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid")


class FhirAuthorization(_Spec):
    access_token: str = Field(min_length=1, max_length=8192)
    token_type: Literal["Bearer"]
    expires_in: int = Field(ge=0)
    scope: str
    subject: str
    patient: str | None = None


class HookRequest(_Spec):
    hook: str = Field(min_length=1, max_length=100)
    hookInstance: str = Field(min_length=1, max_length=100)  # the spec's name
    fhirServer: str | None = Field(default=None, pattern=r"^https?://\S+$", max_length=2000)
    fhirAuthorization: FhirAuthorization | None = None
    context: dict[str, Any]
    prefetch: dict[str, Any] | None = None
    extension: dict[str, Any] | None = None


class Feedback(_Spec):
    card: str = Field(min_length=1, max_length=36)
    outcome: Literal["accepted", "overridden"]
    acceptedSuggestions: list[dict[str, Any]] = []
    overrideReason: dict[str, Any] | None = None
    outcomeTimestamp: str = Field(
        pattern=r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$"
    )
    extension: dict[str, Any] | None = None


class FeedbackRequest(_Spec):
    feedback: list[Feedback] = Field(min_length=1, max_length=100)


# ---------------------------------------------------------------- cards


@dataclass
class Card:
    indicator: Literal["info", "warning", "critical"]
    summary: str
    detail: str
    topic: str  # "decision", "precaution:patch_test", "record", ...
    topic_display: str
    suggestions: list[dict[str, Any]] = field(default_factory=list)
    override: bool = False
    uuid: str = field(default_factory=lambda: str(uuid.uuid4()))


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~])")


def md(text: str) -> str:
    """Text from outside (an EHR's display strings) made inert in Markdown."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(str(text).split()))


def summary(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= SUMMARY_MAX else text[: SUMMARY_MAX - 1].rstrip() + "…"


DECISION_WORDS = {
    "do_not_treat": ("critical", "Do not treat with microneedling"),
    "defer": ("warning", "Defer microneedling"),
    "proceed_with_precautions": ("info", "Microneedling may proceed, with precautions"),
    "proceed": ("info", "Microneedling may proceed"),
}


def code_map_of(knowledge: Knowledge) -> CodeMap:
    if knowledge.code_map is None:
        raise KnowledgeError(["code_map.yaml: not loaded; CDS Hooks and FHIR need it"])
    return knowledge.code_map


def unmapped_lines(unmapped: list[dict[str, str]]) -> list[str]:
    return [
        f"- {md(u['resourceType'])}: {md(u['display'] or '(no text)')} "
        f"({md(u['system'] or 'no system')} {md(u['code'] or 'no code')})"
        for u in unmapped
    ]


def screening_cards(
    assessment: Assessment,
    knowledge: Knowledge,
    *,
    assumptions: list[str],
    unmapped: list[dict[str, str]],
) -> list[Card]:
    """The decision card, then one warning card per precaution."""
    code_map = code_map_of(knowledge)
    decision = assessment.decision.value
    indicator, words = DECISION_WORDS[decision]
    first = assessment.contraindications[0].label if assessment.contraindications else None
    lines: list[str] = []
    if assessment.contraindications:
        lines.append("**Contraindications**")
        lines += [
            f"- {c.kind}, {c.decision.value.replace('_', ' ')}: {c.clinician_text} "
            f"(sources: {'; '.join(c.sources)})"
            for c in assessment.contraindications
        ]
    raised = [(code, r) for code, r in assessment.risks.items() if r.level.value != "baseline"]
    if raised:
        lines.append("**Raised risks**")
        for _code, risk in sorted(raised, key=lambda cr: -cr[1].level.rank):
            reasons = "; ".join(
                f"{r.clinician_text} ({r.factor}; rule {r.rule})" for r in risk.reasons
            )
            lines.append(f"- {risk.level.value.upper()} {risk.label}: {reasons}")
    if assessment.precautions:
        lines.append("**Precautions**: " + ", ".join(p.label for p in assessment.precautions))
    if assumptions:
        lines.append("**Assumed (not in the record)**")
        lines += [f"- {a}" for a in assumptions]
    if unmapped:
        lines.append(f"**Codes needlesafe could not read ({len(unmapped)})**: check them by hand")
        lines += unmapped_lines(unmapped)
    cards = [
        Card(
            indicator=indicator,  # type: ignore[arg-type]  # checked against the spec's three values
            summary=summary(f"{words}: {first}" if first else words),
            detail="\n".join(lines) or "No raised risk, contraindication or precaution.",
            topic="decision",
            topic_display="Microneedling screening decision",
            override=indicator != "info",
        )
    ]
    by_precaution = {s.precaution: s for s in code_map.file.suggestions}
    for precaution in assessment.precautions:
        suggestion = by_precaution.get(precaution.code)
        cards.append(
            Card(
                indicator="warning",
                summary=summary(f"Microneedling precaution: {precaution.label}"),
                detail=(
                    f"{precaution.clinician_text}\n\n"
                    f"Because: {', '.join(precaution.factors) or 'the plan'} "
                    f"(rule {precaution.rule}; sources: {'; '.join(precaution.sources)})"
                ),
                topic=f"precaution:{precaution.code}",
                topic_display=precaution.label,
                suggestions=[{"label": suggestion.label, "resource": suggestion.resource}]
                if suggestion
                else [],
                override=True,
            )
        )
    return cards


def notice_card(summary_text: str, detail: str, *, topic: str, indicator: str = "warning") -> Card:
    return Card(
        indicator=indicator,  # type: ignore[arg-type]  # checked against the spec's three values
        summary=summary(summary_text),
        detail=detail,
        topic=topic,
        topic_display=topic.replace("_", " "),
        override=False,
    )


def card_json(card: Card, *, knowledge: Knowledge, patient_reference: str | None) -> dict[str, Any]:
    code_map = code_map_of(knowledge)
    out: dict[str, Any] = {
        "uuid": card.uuid,
        "summary": card.summary,
        "indicator": card.indicator,
        "detail": card.detail,
        "source": {
            "label": f"needlesafe screening (knowledge {knowledge.version})",
            "topic": {
                "system": code_map.local_system,
                "code": card.topic,
                "display": card.topic_display,
            },
        },
    }
    if card.suggestions:
        out["selectionBehavior"] = "at-most-one"
        out["suggestions"] = []
        for suggestion in card.suggestions:
            resource = dict(suggestion["resource"])
            if patient_reference:
                resource["subject"] = {"reference": patient_reference}
            out["suggestions"].append(
                {
                    "label": suggestion["label"],
                    "uuid": str(uuid.uuid5(uuid.UUID(card.uuid), suggestion["label"])),
                    "actions": [
                        {"type": "create", "description": suggestion["label"], "resource": resource}
                    ],
                }
            )
    if card.override:
        out["overrideReasons"] = [
            {
                "system": code_map.local_system + "/override-reason",
                "code": r.code,
                "display": r.display,
            }
            for r in code_map.file.override_reasons
        ]
    return out
