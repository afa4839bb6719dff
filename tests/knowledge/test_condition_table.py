"""The condition table is the one declaration of the condition keys: a key added to a
(temporary) table is at once in the schema, the evaluator, the rule index, the code checks, the
lint and the review sheet's words; `needlesafe knowledge keys` lists the real table. The same
holds for the aftercare plan's table, whose keys shared with the screening are its rows."""

from __future__ import annotations

import pytest
from pydantic import ValidationError
from typer.testing import CliRunner

from needlesafe.cli import app
from needlesafe.engine.conditions import compile_condition, evaluate, holds
from needlesafe.engine.facts import AftercareFacts, Facts
from needlesafe.engine.inputs import parse_intake
from needlesafe.engine.rule_index import guard
from needlesafe.engine.screening import screen
from needlesafe.knowledge.base import Knowledge, predicate_codes
from needlesafe.knowledge.conditions import (
    AFTERCARE_KEYS,
    CONDITION_KEYS,
    AftercarePredicate,
    ConditionKey,
    predicate_model,
)
from needlesafe.knowledge.lint import never_true
from needlesafe.knowledge.review import condition_in_words
from needlesafe.knowledge.schema import Predicate

SKIN_TYPE = ConditionKey(
    "skin_type_in",
    "any_of",
    list[str],
    "the patient's skin type is one of these",
    "the skin type is {codes}",
    fact="patient.fitzpatrick",
    vocabulary="fitzpatrick",
)
Extended = predicate_model((*CONDITION_KEYS, SKIN_TYPE), "ExtendedPredicate")


def test_the_schema_takes_the_new_key_and_still_refuses_unknown_ones() -> None:
    Extended.model_validate({"skin_type_in": ["IV"]})
    with pytest.raises(ValidationError, match="skin_type_in"):
        Predicate.model_validate({"skin_type_in": ["IV"]})  # not in the packaged table
    with pytest.raises(ValidationError, match="skin_typo_in"):
        Extended.model_validate({"skin_typo_in": ["IV"]})


def test_the_evaluator_and_the_index_see_the_new_key(knowledge: Knowledge) -> None:
    intake = {
        "patient": {"age": 40, "fitzpatrick": "IV", "conditions": ["melasma"]},
        "plan": {"areas": ["cheeks"], "needle_depth_mm": 1.0, "device": "pen"},
    }
    facts = Facts(parse_intake(intake, knowledge), knowledge)
    both = Extended.model_validate(
        {"all": [{"skin_type_in": ["V", "IV"]}, {"condition_any": ["melasma"]}]}
    )
    expected = ("patient.fitzpatrick=IV", "patient.conditions=melasma")
    assert evaluate(both, facts) == expected
    assert compile_condition(both)(facts) == expected
    assert evaluate(Extended.model_validate({"skin_type_in": ["I"]}), facts) is None
    tokens = guard(Extended.model_validate({"skin_type_in": ["V", "IV"]}))
    assert tokens == frozenset({("patient.fitzpatrick", "V"), ("patient.fitzpatrick", "IV")})


def test_the_code_checks_the_lint_and_the_review_sheet_see_the_new_key(
    knowledge: Knowledge,
) -> None:
    typo = Extended.model_validate({"skin_type_in": ["XI"]})
    assert list(predicate_codes(typo)) == [("fitzpatrick", "XI")]  # the load names it unknown
    empty = Extended.model_validate({"skin_type_in": []})
    assert "empty list" in str(never_true(empty, knowledge))
    apart = Extended.model_validate({"all": [{"skin_type_in": ["I"]}, {"skin_type_in": ["VI"]}]})
    assert "exclude each other" in str(never_true(apart, knowledge))
    assert condition_in_words(typo) == "the skin type is `XI`"


def test_a_key_declared_twice_is_refused() -> None:
    with pytest.raises(ValueError, match="declared twice"):
        predicate_model((*CONDITION_KEYS, CONDITION_KEYS[0]), "Doubled")


