"""An assessment is immutable through and through: no caller can change its own result, let
alone another patient's (a shared, mutable result part once carried one patient's change into
the next patient's assessment)."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any

import pytest
from pydantic import ValidationError

from needlesafe.engine.inputs import parse_intake
from needlesafe.engine.models import Assessment
from needlesafe.engine.screening import screen
from needlesafe.knowledge.base import Knowledge

PLAN = {"areas": ["perioral"], "needle_depth_mm": 2.5, "device": "pen"}


def assess(knowledge: Knowledge, age: int) -> Assessment:
    data = {"patient": {"age": age, "fitzpatrick": "IV"}, "plan": PLAN}
    return screen(parse_intake(data, knowledge), knowledge)


def attempts(result: Assessment) -> list[tuple[type[Exception], Callable[[], Any]]]:
    """Every way a caller might try to change an assessment's parts, with the error it meets:
    a frozen model refuses assignment (ValidationError), a tuple has no append or pop
    (AttributeError), a read-only mapping refuses an item (TypeError)."""
    precaution = next(p for p in result.precautions if p.params)
    raised = next(r for r in result.risks.values() if r.reasons)
    baseline = next(r for r in result.risks.values() if not r.reasons)
    # every attempt is a change the types already forbid: the ignores below are the point
    return [
        (AttributeError, lambda: precaution.sources.append("x")),  # type: ignore[attr-defined]
        (AttributeError, lambda: precaution.factors.append("x")),  # type: ignore[attr-defined]
        (TypeError, lambda: precaution.params.update(max_depth_mm=9.0)),  # type: ignore[attr-defined]
        (TypeError, lambda: precaution.params.__setitem__("max_depth_mm", 9.0)),  # type: ignore[index]
        (ValidationError, lambda: setattr(precaution, "clinician_text", "changed")),
        (AttributeError, lambda: raised.reasons.append(raised.reasons[0])),  # type: ignore[attr-defined]
        (AttributeError, lambda: raised.reasons[0].sources.append("x")),  # type: ignore[attr-defined]
        (ValidationError, lambda: setattr(raised.reasons[0], "factor", "changed")),
        (ValidationError, lambda: setattr(baseline, "level", "high")),
        (AttributeError, lambda: baseline.reasons.append(raised.reasons[0])),  # type: ignore[attr-defined]
        (TypeError, lambda: result.risks.__setitem__("scarring", raised)),  # type: ignore[index]
        (TypeError, lambda: result.risks.pop("scarring")),  # type: ignore[attr-defined]
        (AttributeError, lambda: result.precautions.append(precaution)),  # type: ignore[attr-defined]
        (AttributeError, lambda: result.contraindications.append(None)),  # type: ignore[attr-defined]
        (ValidationError, lambda: setattr(result, "decision", "proceed")),
    ]


def test_every_change_to_an_assessment_is_refused(knowledge: Knowledge) -> None:
    result = assess(knowledge, 30)
    for error, attempt in attempts(result):
        with pytest.raises(error):
            attempt()


def test_one_patients_result_cannot_change_anothers(knowledge: Knowledge) -> None:
    first = assess(knowledge, 30)
    before = assess(knowledge, 52).model_dump_json()
    for error, attempt in attempts(first):
        with contextlib.suppress(error):
            attempt()
    assert assess(knowledge, 52).model_dump_json() == before
    assert assess(knowledge, 30).model_dump_json() == first.model_dump_json()


def test_an_assessment_read_back_from_json_is_as_immutable(knowledge: Knowledge) -> None:
    again = Assessment.model_validate_json(assess(knowledge, 30).model_dump_json())
    for error, attempt in attempts(again):
        with pytest.raises(error):
            attempt()


def test_an_assessment_shares_no_mutable_part_with_the_knowledge(knowledge: Knowledge) -> None:
    """Screening copies each rule's prepared output fields into the result
    (`screening.prepared`): a precaution's parameters are its own read-only mapping, never the
    knowledge's dict, and changing them is refused."""
    plan = {"areas": ["cheeks"], "needle_depth_mm": 0.5, "device": "pen", "setting": "home"}
    data = {"patient": {"age": 30, "fitzpatrick": "II"}, "plan": plan}
    result = screen(parse_intake(data, knowledge), knowledge)
    rules = {rule.id: rule for rule in knowledge.precautions}
    with_params = [p for p in result.precautions if rules[p.rule].params]
    assert with_params  # the home-use depth limit
    for precaution in with_params:
        assert precaution.params == rules[precaution.rule].params
        assert precaution.params is not rules[precaution.rule].params
        with pytest.raises(TypeError):
            precaution.params["max_depth_mm"] = 9.0  # type: ignore[index]  # read-only: the point
