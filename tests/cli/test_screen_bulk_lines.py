"""A JSON Lines batch is screened line by line from the JSON text (`assess_line`: pydantic
validates the intake straight from the line); every line must give what the single-document
way gives (json.loads, then `parse_intake`): the same assessment, or the same error."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given

from needlesafe.cli.common import json_line
from needlesafe.cli.screening import assess_line, compute_assessment
from needlesafe.errors import InputError
from tests.engine.test_screening_properties import KB, SETTINGS, intakes


def outcome(compute: Any, line: str) -> str:
    """The assessment's JSON, or the error's first line."""
    try:
        return str(compute(line).model_dump_json())
    except InputError as error:
        return "error: " + error.first_line


def both_ways(line: str) -> tuple[str, str]:
    return (
        outcome(lambda text: assess_line(text, KB), line),
        outcome(lambda text: compute_assessment(json_line(text), KB), line),
    )


@SETTINGS
@given(intakes)
def test_a_valid_line_gives_the_same_assessment_both_ways(data: dict[str, Any]) -> None:
    fast, reference = both_ways(json.dumps(data))
    assert fast == reference and not fast.startswith("error")


PATIENT = '"patient": {"age": 30, "fitzpatrick": "II"}'
PLAN = '"plan": {"areas": ["cheeks"], "needle_depth_mm": 1.5, "device": "pen"}'


@pytest.mark.parametrize(
    "line",
    [
        "{" + PATIENT + ", " + PLAN + "}",
        "{" + PATIENT + ", " + PLAN.replace("1.5", "2") + "}",  # a whole number for a float
        "{" + PATIENT.replace("30", "30.0") + ", " + PLAN + "}",  # 30.0 is the age 30
        "{" + PATIENT + ", " + PLAN + ", " + PATIENT.replace("II", "V") + "}",  # the last wins
        "  {" + PATIENT + ", " + PLAN + "}  ",
        "{" + PATIENT + ", " + PLAN.replace("1.5", "NaN") + "}",
        "{" + PATIENT + ", " + PLAN.replace("1.5", "Infinity") + "}",
        "{" + PATIENT + ", " + PLAN.replace("1.5", '"1.5"') + "}",
        "{" + PATIENT.replace("30", "true") + ", " + PLAN + "}",
        "{" + PATIENT.replace("30", "1e400") + ", " + PLAN + "}",
        "{" + PATIENT.replace('"II"', '"\\ud800"') + ", " + PLAN + "}",  # refused both ways
        "{" + PATIENT.replace('"II"', '"II", "eye": 1') + ", " + PLAN + "}",
        "{" + PATIENT + ", " + PLAN.replace('"pen"', '"laser"') + "}",
        "{" + PATIENT + "}",
        "{" + PATIENT + ", " + PLAN + "} trailing",
        "{broken",
        "[1, 2]",
        '"a string"',
        "null",
    ],
)
def test_every_line_gives_the_same_result_or_error_both_ways(line: str) -> None:
    fast, reference = both_ways(line)
    assert fast == reference
