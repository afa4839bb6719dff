"""Screening: a pure function from an intake to an assessment (shared/CONTRACT.md).

Every clinical fact comes from the knowledge base; this module finds the rules whose condition
holds for the intake (`needlesafe.engine.conditions.evaluate`) and assembles the result from
them, keeping the facts each rule matched. The result is built anew for every intake and is
immutable (frozen models, tuples, read-only mappings), so no caller can change another's.

What does not depend on the intake is worked out once per knowledge base (`prepared`): the rule
index, each complication's risk when no rule raises it, and each rule's output fields (its
words, sources, decision). These are immutable values derived from the knowledge, not results.
An assessment is then one `Assessment(...)` call on plain parts, from which pydantic builds the
nested models in its compiled core (building each part with its own constructor cost twice as
much).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from needlesafe.engine.conditions import Matched, evaluate
from needlesafe.engine.facts import Facts
from needlesafe.engine.models import Assessment, Intake, Risk
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
Advised = tuple[PrecautionRule, tuple[str, ...]]
Fields = Mapping[str, Any]  # a result part's fields

DECISIONS = tuple(Decision)  # by rank: proceed ... do_not_treat
DECISION_RANK = {decision: rank for rank, decision in enumerate(DECISIONS)}
LEVEL_RANK = {level: level.rank for level in Level}
BASELINE = Level.baseline  # (an enum member read from its class is slow in Python 3.11)


@dataclass(frozen=True)
class Prepared:
    """What screening works out once per knowledge base: the rule index, each complication's
    risk when no rule raises it (immutable, so every assessment can hold it), and by rule id
    the output fields the rule gives every assessment it fires in (a risk rule's reason, a
    contraindication, a precaution advised by that rule alone), so that screening an intake
    only adds the facts the rule matched. The fields are copied into each result's parts,
    never handed out."""

    index: RuleIndex
    baseline: MappingProxyType[str, Risk]
    fields: Mapping[str, Fields]
    # a raised risk's words by complication and level: (patient text, label)
    words: Mapping[tuple[str, Level], tuple[str, str]]
    # the precaution rules whose clinician text names a placeholder the intake fills in
    filled_in: frozenset[str]


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
    baseline = {
        code: Risk(
            level=Level.baseline,
            reasons=(),
            patient_text=complication.patient_text.at(Level.baseline),
            label=complication.label,
        )
        for code, complication in knowledge.complications.items()
    }
    fields = {rule.id: _fields(rule) for rule in (*rules, *knowledge.escalations)}
    words = {
        (code, level): (complication.patient_text.at(level), complication.label)
        for code, complication in knowledge.complications.items()
        for level in Level
    }
    filled_in = frozenset(
        rule.id
        for rule in knowledge.precautions
        if any(name in rule.clinician_text for name in PLACEHOLDERS)
    )
    result = Prepared(
        RuleIndex(rules, knowledge),
        MappingProxyType(baseline),
        MappingProxyType(fields),
        MappingProxyType(words),
        filled_in,
    )
    _PREPARED[id(knowledge)] = (knowledge, result)
    return result


def _fields(rule: AnyRule | EscalationRule) -> dict[str, Any]:
    """The output fields `rule` gives every assessment it fires in."""
    fields: dict[str, Any]
    if isinstance(rule, RiskRule):  # its reason
        fields = {"rule": rule.id, "clinician_text": rule.rule, "patient_text": rule.patient_text}
    elif isinstance(rule, PrecautionRule):  # its precaution, when no other rule advises it
        fields = {"code": rule.code, "label": rule.label, "rule": rule.id}
        if rule.params:  # none: the model's default, an empty read-only mapping
            fields["params"] = rule.params
        fields |= {"patient_text": rule.patient_text, "clinician_text": rule.clinician_text}
    else:  # its contraindication
        fields = {"code": rule.code, "label": rule.label, "kind": rule.kind}
        fields |= {"decision": rule.decision, "rule": rule.id, "patient_text": rule.patient_text}
        fields["clinician_text"] = rule.clinician_text
    return {**fields, "sources": tuple(rule.sources)}


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
    ready = prepared(knowledge)
    fields = ready.fields
    raised: dict[str, dict[str, Any]] = {}  # the raised risks by complication
    advised: dict[str, list[Advised]] = {}  # the precaution rules that hold, by precaution code
    contraindications: list[dict[str, Any]] = []
    rank = 0  # the decision's
    for rule, matched in fired:
        if type(rule) is RiskRule:  # (`type` is: isinstance is slower on pydantic models)
            reason = dict(fields[rule.id], factor="; ".join(matched))
            risk = raised.get(rule.complication)
            if risk is None:
                raised[rule.complication] = {"level": rule.level, "reasons": [reason]}
            else:
                risk["reasons"].append(reason)
                if LEVEL_RANK[rule.level] > LEVEL_RANK[risk["level"]]:
                    risk["level"] = rule.level
        elif type(rule) is PrecautionRule:
            advised.setdefault(rule.code, []).append((rule, matched))
        elif type(rule) is ContraindicationRule:
            contraindications.append(dict(fields[rule.id], factors=matched))
            rank = max(rank, DECISION_RANK[rule.decision])

    risks: dict[str, Any] = ready.baseline.copy()  # (Risk or plain parts; copied as a dict)
    words = ready.words
    for code, risk in raised.items():
        risk["patient_text"], risk["label"] = words[code, risk["level"]]
        risks[code] = risk
    precautions = [_precaution(rules, facts, fields, ready.filled_in) for rules in advised.values()]
    # the raised risks' levels, highest first: only raised risks can count towards an
    # escalation (a count is of elevated or high ones), so a count is skipped when fewer than
    # it needs are raised that high, as for most intakes
    top = sorted([LEVEL_RANK[risk["level"]] for risk in raised.values()], reverse=True)
    for escalation in knowledge.escalations:
        count = escalation.when_risks
        if len(top) < count.at_least or top[count.at_least - 1] < LEVEL_RANK[count.level]:
            continue
        levels = dict.fromkeys(risks, BASELINE)
        levels.update((code, risk["level"]) for code, risk in raised.items())
        reached = risks_reached(count, levels)
        if reached is not None:
            contraindications.append(dict(fields[escalation.id], factors=reached))
            rank = max(rank, DECISION_RANK[escalation.decision])

    decision = DECISIONS[rank]
    if decision is Decision.proceed and (precautions or raised):
        decision = Decision.proceed_with_precautions
    # one constructor call: pydantic validates the plain parts into the nested frozen models
    return Assessment(
        decision=decision,
        risks=risks,
        contraindications=contraindications,
        precautions=precautions,
        knowledge_version=knowledge.version,
    )


def risks_reached(count: RiskCount, levels: Mapping[str, Level]) -> Matched:
    """The risks at `count.level` or above (among `count.among`), when there are at least
    `count.at_least` of them; None otherwise. `levels`: every complication's risk level."""
    codes = count.among if count.among is not None else levels
    floor = LEVEL_RANK[count.level]
    reached = tuple(
        f"risks.{c}={levels[c].value}"
        for c in codes
        if c in levels and LEVEL_RANK[levels[c]] >= floor
    )
    return reached if len(reached) >= count.at_least else None


