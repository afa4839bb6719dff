"""The screening engine remembers the result parts it built (risks, contraindications,
precautions) and their JSON, and shares them between assessments: sharing must never change a
result, and nothing may mutate a shared part."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from needlesafe.engine import screening
from needlesafe.engine.inputs import parse_intake
from needlesafe.engine.models import Intake
from needlesafe.engine.screening import assessment_json, compiled, screen
from needlesafe.knowledge.base import Knowledge

HERE = Path(__file__).parent


def load_benchmark() -> Any:
    """benchmarks/screening.py, whose seeded generator makes varied intakes."""
    path = HERE.parents[1] / "benchmarks" / "screening.py"
    spec = importlib.util.spec_from_file_location("benchmark_screening", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def intakes(knowledge: Knowledge) -> list[Intake]:
    """The screening vignettes, then varied generated intakes."""
    vignettes = yaml.safe_load((HERE / "vignettes" / "screening.yaml").read_text("utf-8"))
    documents = [
        {
            "patient": {"age": 35, "fitzpatrick": "II", **v.get("patient", {})},
            "plan": {
                "areas": ["cheeks"],
                "needle_depth_mm": 1.0,
                "device": "pen",
                "patch_test_done": True,
                **v.get("plan", {}),
            },
        }
        for v in vignettes
    ]
    documents += load_benchmark().generate(600, 5, knowledge)
    return [parse_intake(d, knowledge) for d in documents]


def shared_parts(knowledge: Knowledge) -> list[Any]:
    outputs = compiled(knowledge).outputs
    return [
        *outputs.baseline_risks.values(),
        *outputs.risks.values(),
        *outputs.contraindications.values(),
        *outputs.precautions.values(),
    ]


def test_remembered_parts_give_the_same_results_as_building_each_anew(
    knowledge: Knowledge, monkeypatch: pytest.MonkeyPatch
) -> None:
    cases = intakes(knowledge)
    warm = [screen(i, knowledge).model_dump_json() for i in cases]
    warm_again = [screen(i, knowledge).model_dump_json() for i in cases]
    monkeypatch.setattr(screening, "MEMO_SIZE", 1)  # forget everything before each new part
    fresh = [screen(i, knowledge).model_dump_json() for i in cases]
    assert warm == warm_again == fresh


def test_shared_parts_are_not_mutated_by_screening_or_serialising(knowledge: Knowledge) -> None:
    cases = intakes(knowledge)
    for intake in cases:
        screen(intake, knowledge)
    before = [(part, part.model_dump_json()) for part in shared_parts(knowledge)]
    assert len(before) > 100
    for intake in cases:
        result = screen(intake, knowledge)
        assessment_json(result)
        result.model_dump()
    assert [part.model_dump_json() for part, _ in before] == [text for _, text in before]


def test_each_assessment_has_its_own_lists_and_risk_mapping(knowledge: Knowledge) -> None:
    case = next(i for i in intakes(knowledge) if screen(i, knowledge).precautions)
    first, second = screen(case, knowledge), screen(case, knowledge)
    assert first.precautions[0] is second.precautions[0]  # a shared, frozen part
    assert first.risks is not second.risks
    assert first.precautions is not second.precautions
    assert first.contraindications is not second.contraindications


def test_assessment_json_is_exactly_model_dump_json(
    knowledge: Knowledge, monkeypatch: pytest.MonkeyPatch
) -> None:
    for intake in intakes(knowledge):
        result = screen(intake, knowledge)
        assert assessment_json(result) == result.model_dump_json()
        assert assessment_json(result) == result.model_dump_json()  # from remembered parts
    monkeypatch.setattr(screening, "MEMO_SIZE", 1)
    for intake in intakes(knowledge)[:50]:
        result = screen(intake, knowledge)
        assert json.loads(assessment_json(result)) == json.loads(result.model_dump_json())
        assert assessment_json(result) == result.model_dump_json()


def test_one_patients_result_cannot_change_anothers(knowledge: Knowledge) -> None:
    """The parts two assessments share (a precaution, a risk's reasons) refuse every change:
    appending to one patient's precaution sources once leaked into the next patient's."""
    plan = {"areas": ["perioral"], "needle_depth_mm": 2.5, "device": "pen"}
    first = screen(
        parse_intake({"patient": {"age": 30, "fitzpatrick": "IV"}, "plan": plan}, knowledge),
        knowledge,
    )
    second_intake = {"patient": {"age": 52, "fitzpatrick": "IV"}, "plan": plan}
    before = screen(parse_intake(second_intake, knowledge), knowledge).model_dump_json()
    shared = next(p for p in first.precautions if p.params)
    raised = next(r for r in first.risks.values() if r.reasons)
    attempts = [
        lambda: shared.sources.append("x"),  # type: ignore[attr-defined]
        lambda: shared.factors.append("x"),  # type: ignore[attr-defined]
        lambda: shared.params.update(max_depth_mm=9.0),  # type: ignore[attr-defined]
        lambda: shared.params.__setitem__("max_depth_mm", 9.0),
        lambda: raised.reasons.append(raised.reasons[0]),  # type: ignore[attr-defined]
        lambda: raised.reasons[0].sources.append("x"),  # type: ignore[attr-defined]
    ]
    for attempt in attempts:
        with pytest.raises((AttributeError, TypeError)):
            attempt()
    after = screen(parse_intake(second_intake, knowledge), knowledge).model_dump_json()
    assert after == before
