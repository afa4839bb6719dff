"""Unit tests per rule family: the facts, rule ids, sources and parameters each result carries."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import pytest

from needlesafe.engine.conditions import evaluate
from needlesafe.engine.facts import Facts
from needlesafe.engine.inputs import parse_intake
from needlesafe.engine.models import Assessment
from needlesafe.engine.screening import screen
from needlesafe.knowledge.base import Knowledge
from needlesafe.knowledge.schema import Decision, Level


def assess(knowledge: Knowledge, patient: dict[str, Any] | None = None, **plan: Any) -> Assessment:
    data = {
        "patient": {"age": 35, "fitzpatrick": "II", **(patient or {})},
        "plan": {
            "areas": ["cheeks"],
            "needle_depth_mm": 1.0,
            "device": "pen",
            "patch_test_done": True,
            **plan,
        },
    }
    return screen(parse_intake(data, knowledge), knowledge)


def rules_fired(result: Assessment, complication: str) -> set[str]:
    return {r.rule for r in result.risks[complication].reasons}


def test_healthy_adult_standard_plan_proceeds_with_every_risk_at_baseline(
    knowledge: Knowledge,
) -> None:
    result = assess(knowledge, numbing_agent="lidocaine", topicals=["hyaluronic_acid"])
    assert result.decision is Decision.proceed
    assert set(result.risks) == set(knowledge.complications)
    assert all(r.level is Level.baseline and not r.reasons for r in result.risks.values())
    assert result.precautions == () and result.contraindications == ()
    assert result.knowledge_version == knowledge.version


# ---------------------------------------------------------------- pigmentation
@pytest.mark.parametrize(
    ("patient", "depth", "level", "rule"),
    [
        ({"fitzpatrick": "III"}, 1.0, Level.baseline, None),
        ({"fitzpatrick": "IV"}, 1.0, Level.elevated, "hyperpig_skin_of_colour"),
        ({"fitzpatrick": "V"}, 2.0, Level.high, "hyperpig_dark_skin_deep"),
        ({"fitzpatrick": "IV", "conditions": ["melasma"]}, 1.0, Level.high, "hyperpig_melasma"),
        ({"conditions": ["pih_history"]}, 1.0, Level.high, "hyperpig_pih_history"),
        (
            {"fitzpatrick": "VI", "medications": ["photosensitizing_drug"]},
            1.0,
            Level.high,
            "hyperpig_dark_skin_photosensitizer",
        ),
        ({"conditions": ["recent_tan"]}, 1.0, Level.high, "hyperpig_sun_exposure"),
    ],
)
def test_hyperpigmentation_rules(
    knowledge: Knowledge, patient: dict[str, Any], depth: float, level: Level, rule: str | None
) -> None:
    result = assess(knowledge, patient, needle_depth_mm=depth)
    assert result.risks["hyperpigmentation"].level is level
    if rule:
        assert rule in rules_fired(result, "hyperpigmentation")


def test_a_reason_names_the_fact_the_rule_and_its_sources(knowledge: Knowledge) -> None:
    result = assess(knowledge, {"fitzpatrick": "IV"})
    (reason,) = result.risks["hyperpigmentation"].reasons
    assert reason.factor == "patient.fitzpatrick=IV"
    assert reason.rule == "hyperpig_skin_of_colour"
    assert reason.sources and all(s in knowledge.sources for s in reason.sources)
    assert result.risks["hyperpigmentation"].patient_text == (
        knowledge.complications["hyperpigmentation"].patient_text.elevated
    )


# ---------------------------------------------------------------- scarring and depth
@pytest.mark.parametrize(
    ("plan", "caps", "max_depth"),
    [
        ({"areas": ["forehead"], "needle_depth_mm": 1.0}, {"forehead": 0.5}, 0.5),
        (
            {"areas": ["forehead", "perioral", "cheeks"], "needle_depth_mm": 1.5},
            {"forehead": 0.5, "perioral": 1.0},
            0.5,
        ),
        ({"areas": ["neck"], "needle_depth_mm": 1.25}, {"neck": 1.0}, 1.0),
    ],
)
def test_reduce_depth_names_the_cap_of_each_area_over_it(
    knowledge: Knowledge, plan: dict[str, Any], caps: dict[str, float], max_depth: float
) -> None:
    result = assess(knowledge, **plan)
    (reduce,) = [p for p in result.precautions if p.code == "reduce_depth"]
    assert reduce.params == {**caps, "max_depth_mm": max_depth}
    for area, cap in caps.items():
        assert f"{area} {cap:g} mm" in reduce.clinician_text
    assert result.risks["scarring"].level is Level.elevated


def test_reduce_depth_for_scar_prone_skin_caps_at_one_millimetre(knowledge: Knowledge) -> None:
    result = assess(knowledge, {"conditions": ["hypertrophic_scar_history"]}, needle_depth_mm=1.5)
    (reduce,) = [p for p in result.precautions if p.code == "reduce_depth"]
    assert reduce.params == {"max_depth_mm": 1.0}


def test_reduce_depth_rules_merge_into_one_precaution_with_the_smallest_cap(
    knowledge: Knowledge,
) -> None:
    result = assess(
        knowledge, {"conditions": ["keloid_history"]}, areas=["forehead"], needle_depth_mm=1.5
    )
    reduce = [p for p in result.precautions if p.code == "reduce_depth"]
    assert len(reduce) == 1
    assert reduce[0].params["max_depth_mm"] == 0.5
    assert len(reduce[0].factors) >= 2


@pytest.mark.parametrize(
    ("setting", "depth", "decision", "level"),
    [
        ("home", 0.3, Decision.proceed_with_precautions, Level.baseline),
        ("home", 0.5, Decision.do_not_treat, Level.high),
        ("clinic", 0.5, Decision.proceed, Level.baseline),
    ],
)
def test_home_needling_beyond_0_3_mm(
    knowledge: Knowledge, setting: str, depth: float, decision: Decision, level: Level
) -> None:
    result = assess(knowledge, setting=setting, needle_depth_mm=depth, areas=["cheeks"])
    assert result.decision is decision
    assert result.risks["scarring"].level is level


# ---------------------------------------------------------------- isotretinoin
@pytest.mark.parametrize(
    ("medication", "decision", "level"),
    [
        ("isotretinoin", Decision.defer, Level.high),
        (
            {"code": "isotretinoin", "stopped_days_ago": 0},
            Decision.proceed_with_precautions,
            Level.elevated,
        ),
        (
            {"code": "isotretinoin", "stopped_days_ago": 180},
            Decision.proceed_with_precautions,
            Level.elevated,
        ),
        ({"code": "isotretinoin", "stopped_days_ago": 181}, Decision.proceed, Level.baseline),
    ],
)
def test_isotretinoin_current_versus_stopped(
    knowledge: Knowledge, medication: Any, decision: Decision, level: Level
) -> None:
    result = assess(knowledge, {"medications": [medication]})
    assert result.decision is decision
    assert result.risks["scarring"].level is level
    if level is not Level.baseline:
        assert all("spring_2017" in r.sources for r in result.risks["scarring"].reasons)


# ---------------------------------------------------------------- allergies
@pytest.mark.parametrize(
    ("allergy", "agent", "level", "rule"),
    [
        ("lidocaine", "lidocaine", Level.high, "allergy_numbing_agent_ingredient"),
        (
            "lidocaine",
            "benzocaine_lidocaine_tetracaine",
            Level.high,
            "allergy_numbing_agent_ingredient",
        ),
        ("prilocaine", "lidocaine_prilocaine", Level.high, "allergy_numbing_agent_ingredient"),
        ("prilocaine", "lidocaine", Level.elevated, "allergy_numbing_agent_class"),
        ("tetracaine", "benzocaine", Level.elevated, "allergy_numbing_agent_class"),
        ("benzocaine", "lidocaine_tetracaine", Level.elevated, "allergy_numbing_agent_class"),
        ("lidocaine", "tetracaine", Level.baseline, None),
        ("benzocaine", "prilocaine", Level.baseline, None),
        ("lidocaine", "none", Level.baseline, None),
    ],
)
def test_numbing_allergy_by_ingredient_and_by_class(
    knowledge: Knowledge, allergy: str, agent: str, level: Level, rule: str | None
) -> None:
    result = assess(knowledge, {"allergies": [allergy]}, numbing_agent=agent)
    assert result.risks["allergic_reaction"].level is level
    codes = {p.code for p in result.precautions}
    if rule:
        assert rule in rules_fired(result, "allergic_reaction")
        assert "change_numbing_agent" in codes
    else:
        assert "change_numbing_agent" not in codes


@pytest.mark.parametrize(
    "agent", ["benzocaine", "prilocaine", "lidocaine_prilocaine", "benzocaine_lidocaine_tetracaine"]
)
def test_methaemoglobinaemia_warning_for_benzocaine_and_prilocaine(
    knowledge: Knowledge, agent: str
) -> None:
    codes = {p.code for p in assess(knowledge, numbing_agent=agent).precautions}
    assert "methaemoglobinaemia_warning" in codes


def test_no_methaemoglobinaemia_warning_for_lidocaine(knowledge: Knowledge) -> None:
    codes = {p.code for p in assess(knowledge, numbing_agent="lidocaine").precautions}
    assert "methaemoglobinaemia_warning" not in codes


# ---------------------------------------------------------------- decision
def test_the_decision_is_the_strictest_contraindication(knowledge: Knowledge) -> None:
    result = assess(
        knowledge, {"conditions": ["active_cold_sore", "skin_cancer_in_area"]}, areas=["perioral"]
    )
    assert result.decision is Decision.do_not_treat
    assert {c.code for c in result.contraindications} == {"active_cold_sore", "skin_cancer_in_area"}


def test_guardian_consent_names_the_fda_adult_population(knowledge: Knowledge) -> None:
    (guardian,) = [p for p in assess(knowledge, {"age": 15}).precautions]
    assert guardian.code == "guardian_consent"
    assert "adults" in guardian.clinician_text and "878.4430" in guardian.clinician_text


def test_medical_clearance_for_every_bleeding_risk(knowledge: Knowledge) -> None:
    for patient in (
        {"medications": ["anticoagulant"]},
        {"medications": ["antiplatelet"]},
        {"conditions": ["bleeding_disorder"]},
    ):
        codes = {p.code for p in assess(knowledge, patient).precautions}
        assert "medical_clearance" in codes, patient


# ---------------------------------------------------------------- the rule index
def load_benchmark() -> Any:
    """benchmarks/screening.py, whose seeded generator makes varied intakes."""
    path = Path(__file__).parents[2] / "benchmarks" / "screening.py"
    spec = importlib.util.spec_from_file_location("benchmark_screening", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def naive(intake: Any, knowledge: Knowledge) -> dict[str, Any]:
    """Every rule evaluated in file order, without the engine's index."""
    facts = Facts(intake, knowledge)
    return {
        "risks": [r.id for r in knowledge.risk_rules if evaluate(r.when, facts) is not None],
        "cis": [c.id for c in knowledge.contraindications if evaluate(c.when, facts) is not None],
        "pres": [p.code for p in knowledge.precautions if evaluate(p.when, facts) is not None],
    }


def test_the_indexed_engine_fires_exactly_the_rules_a_naive_evaluation_fires(
    knowledge: Knowledge,
) -> None:
    for data in load_benchmark().generate(400, 11, knowledge):
        intake = parse_intake(data, knowledge)
        result = screen(intake, knowledge)
        expected = naive(intake, knowledge)
        got_risks = [r.rule for c in result.risks.values() for r in c.reasons]
        assert sorted(got_risks) == sorted(expected["risks"])
        escalations = {e.id for e in knowledge.escalations}
        got_cis = [c.rule for c in result.contraindications if c.rule not in escalations]
        assert got_cis == expected["cis"]
        assert [p.code for p in result.precautions] == list(dict.fromkeys(expected["pres"]))