# ---------------------------------------------------------------- precautions

# what a precaution rule's clinician text may name, filled in from the intake
PLACEHOLDERS = ("{area_caps}", "{area_cap_reasons}")


def _precaution(
    advised: Sequence[Advised],
    facts: Facts,
    fields: Mapping[str, Fields],
    filled_in: frozenset[str],
) -> dict[str, Any]:
    """One precaution from the rules that advise it: the first rule's words, later rules add
    their facts, texts, sources and parameters. `filled_in`: the rules whose clinician text
    names a placeholder."""
    first = advised[0][0]
    if len(advised) == 1:  # most precautions: one rule's words, facts and sources as written
        part = dict(fields[first.id], factors=advised[0][1])
        if first.id in filled_in:
            part["params"], part["clinician_text"] = _precaution_params(first, facts)
        return part
    factors: list[str] = []
    params: dict[str, float | str] = {}
    texts: list[str] = []
    sources: list[str] = []
    for rule, matched in advised:
        more, text = _precaution_params(rule, facts)
        _merge_params(params, more)
        factors += matched
        texts.append(text)
        sources += rule.sources
    return dict(
        fields[first.id],
        factors=factors,
        params=params,
        clinician_text=" ".join(texts),
        sources=tuple(dict.fromkeys(sources)),  # several rules' sources without repeats
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
