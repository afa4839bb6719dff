"""Screening: a pure function from an intake to an assessment (shared/CONTRACT.md).

Every clinical fact comes from the knowledge base; this module only evaluates the rules'
conditions against the intake and assembles the result, keeping the facts each rule matched.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from needlesafe.engine.models import (
    Assessment,
    Contraindication,
    Intake,
    Precaution,
    Reason,
    Risk,
)
from needlesafe.knowledge.base import Knowledge
from needlesafe.knowledge.schema import Decision, Level, Predicate


@dataclass(frozen=True)
class Facts:
    """The intake, indexed once for the rules."""

    intake: Intake
    knowledge: Knowledge
    conditions: frozenset[str]
    current_medications: frozenset[str]
    stopped_medications: dict[str, int]  # code -> days since stopped
    allergies: frozenset[str]
    ingredients: tuple[str, ...]  # of the planned numbing agent

    @classmethod
    def of(cls, intake: Intake, knowledge: Knowledge) -> Facts:
        uses = intake.patient.medications
        return cls(
            intake=intake,
            knowledge=knowledge,
            conditions=frozenset(intake.patient.conditions),
            current_medications=frozenset(m.code for m in uses if m.stopped_days_ago is None),
            stopped_medications={
                m.code: m.stopped_days_ago for m in uses if m.stopped_days_ago is not None
            },
            allergies=frozenset(intake.patient.allergies),
            ingredients=tuple(knowledge.numbing_agents[intake.plan.numbing_agent].ingredients),
        )


Matched = list[str] | None  # the facts a true condition matched; None when it is false


def _flag(path: str, actual: object, wanted: object) -> Matched:
    shown = str(actual).lower() if isinstance(actual, bool) else actual
    return [f"{path}={shown}"] if actual == wanted else None


def _members(path: str, present: object, wanted: list[str]) -> Matched:
    found = [f"{path}={code}" for code in wanted if code in present]  # type: ignore[operator]
    return found or None


def evaluate(predicate: Predicate, facts: Facts) -> Matched:
    key = predicate.key()
    return _EVALUATORS[key](getattr(predicate, key), facts)


def _all(children: list[Predicate], facts: Facts) -> Matched:
    matched: list[str] = []
    for child in children:
        found = evaluate(child, facts)
        if found is None:
            return None
        matched.extend(found)
    return matched


def _any(children: list[Predicate], facts: Facts) -> Matched:
    matched: list[str] = []
    for child in children:
        found = evaluate(child, facts)
        if found is not None:
            matched.extend(found)
    return matched or None


def _stopped_within(value: object, facts: Facts) -> Matched:
    found = [
        f"patient.medications={code} (stopped {facts.stopped_medications[code]} days ago)"
        for code in value.codes  # type: ignore[attr-defined]
        if facts.stopped_medications.get(code, value.days + 1) <= value.days  # type: ignore[attr-defined]
    ]
    return found or None


def _allergy_to_numbing_agent(mode: str, facts: Facts) -> Matched:
    agent = facts.intake.plan.numbing_agent
    allergens = facts.knowledge.allergens
    found: list[str] = []
    for allergy in sorted(facts.allergies):
        for ingredient in facts.ingredients:
            if mode == "ingredient" and ingredient == allergy:
                found.append(f"patient.allergies={allergy}; plan.numbing_agent={agent}")
            elif (
                mode == "class"
                and ingredient != allergy
                and allergens[allergy].anaesthetic_class is not None
                and allergens[allergy].anaesthetic_class == allergens[ingredient].anaesthetic_class
            ):
                found.append(
                    f"patient.allergies={allergy}; plan.numbing_agent={agent} has {ingredient} "
                    f"(same {allergens[ingredient].anaesthetic_class} class)"
                )
    return found or None


def _allergy_to_topical(_: object, facts: Facts) -> Matched:
    found = [
        f"patient.allergies={code}; plan.topicals={code}"
        for code in facts.intake.plan.topicals
        if code in facts.allergies and facts.knowledge.allergens[code].exposure == "topical"
    ]
    return found or None


def _depth_above_area_cap(_: object, facts: Facts) -> Matched:
    depth = facts.intake.plan.needle_depth_mm
    areas = facts.knowledge.areas
    found = [
        f"plan.needle_depth_mm={depth:g} > {code} cap {areas[code].max_depth_mm:g}"
        for code in facts.intake.plan.areas
        if depth > areas[code].max_depth_mm
    ]
    return found or None


def _area_region(region: str, facts: Facts) -> Matched:
    found = [
        f"plan.areas={code}"
        for code in facts.intake.plan.areas
        if facts.knowledge.areas[code].region == region
    ]
    return found or None


def _topical_unlabeled(_: object, facts: Facts) -> Matched:
    found = [
        f"plan.topicals={code}"
        for code in facts.intake.plan.topicals
        if not facts.knowledge.topicals[code].labeled_for_microneedling
    ]
    return found or None


def _numbing_agent_planned(wanted: bool, facts: Facts) -> Matched:
    agent = facts.intake.plan.numbing_agent
    return [f"plan.numbing_agent={agent}"] if (agent != "none") == wanted else None


def _topicals_planned(wanted: bool, facts: Facts) -> Matched:
    topicals = facts.intake.plan.topicals
    return [f"plan.topicals={','.join(topicals) or 'none'}"] if bool(topicals) == wanted else None


_EVALUATORS: dict[str, Callable[[object, Facts], Matched]] = {
    "all": _all,  # type: ignore[dict-item]
    "any": _any,  # type: ignore[dict-item]
    "fitzpatrick_in": lambda v, f: (
        _flag("patient.fitzpatrick", f.intake.patient.fitzpatrick, f.intake.patient.fitzpatrick)
        if f.intake.patient.fitzpatrick in v  # type: ignore[operator]
        else None
    ),
    "condition_any": lambda v, f: _members("patient.conditions", f.conditions, v),  # type: ignore[arg-type]
    "medication_current": lambda v, f: _members(
        "patient.medications",
        f.current_medications,
        v,  # type: ignore[arg-type]
    ),
    "medication_stopped_within_days": _stopped_within,
    "allergy_any": lambda v, f: _members("patient.allergies", f.allergies, v),  # type: ignore[arg-type]
    "allergy_to_numbing_agent": _allergy_to_numbing_agent,  # type: ignore[dict-item]
    "allergy_to_topical": _allergy_to_topical,
    "age_below": lambda v, f: (
        [f"patient.age={f.intake.patient.age}"]
        if f.intake.patient.age < v  # type: ignore[operator]
        else None
    ),
    "pregnant": lambda v, f: _flag("patient.pregnant", f.intake.patient.pregnant, v),
    "breastfeeding": lambda v, f: _flag("patient.breastfeeding", f.intake.patient.breastfeeding, v),
    "area_in": lambda v, f: _members("plan.areas", f.intake.plan.areas, v),  # type: ignore[arg-type]
    "area_region": _area_region,  # type: ignore[dict-item]
    "depth_above_mm": lambda v, f: (
        [f"plan.needle_depth_mm={f.intake.plan.needle_depth_mm:g}"]
        if f.intake.plan.needle_depth_mm > v  # type: ignore[operator]
        else None
    ),
    "depth_above_area_cap": _depth_above_area_cap,
    "device_in": lambda v, f: _members("plan.device", {f.intake.plan.device}, v),  # type: ignore[arg-type]
    "setting": lambda v, f: _flag("plan.setting", f.intake.plan.setting, v),
    "numbing_agent_planned": _numbing_agent_planned,  # type: ignore[dict-item]
    "numbing_agent_contains": lambda v, f: _members(
        f"plan.numbing_agent={f.intake.plan.numbing_agent} has",
        f.ingredients,
        v,  # type: ignore[arg-type]
    ),
    "topical_in": lambda v, f: _members("plan.topicals", f.intake.plan.topicals, v),  # type: ignore[arg-type]
    "topical_unlabeled": _topical_unlabeled,
    "topicals_planned": _topicals_planned,  # type: ignore[dict-item]
    "patch_test_done": lambda v, f: _flag("plan.patch_test_done", f.intake.plan.patch_test_done, v),
    "sterile_single_use_needles": lambda v, f: _flag(
        "plan.sterile_single_use_needles", f.intake.plan.sterile_single_use_needles, v
    ),
}


def _area_caps(facts: Facts) -> dict[str, float | str]:
    depth = facts.intake.plan.needle_depth_mm
    areas = facts.knowledge.areas
    return {
        code: areas[code].max_depth_mm
        for code in facts.intake.plan.areas
        if depth > areas[code].max_depth_mm
    }


def screen(intake: Intake, knowledge: Knowledge) -> Assessment:
    """Assess an intake: each complication's risk with reasons, contraindications, precautions
    and the decision. Deterministic; the same intake and knowledge give the same result."""
    facts = Facts.of(intake, knowledge)

    reasons: dict[str, list[Reason]] = {code: [] for code in knowledge.complications}
    levels: dict[str, Level] = dict.fromkeys(knowledge.complications, Level.baseline)
    for rule in knowledge.risk_rules:
        matched = evaluate(rule.when, facts)
        if matched is None:
            continue
        reasons[rule.complication].append(
            Reason.model_construct(
                factor="; ".join(matched),
                rule=rule.id,
                clinician_text=rule.rule,
                patient_text=rule.patient_text,
                sources=list(rule.sources),
            )
        )
        if rule.level.rank > levels[rule.complication].rank:
            levels[rule.complication] = rule.level

    risks = {
        code: Risk.model_construct(
            level=levels[code],
            reasons=reasons[code],
            patient_text=complication.patient_text.at(levels[code]),
            label=complication.label,
        )
        for code, complication in knowledge.complications.items()
    }

    contraindications: list[Contraindication] = []
    for ci in knowledge.contraindications:
        matched = evaluate(ci.when, facts)
        if matched is not None:
            contraindications.append(
                Contraindication.model_construct(
                    code=ci.code,
                    kind=ci.kind,
                    decision=ci.decision,
                    rule=ci.id,
                    factors=matched,
                    patient_text=ci.patient_text,
                    clinician_text=ci.clinician_text,
                    sources=list(ci.sources),
                )
            )

    precautions: list[Precaution] = []
    seen: dict[str, int] = {}
    for pr in knowledge.precautions:
        matched = evaluate(pr.when, facts)
        if matched is None:
            continue
        params: dict[str, float | str] = {}
        clinician_text = pr.clinician_text
        if "{area_caps}" in clinician_text:
            params = _area_caps(facts)
            caps = ", ".join(f"{area} {cap:g} mm" for area, cap in params.items())
            clinician_text = clinician_text.replace("{area_caps}", caps or "none")
            if params:
                params["max_depth_mm"] = min(float(v) for v in params.values())
        if pr.code in seen:  # one entry per code; later rules add their facts and sources
            earlier = precautions[seen[pr.code]]
            precautions[seen[pr.code]] = earlier.model_copy(
                update={
                    "factors": earlier.factors + matched,
                    "sources": list(dict.fromkeys(earlier.sources + list(pr.sources))),
                    "clinician_text": earlier.clinician_text + " " + clinician_text,
                }
            )
            continue
        seen[pr.code] = len(precautions)
        precautions.append(
            Precaution.model_construct(
                code=pr.code,
                rule=pr.id,
                factors=matched,
                params=params,
                patient_text=pr.patient_text,
                clinician_text=clinician_text,
                sources=list(pr.sources),
            )
        )

    decision = Decision.proceed
    for ci_result in contraindications:
        if ci_result.decision.rank > decision.rank:
            decision = ci_result.decision
    if decision is Decision.proceed and (
        precautions or any(level is not Level.baseline for level in levels.values())
    ):
        decision = Decision.proceed_with_precautions

    return Assessment.model_construct(
        decision=decision,
        risks=risks,
        contraindications=contraindications,
        precautions=precautions,
        knowledge_version=knowledge.version,
    )
