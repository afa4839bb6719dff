"""Screening: a pure function from an intake to an assessment (shared/CONTRACT.md).

Every clinical fact comes from the knowledge base; this module finds the rules whose condition
holds for the intake (`needlesafe.engine.conditions.evaluate`) and assembles the result from
them, keeping the facts each rule matched. The result is built anew for every intake with the
models' own constructors and is immutable (frozen models, tuples, read-only mappings), so no
caller can change another's.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from needlesafe.engine.conditions import Matched, evaluate
from needlesafe.engine.facts import Facts
from needlesafe.engine.models import (
    Assessment,
    Contraindication,
    Intake,
    Precaution,
    Reason,
    Risk,
)
from needlesafe.engine.rule_index import RuleIndex
from needlesafe.knowledge.base import Knowledge
from needlesafe.knowledge.schema import (
    ContraindicationRule,
    Decision,
    EscalationRule,
    Level,
    PrecautionRule,
    RiskCount,
    RiskRule,
)

AnyRule = RiskRule | ContraindicationRule | PrecautionRule
Fired = tuple[AnyRule, tuple[str, ...]]  # a rule that holds and the facts it matched


@dataclass(frozen=True)
class Prepared:
    """What screening works out once per knowledge base: the rule index, and each
    complication's risk when no rule raises it (immutable, so every assessment can hold it)."""

    index: RuleIndex
    baseline: Mapping[str, Risk]


_PREPARED: dict[int, tuple[Knowledge, Prepared]] = {}


def prepared(knowledge: Knowledge) -> Prepared:
    """`knowledge` prepared for screening, once (knowledge is immutable)."""
    entry = _PREPARED.get(id(knowledge))
    if entry is not None and entry[0] is knowledge:  # holding it keeps its id from reuse
        return entry[1]
    if len(_PREPARED) >= 8:
        _PREPARED.clear()
    rules: list[AnyRule] = [*knowledge.risk_rules, *knowledge.contraindications]
    rules += knowledge.precautions
    baseline = {code: _risk(code, (), knowledge) for code in knowledge.complications}
    result = Prepared(RuleIndex(rules), baseline)
    _PREPARED[id(knowledge)] = (knowledge, result)
    return result


def screen(intake: Intake, knowledge: Knowledge) -> Assessment:
    """Assess an intake: each complication's risk with reasons, contraindications, precautions
    and the decision. Deterministic; the same intake and knowledge give the same result."""
    facts = Facts(intake, knowledge)
    fired = [
        (rule, matched)
        for rule, check in prepared(knowledge).index.candidates(facts)
        if (matched := check(facts)) is not None
    ]
    return assess(fired, facts)


def screen_every_rule(intake: Intake, knowledge: Knowledge) -> Assessment:
    """`screen` without the rule index: every rule evaluated, in file order (the reference the
    index is tested against)."""
    facts = Facts(intake, knowledge)
    rules: list[AnyRule] = [*knowledge.risk_rules, *knowledge.contraindications]
    rules += knowledge.precautions
    fired = [(r, m) for r in rules if (m := evaluate(r.when, facts)) is not None]
    return assess(fired, facts)


def assess(fired: Sequence[Fired], facts: Facts) -> Assessment:
    """The assessment from the rules that hold (risk rules, contraindications, precautions, each
    in file order)."""
    knowledge = facts.knowledge
    raised: dict[str, list[tuple[RiskRule, tuple[str, ...]]]] = {}  # by complication
    advised: dict[str, list[tuple[PrecautionRule, tuple[str, ...]]]] = {}  # by precaution code
    contraindications: list[Contraindication] = []
    for rule, matched in fired:
        if type(rule) is RiskRule:
            raised.setdefault(rule.complication, []).append((rule, matched))
        elif type(rule) is PrecautionRule:
            advised.setdefault(rule.code, []).append((rule, matched))
        elif type(rule) is ContraindicationRule:
            contraindications.append(_contraindication(rule, matched))

    baseline = prepared(knowledge).baseline
    risks = {
        code: _risk(code, raised[code], knowledge) if code in raised else risk
        for code, risk in baseline.items()
    }
    precautions = [_precaution(rules, facts) for rules in advised.values()]
    for escalation in knowledge.escalations:
        reached = risks_reached(escalation.when_risks, risks)
        if reached is not None:
            contraindications.append(_contraindication(escalation, reached))

    decision = max(
        (c.decision for c in contraindications), key=lambda d: d.rank, default=Decision.proceed
    )
    if decision is Decision.proceed and (precautions or raised):
        decision = Decision.proceed_with_precautions
    return Assessment(
        decision=decision,
        risks=risks,
        contraindications=tuple(contraindications),
        precautions=tuple(precautions),
        knowledge_version=knowledge.version,
    )


