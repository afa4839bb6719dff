"""Hypothesis properties of screening: totality, determinism, JSON round trip, monotonicity,
and the rule index and compiled conditions agreeing with the naive reference interpreter."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from needlesafe.engine.conditions import compile_condition, evaluate
from needlesafe.engine.facts import Facts
from needlesafe.engine.inputs import parse_intake
from needlesafe.engine.models import Assessment
from needlesafe.engine.screening import screen, screen_every_rule
from needlesafe.knowledge.loader import default_knowledge
from needlesafe.knowledge.schema import ContraindicationRule, PrecautionRule, RiskRule

KB = default_knowledge()
CODES = {name: sorted(KB.codes[name]) for name in KB.codes}
SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def subset(name: str) -> st.SearchStrategy[list[str]]:
    return st.lists(st.sampled_from(CODES[name]), unique=True, max_size=4)


medication = st.one_of(
    st.sampled_from(CODES["medications"]),
    st.builds(
        lambda c, d: {"code": c, "stopped_days_ago": d},
        st.sampled_from(CODES["medications"]),
        st.integers(0, 1000),
    ),
)
intakes = st.fixed_dictionaries(
    {
        "patient": st.fixed_dictionaries(
            {
                "age": st.integers(0, 120),
                "fitzpatrick": st.sampled_from(CODES["fitzpatrick"]),
                "pregnant": st.booleans(),
                "breastfeeding": st.booleans(),
                "conditions": subset("conditions"),
                "medications": st.lists(medication, max_size=3),
                "allergies": subset("allergies"),
            }
        ),
        "plan": st.fixed_dictionaries(
            {
                "areas": st.lists(
                    st.sampled_from(CODES["areas"]), unique=True, min_size=1, max_size=4
                ),
                "needle_depth_mm": st.floats(0.05, 4.0),
                "device": st.sampled_from(CODES["devices"]),
                "setting": st.sampled_from(CODES["settings"]),
                "numbing_agent": st.sampled_from(CODES["numbing_agents"]),
                "topicals": subset("topicals"),
                "patch_test_done": st.booleans(),
                "sterile_single_use_needles": st.booleans(),
                "medical_clearances": subset("clearances"),
            }
        ),
    }
)


def run(data: dict[str, Any]) -> Assessment:
    return screen(parse_intake(data, KB), KB)


@SETTINGS
@given(intakes)
def test_every_valid_intake_gives_a_valid_assessment_that_round_trips_through_json(
    data: dict[str, Any],
) -> None:
    result = run(data)
    again = Assessment.model_validate_json(result.model_dump_json())
    assert again == Assessment.model_validate(result.model_dump())
    assert set(result.risks) == set(KB.complications)
    assert json.loads(result.model_dump_json())["decision"] == result.decision.value
    for risk in result.risks.values():
        assert (risk.level.value == "baseline") == (not risk.reasons)
    assert run(data).model_dump() == result.model_dump()  # deterministic


# Risk-increasing by definition: each adds a fact or makes the plan riskier, never removes one.
def add_code(field: str, vocabulary: str) -> Any:
    return st.sampled_from(CODES[vocabulary]).map(
        lambda code: (
            lambda d: d["patient"][field].append(code) if code not in d["patient"][field] else None
        )
    )


def deeper(extra: float) -> Any:
    def change(d: dict[str, Any]) -> None:
        d["plan"]["needle_depth_mm"] = min(4.0, d["plan"]["needle_depth_mm"] + extra)

    return change


def set_flag(part: str, field: str, value: Any) -> Any:
    def change(d: dict[str, Any]) -> None:
        d[part][field] = value

    return change


def add_medication(code: str, stopped: int | None) -> Any:
    def change(d: dict[str, Any]) -> None:
        d["patient"]["medications"].append(
            code if stopped is None else {"code": code, "stopped_days_ago": stopped}
        )

    return change


def add_plan_item(field: str, code: str) -> Any:
    def change(d: dict[str, Any]) -> None:
        if code not in d["plan"][field]:
            d["plan"][field].append(code)

    return change


risk_factors = st.one_of(
    add_code("conditions", "conditions"),
    add_code("allergies", "allergies"),
    st.builds(
        add_medication,
        st.sampled_from(CODES["medications"]),
        st.one_of(st.none(), st.integers(0, 1000)),
    ),
    st.floats(0.01, 2.0).map(deeper),
    st.just(set_flag("patient", "pregnant", True)),
    st.just(set_flag("patient", "breastfeeding", True)),
    st.just(set_flag("plan", "patch_test_done", False)),
    st.just(set_flag("plan", "sterile_single_use_needles", False)),
    st.just(set_flag("plan", "setting", "home")),
    st.builds(add_plan_item, st.just("topicals"), st.sampled_from(CODES["topicals"])),
    st.builds(add_plan_item, st.just("areas"), st.sampled_from(CODES["areas"])),
)


@SETTINGS
@given(intakes, st.lists(risk_factors, min_size=1, max_size=3))
def test_adding_a_risk_factor_never_lowers_a_level_or_the_decision(
    data: dict[str, Any], changes: list[Any]
) -> None:
    before = run(data)
    riskier = json.loads(json.dumps(data))
    for change in changes:
        change(riskier)
    after = run(riskier)
    assert after.decision.rank >= before.decision.rank
    for code, risk in before.risks.items():
        assert after.risks[code].level.rank >= risk.level.rank, code
    assert {p.code for p in before.precautions} <= {p.code for p in after.precautions}
    assert {c.code for c in before.contraindications} <= {c.code for c in after.contraindications}


@SETTINGS
@given(
    intakes,
    st.sampled_from(
        CODES["numbing_agents"][1:]
        if CODES["numbing_agents"][0] == "none"
        else [c for c in CODES["numbing_agents"] if c != "none"]
    ),
)
def test_planning_a_numbing_agent_where_there_was_none_never_lowers_anything(
    data: dict[str, Any], agent: str
) -> None:
    data["plan"]["numbing_agent"] = "none"
    before = run(data)
    data["plan"]["numbing_agent"] = agent
    after = run(data)
    assert after.decision.rank >= before.decision.rank
    for code, risk in before.risks.items():
        assert after.risks[code].level.rank >= risk.level.rank


@SETTINGS
@given(intakes)
def test_recording_a_clearance_never_raises_anything_and_a_missing_one_never_proceeds(
    data: dict[str, Any],
) -> None:
    data["plan"]["medical_clearances"] = []
    waiting = run(data)
    if any(p.code == "medical_clearance" for p in waiting.precautions):
        assert waiting.decision.rank >= 2  # defer or do_not_treat until cleared
    data["plan"]["medical_clearances"] = CODES["clearances"]
    cleared = run(data)
    assert cleared.decision.rank <= waiting.decision.rank
    for code, risk in waiting.risks.items():
        assert cleared.risks[code].level is risk.level


# ---------------------------------------------------------------- the index only narrows


@SETTINGS
@given(intakes)
def test_screening_with_the_rule_index_equals_evaluating_every_rule(data: dict[str, Any]) -> None:
    intake = parse_intake(data, KB)
    assert screen(intake, KB).model_dump_json() == screen_every_rule(intake, KB).model_dump_json()


@SETTINGS
@given(intakes)
def test_each_compiled_condition_answers_as_the_reference_interpreter(
    data: dict[str, Any],
) -> None:
    facts = Facts(parse_intake(data, KB), KB)
    rules: tuple[RiskRule | ContraindicationRule | PrecautionRule, ...] = (
        *KB.risk_rules,
        *KB.contraindications,
        *KB.precautions,
    )
    for rule in rules:
        assert compile_condition(rule.when)(facts) == evaluate(rule.when, facts), rule.id
