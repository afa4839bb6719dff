"""`needlesafe knowledge check` also checks the clinic's form data against the knowledge."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import yaml
from typer.testing import CliRunner

from needlesafe.cli import app
from needlesafe.knowledge.base import Knowledge
from needlesafe.knowledge.forms import FitzpatrickQuizFile
from needlesafe.knowledge.lint import lint, patient_texts
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


HARD = (
    "Considering your constitutional predisposition, characterise the pigmentation of your irides."
)


def test_a_too_hard_quiz_question_fails_the_reading_grade_lint(tmp_path: Path) -> None:
    directory = _copy(tmp_path)
    path = directory / "fitzpatrick_quiz.yaml"
    data = yaml.safe_load(path.read_text())
    data["questions"][0]["text"] = HARD
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    code, output = _check(directory)
    assert code == 1
    assert "fitzpatrick_quiz.yaml: questions (eye_colour): text: reading grade" in output, output


def test_quiz_answers_are_read_and_measured_with_their_question(knowledge: Knowledge) -> None:
    texts = dict(patient_texts(knowledge))
    question = "fitzpatrick_quiz.yaml: questions (freckles): text"
    assert texts[question] == "Do you have freckles where the sun does not reach?"
    read = texts["fitzpatrick_quiz.yaml: questions (freckles): answers"]
    assert read == (
        "Do you have freckles where the sun does not reach? Many. Several. A few. Very few. None."
    )
    quiz = knowledge.clinic_forms().quiz.model_dump()
    quiz["questions"][3]["answers"][1] = "Innumerable hyperpigmented ephelides, predominantly"
    files = {**knowledge.files, "fitzpatrick_quiz.yaml": FitzpatrickQuizFile.model_validate(quiz)}
    problems = lint(dataclasses.replace(knowledge, files=files))
    assert any(
        p.startswith("fitzpatrick_quiz.yaml: questions (freckles): answers: reading grade")
        for p in problems
    ), problems