def risks_reached(count: RiskCount, risks: Mapping[str, Risk]) -> Matched:
    """The risks at `count.level` or above (among `count.among`), when there are at least
    `count.at_least` of them; None otherwise."""
    codes = count.among if count.among is not None else list(risks)
    floor = count.level.rank
    reached = tuple(
        f"risks.{c}={risks[c].level.value}"
        for c in codes
        if c in risks and risks[c].level.rank >= floor
    )
    return reached if len(reached) >= count.at_least else None


# ---------------------------------------------------------------- the parts of the result


def _risk(
    code: str, fired: Sequence[tuple[RiskRule, tuple[str, ...]]], knowledge: Knowledge
) -> Risk:
    level = Level.baseline
    reasons = []
    for rule, matched in fired:
        reasons.append(
            Reason(
                factor="; ".join(matched),
                rule=rule.id,
                clinician_text=rule.rule,
                patient_text=rule.patient_text,
                sources=tuple(rule.sources),
            )
        )
        if rule.level.rank > level.rank:
            level = rule.level
    complication = knowledge.complications[code]
    return Risk(
        level=level,
        reasons=tuple(reasons),
        patient_text=complication.patient_text.at(level),
        label=complication.label,
    )


def _contraindication(
    rule: ContraindicationRule | EscalationRule, matched: tuple[str, ...]
) -> Contraindication:
    return Contraindication(
        code=rule.code,
        label=rule.label,
        kind=rule.kind,
        decision=rule.decision,
        rule=rule.id,
        factors=matched,
        patient_text=rule.patient_text,
        clinician_text=rule.clinician_text,
        sources=tuple(rule.sources),
    )


def _precaution(
    fired: Sequence[tuple[PrecautionRule, tuple[str, ...]]], facts: Facts
) -> Precaution:
    """One precaution from the rules that advise it: the first rule's words, later rules add
    their facts, texts, sources and parameters."""
    first = fired[0][0]
    factors: list[str] = []
    params: dict[str, float | str] = {}
    texts: list[str] = []
    sources: list[str] = []
    for rule, matched in fired:
        more, text = _precaution_params(rule, facts)
        _merge_params(params, more)
        factors += matched
        texts.append(text)
        sources += rule.sources
    return Precaution(
        code=first.code,
        label=first.label,
        rule=first.id,
        factors=tuple(factors),
        params=params,
        patient_text=first.patient_text,
        clinician_text=" ".join(texts),
        # one rule's sources as written; several rules' without repeats
        sources=tuple(sources if len(fired) == 1 else dict.fromkeys(sources)),
    )


def _merge_params(into: dict[str, float | str], more: Mapping[str, float | str]) -> None:
    for name, value in more.items():
        if name == "max_depth_mm" and name in into:
            into[name] = min(float(into[name]), float(value))
        else:
            into.setdefault(name, value)


def _precaution_params(rule: PrecautionRule, facts: Facts) -> tuple[dict[str, float | str], str]:
    """A precaution rule's parameters and clinician text, with the areas planned deeper than
    their cap filled in where the text names `{area_caps}` or `{area_cap_reasons}`."""
    params: dict[str, float | str] = {}
    text = rule.clinician_text
    if "{area_caps}" in text:
        over_cap = facts.over_cap
        params = {code: cap for code, cap in over_cap}
        caps = ", ".join(f"{area} {cap:g} mm" for area, cap in over_cap)
        text = text.replace("{area_caps}", caps or "none")
        if over_cap:
            params["max_depth_mm"] = min(cap for _, cap in over_cap)
    if "{area_cap_reasons}" in text:
        areas = facts.knowledge.areas
        reasons = "; ".join(
            f"{code}: {areas[code].cap_reason}"
            for code, _ in facts.over_cap
            if areas[code].cap_reason
        )
        text = text.replace("{area_cap_reasons}", reasons or "none given")
    _merge_params(params, rule.params)
    return params, text
