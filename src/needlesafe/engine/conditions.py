"""Evaluating a rule's condition on an intake (or an aftercare `when` on a treatment): the
reference interpreter of the condition language declared in `needlesafe.knowledge.conditions`.

`evaluate` walks the condition as written, one key at a time, and returns the intake facts a
true condition matched (`("patient.fitzpatrick=IV",)`), or None when it is false. Each key is
evaluated by the function of its `test`: the generic tests read the key's intake fact, the
derived ones (an allergy to a numbing cream's ingredient, a depth over an area's cap ...) have
their own function here. Nothing is cached or compiled: this is the meaning of a condition.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from needlesafe.engine.facts import Facts
from needlesafe.knowledge.conditions import (
    AFTERCARE_KEYS,
    COMBINATORS,
    CONDITION_KEYS,
    ConditionKey,
    PredicateBase,
    RiskAtLeast,
)
from needlesafe.knowledge.schema import Level

Matched = tuple[str, ...] | None  # the facts a true condition matched; None when false
Test = Callable[[ConditionKey, Any, Facts], Matched]


def evaluate(predicate: PredicateBase, facts: Facts) -> Matched:
    """The facts `predicate` matched in the intake, or None when it does not hold."""
    key, value = predicate.condition
    matched: tuple[str, ...] = ()
    if key == "all":
        for child in value:
            found = evaluate(child, facts)
            if found is None:
                return None
            matched += found
        return matched
    if key == "any":
        holds = False
        for child in value:
            found = evaluate(child, facts)
            if found is not None:
                matched, holds = matched + found, True
        return matched if holds else None
    spec = type(predicate).keys_table[key]
    return test_of(spec)(spec, value, facts)


def holds(predicate: PredicateBase | None, facts: Facts) -> bool:
    """Whether `predicate` holds (no condition always does)."""
    return predicate is None or evaluate(predicate, facts) is not None


Check = Callable[[Facts], Matched]


def compile_condition(predicate: PredicateBase) -> Check:
    """`evaluate` bound to one condition: the same answer for any intake, without walking the
    condition and looking up its tests each time (the engine's fast path; a property test
    holds the two equal)."""
    key, value = predicate.condition
    if key in COMBINATORS:
        children = tuple(compile_condition(child) for child in value)
        return partial(_all if key == "all" else _any, children)
    spec = type(predicate).keys_table[key]
    if spec.test == "any_of":  # most conditions: the facts to report are known in advance
        wanted = {code: f"{spec.fact}={code}" for code in value}  # a code listed twice: once
        if spec.multi:
            return partial(_any_of_several, spec.fact, tuple(wanted.items()))
        return partial(_one_of, spec.fact, wanted)
    return partial(test_of(spec), spec, value)


def _any_of_several(path: str, wanted: tuple[tuple[str, str], ...], facts: Facts) -> Matched:
    have = facts.values[path]
    return tuple([fact for code, fact in wanted if code in have]) or None


def _one_of(path: str, wanted: dict[str, str], facts: Facts) -> Matched:
    fact = wanted.get(facts.values[path])
    return None if fact is None else (fact,)


def _all(children: tuple[Check, ...], facts: Facts) -> Matched:
    matched: tuple[str, ...] = ()
    for child in children:
        found = child(facts)
        if found is None:
            return None
        matched += found
    return matched


def _any(children: tuple[Check, ...], facts: Facts) -> Matched:
    matched: tuple[str, ...] = ()
    holds = False
    for child in children:
        found = child(facts)
        if found is not None:
            matched, holds = matched + found, True
    return matched if holds else None


def test_of(spec: ConditionKey) -> Test:
    test = TESTS.get(spec.test)
    if test is None:
        raise ValueError(f"condition key {spec.name!r}: the engine has no test {spec.test!r}")
    return test


def _values(spec: ConditionKey, facts: Facts) -> tuple[Any, ...]:
    """The key's fact as a tuple (one value or several)."""
    value = facts.values[spec.fact]
    return value if spec.multi else (value,)


def _shown(value: Any) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float | int):
        return f"{value:g}"
    return str(value)


# ---------------------------------------------------------------- generic tests


def _any_of(spec: ConditionKey, wanted: list[str], facts: Facts) -> Matched:
    have = _values(spec, facts)
    found = [f"{spec.fact}={code}" for code in wanted if code in have]
    if len(found) > 1:
        found = list(dict.fromkeys(found))  # a code listed twice is matched once
    return tuple(found) or None


def _is(spec: ConditionKey, wanted: Any, facts: Facts) -> Matched:
    return (f"{spec.fact}={_shown(wanted)}",) if facts.values[spec.fact] == wanted else None


def _below(spec: ConditionKey, limit: float, facts: Facts) -> Matched:
    actual = facts.values[spec.fact]
    return (f"{spec.fact}={_shown(actual)}",) if actual < limit else None


def _above(spec: ConditionKey, limit: float, facts: Facts) -> Matched:
    actual = facts.values[spec.fact]
    return (f"{spec.fact}={_shown(actual)}",) if actual > limit else None


def _lacks(spec: ConditionKey, code: str, facts: Facts) -> Matched:
    return (f"{spec.fact} lacks {code}",) if code not in _values(spec, facts) else None


