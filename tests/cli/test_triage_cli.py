"""`needlesafe triage`: JSON and readable output, bulk JSON Lines, bad input (exit 2, one line
naming the field, no traceback)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from needlesafe.cli import app

runner = CliRunner()
GOOD = {
    "days_since_treatment": 3,
    "symptoms": ["redness", {"code": "pain", "severity": "moderate", "trend": "worsening"}],
    "temperature_c": 37.2,
    "message": "no pus or fever, a bit puffy",
    "patient": {"conditions": ["cold_sore_history"]},
}


def write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_json_output_is_one_object_in_the_contract_shape(tmp_path: Path) -> None:
    result = runner.invoke(app, ["triage", "--json", write(tmp_path, "c.json", json.dumps(GOOD))])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["disposition"] == "urgent"  # pain growing after day 2: seen today
    assert {"disposition", "findings", "symptoms", "patient_text", "knowledge_version"} <= set(out)
    assert out["symptoms"] == ["redness", "pain", "swelling"]
    origins = {f["symptom"]: f["origin"] for f in out["findings"]}
    assert origins == {"redness": "structured", "pain": "structured", "swelling": "message"}
    for finding in out["findings"]:
        assert {"symptom", "status", "origin", "patient_text", "sources"} <= set(finding)


def test_a_yaml_check_in_and_stdin_work(tmp_path: Path) -> None:
    path = write(tmp_path, "c.yaml", "days_since_treatment: 0\nsymptoms: [wheezing]\n")
    assert (
        json.loads(runner.invoke(app, ["triage", "--json", path]).stdout)["disposition"]
        == "emergency"
    )
    result = runner.invoke(app, ["triage", "--json", "-"], input=json.dumps(GOOD))
    assert result.exit_code == 0
    assert json.loads(result.stdout)["disposition"] == "urgent"


def test_the_readable_report_names_the_disposition_and_the_reasons(tmp_path: Path) -> None:
    data = {"days_since_treatment": 2, "message": "temp 101.5F and oozing"}
    result = runner.invoke(app, ["triage", write(tmp_path, "c.json", json.dumps(data))])
    assert result.exit_code == 0, result.output
    assert "URGENT" in result.stdout
    assert "infection_sign" in result.stdout
    assert "38.6" in result.stdout


def test_bulk_json_lines_give_one_result_per_line_in_order_and_exit_2_on_a_bad_line(
    tmp_path: Path,
) -> None:
    lines = [
        json.dumps({"days_since_treatment": 1, "symptoms": ["redness"]}),
        json.dumps({"days_since_treatment": 1, "symptoms": ["rednes"]}),
        "",
        "{not json",
        json.dumps({"days_since_treatment": 0, "message": "can't breathe"}),
    ]
    result = runner.invoke(app, ["triage", write(tmp_path, "b.jsonl", "\n".join(lines))])
    assert result.exit_code == 2
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert [o.get("disposition") for o in out] == ["self_care", None, None, "emergency"]
    assert "symptoms[0].code" in out[1]["error"] and "did you mean `redness`" in out[1]["error"]
    assert out[2]["line"] == 4
    assert "Traceback" not in result.output


def test_bulk_json_lines_all_good_exit_0(tmp_path: Path) -> None:
    lines = [json.dumps({"days_since_treatment": d}) for d in range(5)]
    result = runner.invoke(app, ["triage", write(tmp_path, "b.jsonl", "\n".join(lines))])
    assert result.exit_code == 0
    assert len(result.stdout.splitlines()) == 5


@pytest.mark.parametrize(
    ("data", "path", "words"),
    [
        ({}, "days_since_treatment", "required"),
        ({"days_since_treatment": -1}, "days_since_treatment", "greater than or equal"),
        ({"days_since_treatment": 1, "symptoms": ["pus", "wheez"]}, "symptoms[1].code", "unknown"),
        (
            {"days_since_treatment": 1, "symptoms": [{"code": "pain", "severity": "awful"}]},
            "symptoms[0].severity",
            "should be",
        ),
        (
            {"days_since_treatment": 1, "symptoms": [{"code": "pain", "trend": "up"}]},
            "symptoms[0].trend",
            "should be",
        ),
        ({"days_since_treatment": 1, "temperature_c": 60}, "temperature_c", "less than"),
        ({"days_since_treatment": 1, "mesage": "hi"}, "mesage", "did you mean `message`"),
        (
            {"days_since_treatment": 1, "patient": {"conditions": ["cold_sore"]}},
            "patient.conditions[0]",
            "cold_sore_history",
        ),
    ],
)
def test_bad_input_exits_2_with_one_line_naming_the_field(
    tmp_path: Path, data: dict[str, object], path: str, words: str
) -> None:
    result = runner.invoke(app, ["triage", "--json", write(tmp_path, "c.json", json.dumps(data))])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert path in result.stderr and words in result.stderr
    assert "Traceback" not in result.output
    assert len(result.stderr.strip().splitlines()) == 1


def test_a_missing_file_and_broken_json_exit_2(tmp_path: Path) -> None:
    assert runner.invoke(app, ["triage", str(tmp_path / "nope.json")]).exit_code == 2
    result = runner.invoke(app, ["triage", write(tmp_path, "c.json", "{bad")])
    assert result.exit_code == 2 and "not valid JSON" in result.stderr


def test_the_readable_report_says_whose_symptoms_and_what_was_not_understood(
    tmp_path: Path,
) -> None:
    data = {
        "days_since_treatment": 2,
        "message": "a bit red, my friend had hives after hers, and my nose feels blocked",
    }
    result = runner.invoke(app, ["triage", write(tmp_path, "c.json", json.dumps(data))])
    assert result.exit_code == 0, result.output
    assert "Someone else's: hives" in result.stdout
    assert 'Not understood (the clinic reads it): "my nose feels blocked"' in result.stdout
    assert "CONTACT THE CLINIC" in result.stdout
