"""The vignette suite: intakes written from the clinical knowledge, with what must come out."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from needlesafe.engine.inputs import parse_intake
from needlesafe.engine.screening import screen
from needlesafe.knowledge.base import Knowledge

VIGNETTES: list[dict[str, Any]] = yaml.safe_load(
    (Path(__file__).parent / "vignettes" / "screening.yaml").read_text(encoding="utf-8")
)
DEFAULT_PATIENT = {"age": 35, "fitzpatrick": "II"}
DEFAULT_PLAN = {
    "areas": ["cheeks"],
    "needle_depth_mm": 1.0,
    "device": "pen",
    "patch_test_done": True,
}


def intake_of(vignette: dict[str, Any]) -> dict[str, Any]:
    return {
        "patient": {**DEFAULT_PATIENT, **vignette.get("patient", {})},
        "plan": {**DEFAULT_PLAN, **vignette.get("plan", {})},
    }


def test_there_are_at_least_forty_vignettes() -> None:
    assert len(VIGNETTES) >= 40
    assert len({v["name"] for v in VIGNETTES}) == len(VIGNETTES)


@pytest.mark.parametrize("vignette", VIGNETTES, ids=[v["name"] for v in VIGNETTES])
def test_vignette_gives_the_expected_assessment(
    vignette: dict[str, Any], knowledge: Knowledge
) -> None:
    result = screen(parse_intake(intake_of(vignette), knowledge), knowledge)
    assert result.decision.value == vignette["decision"]
    expected = vignette.get("levels", {})
    levels = {code: risk.level.value for code, risk in result.risks.items()}
    assert levels == {code: expected.get(code, "baseline") for code in knowledge.complications}
    precautions = {p.code for p in result.precautions}
    assert set(vignette.get("precautions", [])) <= precautions
    contraindications = {c.code for c in result.contraindications}
    assert set(vignette.get("contraindications", [])) <= contraindications
    if vignette["decision"] == "proceed":
        assert not precautions and not contraindications


def test_the_vignettes_fire_every_rule(knowledge: Knowledge) -> None:
    fired: set[str] = set()
    for vignette in VIGNETTES:
        result = screen(parse_intake(intake_of(vignette), knowledge), knowledge)
        fired |= {r.rule for risk in result.risks.values() for r in risk.reasons}
        fired |= {c.rule for c in result.contraindications}
        for p in result.precautions:
            fired.add(p.rule)
    every = (
        {r.id for r in knowledge.risk_rules}
        | {c.id for c in knowledge.contraindications}
        | {e.id for e in knowledge.escalations}
    )
    assert every - fired == set()
