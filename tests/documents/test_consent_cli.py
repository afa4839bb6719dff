"""`needlesafe consent`: PDF or HTML out, exit 2 with the field named on bad input."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from needlesafe.cli import app
from needlesafe.knowledge.base import KnowledgeError
from needlesafe.knowledge.loader import DEFAULT_DIRECTORY, load_knowledge

runner = CliRunner()
INTAKE = {
    "patient": {"age": 35, "fitzpatrick": "IV", "conditions": ["cold_sore_history"]},
    "plan": {"areas": ["perioral"], "needle_depth_mm": 0.5, "device": "pen"},
}


@pytest.fixture
def intake_file(tmp_path: Path) -> Path:
    path = tmp_path / "intake.json"
    path.write_text(json.dumps(INTAKE))
    return path


def test_consent_writes_a_pdf(intake_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "sheet.pdf"
    result = runner.invoke(
        app, ["consent", str(intake_file), "--out", str(out), "--clinic", "Riverside"]
    )
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(b"%PDF-")


def test_consent_html_goes_to_stdout_with_the_clinic_details(intake_file: Path) -> None:
    result = runner.invoke(
        app,
        [
            "consent",
            str(intake_file),
            "--html",
            "--clinic",
            "R & Co",
            "--phone",
            "555 0100",
            "--date",
            "2026-11-30",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "<!DOCTYPE html>" in result.stdout
    assert "R &amp; Co" in result.stdout
    assert "Cold sore flare-up" in result.stdout
    assert "2026-11-30" in result.stdout


def test_a_bad_intake_exits_2_naming_the_field(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({**INTAKE, "plan": {**INTAKE["plan"], "needle_depth_mm": 9}}))
    result = runner.invoke(app, ["consent", str(path), "--html"])
    assert result.exit_code == 2
    assert "plan.needle_depth_mm" in result.output


@pytest.mark.parametrize(
    ("option", "value", "named"),
    [("--date", "30/11/2026", "--date"), ("--phone", "", "--phone")],
)
def test_bad_options_exit_2_naming_the_option(
    intake_file: Path, option: str, value: str, named: str
) -> None:
    result = runner.invoke(app, ["consent", str(intake_file), "--html", option, value])
    assert result.exit_code == 2
    assert named in result.output
    assert "Traceback" not in result.output


def test_consent_yaml_naming_an_unknown_complication_fails_to_load(tmp_path: Path) -> None:
    directory = tmp_path / "kb"
    shutil.copytree(DEFAULT_DIRECTORY, directory, ignore=shutil.ignore_patterns("*.py", "__*"))
    consent = directory / "consent.yaml"
    consent.write_text(
        consent.read_text().replace("always_mention: [infection,", "always_mention: [infektion,")
    )
    with pytest.raises(KnowledgeError, match="consent.yaml: always_mention: unknown complication"):
        load_knowledge(directory)


def test_consent_yaml_with_an_unknown_key_names_the_file(tmp_path: Path) -> None:
    directory = tmp_path / "kb"
    shutil.copytree(DEFAULT_DIRECTORY, directory, ignore=shutil.ignore_patterns("*.py", "__*"))
    consent = directory / "consent.yaml"
    consent.write_text(consent.read_text() + "\nsignatures: []\n")
    with pytest.raises(KnowledgeError, match="consent.yaml: signatures"):
        load_knowledge(directory)