def is_given(value: Any) -> bool:
    """A fact is given when it is a list with items, or a code other than `none`."""
    return bool(value) if isinstance(value, tuple) else value not in (None, "none")


def _present(spec: ConditionKey, wanted: bool, facts: Facts) -> Matched:
    value = facts.values[spec.fact]
    if is_given(value) != wanted:
        return None
    shown = (",".join(value) or "none") if isinstance(value, tuple) else str(value)
    return (f"{spec.fact}={shown}",)


# ---------------------------------------------------------------- derived tests


def _stopped_within(spec: ConditionKey, value: Any, facts: Facts) -> Matched:
    stopped = facts.stopped_medications
    return (
        tuple(
            f"patient.medications={code} (stopped {stopped[code]} days ago)"
            for code in value.codes
            if code in stopped and stopped[code] <= value.days
        )
        or None
    )


def _allergy_to_numbing_agent(spec: ConditionKey, mode: str, facts: Facts) -> Matched:
    allergies = facts.intake.patient.allergies
    if not allergies or not facts.ingredients:
        return None
    allergens, agent = facts.knowledge.allergens, facts.intake.plan.numbing_agent
    found: list[str] = []
    for allergy in sorted(set(allergies)):
        kind = allergens[allergy].anaesthetic_class
        for ingredient in facts.ingredients:
            if mode == "ingredient" and ingredient == allergy:
                found.append(f"patient.allergies={allergy}; plan.numbing_agent={agent}")
            elif (
                mode == "class"
                and ingredient != allergy
                and kind is not None
                and kind == allergens[ingredient].anaesthetic_class
            ):
                found.append(
                    f"patient.allergies={allergy}; plan.numbing_agent={agent} has "
                    f"{ingredient} (same {kind} class)"
                )
    return tuple(found) or None


def _allergy_to_topical(spec: ConditionKey, value: Any, facts: Facts) -> Matched:
    allergies, allergens = facts.intake.patient.allergies, facts.knowledge.allergens
    return (
        tuple(
            f"patient.allergies={code}; plan.topicals={code}"
            for code in facts.intake.plan.topicals
            if code in allergies and allergens[code].exposure == "topical"
        )
        or None
    )


def _area_region(spec: ConditionKey, region: str, facts: Facts) -> Matched:
    areas = facts.knowledge.areas
    return (
        tuple(f"plan.areas={c}" for c in facts.intake.plan.areas if areas[c].region == region)
        or None
    )


def _depth_above_area_cap(spec: ConditionKey, value: Any, facts: Facts) -> Matched:
    depth = facts.intake.plan.needle_depth_mm
    return (
        tuple(
            f"plan.needle_depth_mm={depth:g} > {code} cap {cap:g}" for code, cap in facts.over_cap
        )
        or None
    )


def _numbing_agent_contains(spec: ConditionKey, wanted: list[str], facts: Facts) -> Matched:
    agent = facts.intake.plan.numbing_agent
    return (
        tuple(f"plan.numbing_agent={agent} has={c}" for c in wanted if c in facts.ingredients)
        or None
    )


def _topical_unlabeled(spec: ConditionKey, value: Any, facts: Facts) -> Matched:
    return tuple(f"plan.topicals={c}" for c in facts.unlabeled) or None


def _topical_biologic(spec: ConditionKey, value: Any, facts: Facts) -> Matched:
    return tuple(f"plan.topicals={c}" for c in facts.biologics) or None


def _numbing_area_above_cm2(spec: ConditionKey, limit: float, facts: Facts) -> Matched:
    if facts.numbing_area <= limit:
        return None
    agent = facts.intake.plan.numbing_agent
    return (f"plan.numbing_agent={agent} over about {facts.numbing_area:g} cm2 of skin",)


def _risk_at_least(spec: ConditionKey, value: RiskAtLeast, facts: Facts) -> Matched:
    risks = facts.values[spec.fact]
    wanted = Level(value.level).rank
    codes = dict.fromkeys(value.complications) if value.complications else risks
    return (
        tuple(
            f"{spec.fact}.{code}={risks[code].level}"
            for code in codes
            if code in risks and risks[code].level.rank >= wanted
        )
        or None
    )


TESTS: dict[str, Test] = {
    "any_of": _any_of,
    "is": _is,
    "below": _below,
    "above": _above,
    "lacks": _lacks,
    "present": _present,
    "stopped_within": _stopped_within,
    "allergy_to_numbing_agent": _allergy_to_numbing_agent,
    "allergy_to_topical": _allergy_to_topical,
    "area_region": _area_region,
    "depth_above_area_cap": _depth_above_area_cap,
    "numbing_agent_contains": _numbing_agent_contains,
    "topical_unlabeled": _topical_unlabeled,
    "topical_biologic": _topical_biologic,
    "numbing_area_above_cm2": _numbing_area_above_cm2,
    "risk_at_least": _risk_at_least,
}

for _key in (
    *CONDITION_KEYS,
    *AFTERCARE_KEYS,
):  # a declared key the engine cannot evaluate fails at import
    test_of(_key)
