"""`needlesafe knowledge check` also checks the clinic's form data against the knowledge."""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml
from typer.testing import CliRunner

from needlesafe.cli import app
from needlesafe.knowledge.loader import DEFAULT_DIRECTORY


def _copy(tmp_path: Path) -> Path:
    target = tmp_path / "knowledge"
    shutil.copytree(DEFAULT_DIRECTORY, target, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    return target


def _check(directory: Path) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["knowledge", "check", "--directory", str(directory)])
    return result.exit_code, result.output


def test_the_packaged_forms_pass_the_check(tmp_path: Path) -> None:
    code, output = _check(_copy(tmp_path))
    assert code == 0, output


def test_a_quiz_band_naming_an_unknown_skin_type_fails_the_check(tmp_path: Path) -> None:
    directory = _copy(tmp_path)
    path = directory / "fitzpatrick_quiz.yaml"
    data = yaml.safe_load(path.read_text())
    data["bands"][0]["fitzpatrick"] = "VII"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    code, output = _check(directory)
    assert code == 1
    assert "fitzpatrick_quiz.yaml" in output and "VII" in output


def test_a_gap_between_quiz_bands_fails_the_check(tmp_path: Path) -> None:
    directory = _copy(tmp_path)
    path = directory / "fitzpatrick_quiz.yaml"
    data = yaml.safe_load(path.read_text())
    data["bands"][1]["min"] += 1
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    code, output = _check(directory)
    assert code == 1
    assert "fitzpatrick_quiz.yaml" in output and "bands[1]" in output
