"""The rule index's guards: every guard is necessary (a condition never holds for an intake
without one of its guard's tokens), checked against the naive reference interpreter, and the
guards worked out from the knowledge for derived tests skip the rules they should."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given

from needlesafe.engine.conditions import evaluate, is_given
from needlesafe.engine.facts import Facts
from needlesafe.engine.inputs import parse_intake
from needlesafe.engine.rule_index import DERIVED, Token, guard
from needlesafe.engine.screening import prepared
from needlesafe.knowledge.conditions import CONDITION_KEYS, Predicate, PredicateBase
from tests.engine.test_screening_properties import CODES, KB, SETTINGS, intakes

KEYS = {key.name: key for key in CONDITION_KEYS}


def has_token(facts: Facts, token: Token) -> bool:
    """Whether the intake has `token` (what a token means, written out plainly)."""
    name, wanted = token
    if name.endswith("?"):
        return bool(is_given(facts.values[name[:-1]]) == wanted)
    if name.endswith(" above"):
        return bool(facts.values[name.removesuffix(" above")] > wanted)
    if name.endswith(" below"):
        return bool(facts.values[name.removesuffix(" below")] < wanted)
    value = facts.values[name]
    return bool(wanted in value if isinstance(value, tuple) else value == wanted)


def derived_conditions() -> list[PredicateBase]:
    """Every derived test the index guards from the knowledge, with every value it can take
    (each code alone and all of them for a list of codes)."""
    values: dict[str, list[Any]] = {
        "numbing_agent_contains": [[c] for c in CODES["allergies"]] + [CODES["allergies"]],
        "allergy_to_numbing_agent": ["ingredient", "class"],
        "allergy_to_topical": [True],
        "topical_unlabeled": [True],
        "topical_biologic": [True],
        "area_region": ["face", "body"],
        "depth_above_area_cap": [True],
    }
    assert set(values) == set(DERIVED)  # a new derived guard is tested here too
    return [Predicate.model_validate({name: v}) for name, given in values.items() for v in given]


CONDITIONS = [
    *derived_conditions(),
    *(r.when for r in KB.risk_rules),
    *(r.when for r in KB.contraindications),
    *(r.when for r in KB.precautions),
]


@SETTINGS
@given(intakes)
def test_no_condition_holds_for_an_intake_without_a_token_of_its_guard(
    data: dict[str, Any],
) -> None:
    facts = Facts(parse_intake(data, KB), KB)
    for condition in CONDITIONS:
        tokens = guard(condition, KB)
        if tokens is not None and evaluate(condition, facts) is not None:
            assert any(has_token(facts, t) for t in tokens), condition


@pytest.mark.parametrize(
    ("plan", "allergies", "skipped", "kept"),
    [
        # lidocaine has no benzocaine or prilocaine; hyaluronic acid is labelled, not PRP
        (
            {"numbing_agent": "lidocaine", "topicals": ["hyaluronic_acid"]},
            [],
            {"pre_methaemoglobinaemia", "allergy_unlabeled_topical", "pre_prp_blood_controls"},
            {"pre_limit_numbing_area"},
        ),
        (
            {"numbing_agent": "benzocaine", "topicals": ["prp", "vitamin_c"]},
            [],
            set(),
            {"pre_methaemoglobinaemia", "allergy_unlabeled_topical", "pre_prp_blood_controls"},
        ),
        # a nickel allergy cannot be to a numbing cream; 0.5 mm is at every area's cap
        (
            {"numbing_agent": "lidocaine", "needle_depth_mm": 0.5},
            ["nickel"],
            {"allergy_numbing_agent_ingredient", "scar_depth_above_area_cap", "pre_reduce_depth"},
            {"pre_nickel_free"},
        ),
    ],
)
def test_the_knowledge_guards_skip_rules_that_cannot_hold(
    plan: dict[str, Any], allergies: list[str], skipped: set[str], kept: set[str]
) -> None:
    data = {
        "patient": {"age": 40, "fitzpatrick": "II", "allergies": allergies},
        "plan": {"areas": ["cheeks"], "needle_depth_mm": 1.0, "device": "pen", **plan},
    }
    facts = Facts(parse_intake(data, KB), KB)
    candidates = {rule.id for rule, _ in prepared(KB).index.candidates(facts)}
    assert not skipped & candidates
    assert kept <= candidates


def test_every_derived_guard_is_of_a_declared_derived_test() -> None:
    tests = {key.test for key in KEYS.values()}
    assert set(DERIVED) <= tests