def test_a_key_whose_test_the_engine_lacks_fails_when_evaluated(knowledge: Knowledge) -> None:
    odd = ConditionKey("odd", "no_such_test", bool, "odd", "odd", fact="patient.pregnant")
    model = predicate_model((*CONDITION_KEYS, odd), "OddPredicate")
    intake = {
        "patient": {"age": 40, "fitzpatrick": "IV"},
        "plan": {"areas": ["cheeks"], "needle_depth_mm": 1.0, "device": "pen"},
    }
    facts = Facts(parse_intake(intake, knowledge), knowledge)
    with pytest.raises(ValueError, match="no test 'no_such_test'"):
        evaluate(model.model_validate({"odd": True}), facts)


def test_knowledge_keys_lists_every_key_of_the_table() -> None:
    result = CliRunner().invoke(app, ["knowledge", "keys"])
    assert result.exit_code == 0, result.output
    for key in CONDITION_KEYS:
        assert f"\n{key.name}: " in result.output
        assert key.description in result.output


# ---------------------------------------------------------------- the aftercare table

# a key of the aftercare plan's table, reading the screening assessment
DECISION = ConditionKey(
    "decision_in",
    "any_of",
    list[str],
    "the screening's decision is one of these",
    "the decision is {codes}",
    fact="assessment.decision",
)
ExtendedAftercare = predicate_model((*AFTERCARE_KEYS, DECISION), "ExtendedAftercarePredicate")


def test_an_aftercare_key_is_in_the_schema_the_evaluator_the_lint_and_the_review(
    knowledge: Knowledge,
) -> None:
    ExtendedAftercare.model_validate({"decision_in": ["proceed"]})
    with pytest.raises(ValidationError, match="decision_in"):
        AftercarePredicate.model_validate({"decision_in": ["proceed"]})  # not in the table
    with pytest.raises(ValidationError, match="condition_any"):  # a screening-only key
        AftercarePredicate.model_validate({"condition_any": ["melasma"]})

    intake = parse_intake(
        {
            "patient": {"age": 40, "fitzpatrick": "II"},
            "plan": {"areas": ["cheeks"], "needle_depth_mm": 1.0, "device": "pen"},
        },
        knowledge,
    )
    assessment = screen(intake, knowledge)
    facts = AftercareFacts(intake.plan, assessment, knowledge)
    decision = assessment.decision.value
    both = ExtendedAftercare.model_validate(
        {"all": [{"decision_in": ["defer", decision]}, {"area_in": ["cheeks"]}]}
    )
    assert evaluate(both, facts) == (f"assessment.decision={decision}", "plan.areas=cheeks")
    assert compile_condition(both)(facts) == evaluate(both, facts)
    assert holds(both, facts)
    assert not holds(ExtendedAftercare.model_validate({"decision_in": ["defer"]}), facts)

    assert "empty list" in str(
        never_true(ExtendedAftercare.model_validate({"decision_in": []}), knowledge)
    )
    apart = ExtendedAftercare.model_validate(
        {"all": [{"decision_in": ["proceed"]}, {"decision_in": ["defer"]}]}
    )
    assert "exclude each other" in str(never_true(apart, knowledge))
    assert (
        condition_in_words(both)
        == f"the decision is `defer` or `{decision}` and the plan treats `cheeks`"
    )


def test_an_aftercare_key_means_what_the_same_screening_key_means(knowledge: Knowledge) -> None:
    screening = {key.name: key for key in CONDITION_KEYS}
    for key in AFTERCARE_KEYS:
        if key.name in screening:
            assert key is screening[key.name]  # one row, not a copy
    assert {k.name for k in AFTERCARE_KEYS} - set(screening) == {"risk_at_least", "precaution_any"}


def test_the_aftercare_codes_are_checked_by_the_table(knowledge: Knowledge) -> None:
    when = AftercarePredicate.model_validate(
        {"any": [{"precaution_any": ["antivirals"]}, {"area_in": ["scalps"]}]}
    )
    assert list(predicate_codes(when)) == [("precautions", "antivirals"), ("areas", "scalps")]


def test_knowledge_keys_lists_the_aftercare_table_with_its_rules() -> None:
    result = CliRunner().invoke(app, ["knowledge", "keys"])
    assert result.exit_code == 0, result.output
    aftercare = result.output[result.output.index("# the keys of the aftercare plan") :]
    for key in AFTERCARE_KEYS:
        assert f"\n{key.name}: " in aftercare
    assert "\ncondition_any: " not in aftercare
