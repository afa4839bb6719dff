"""words.yaml: the words of the outcome codes and a new clinic's defaults live in one place,
and the CLI, the pages and the settings take them from there; the fever symptom is data."""

from __future__ import annotations

import dataclasses
import io
import shutil
import tokenize
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import ValidationError
from rich.console import Console

from needlesafe.cli.triage import compute_triage, render_triage
from needlesafe.documents.consent import ClinicDetails
from needlesafe.knowledge import words
from needlesafe.knowledge.base import Knowledge, KnowledgeError
from needlesafe.knowledge.loader import DEFAULT_DIRECTORY, load_knowledge
from needlesafe.knowledge.words_schema import WordsFile
from needlesafe.settings import Settings
from needlesafe.web.render import outcome_words

SRC = Path(__file__).parents[2] / "src" / "needlesafe"


def _packaged() -> dict[str, Any]:
    data = yaml.safe_load((DEFAULT_DIRECTORY / "words.yaml").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def test_every_outcome_code_is_named_once_and_a_missing_or_unknown_one_is_refused() -> None:
    WordsFile.model_validate(_packaged())
    missing = _packaged()
    del missing["dispositions"]["urgent"]
    with pytest.raises(ValidationError, match="dispositions: .*missing urgent"):
        WordsFile.model_validate(missing)
    unknown = _packaged()
    unknown["decisions"]["maybe"] = {"label": "Maybe", "icon": "?"}
    with pytest.raises(ValidationError, match="decisions: .*unknown maybe"):
        WordsFile.model_validate(unknown)


def _with_words(knowledge: Knowledge, **changes: tuple[str, str]) -> Knowledge:
    assert knowledge.words is not None
    data = knowledge.words.model_dump()
    for kind, code_label in changes.items():
        code, label = code_label
        data[kind][code]["label"] = label
    return dataclasses.replace(knowledge, words=WordsFile.model_validate(data))


def test_the_cli_and_the_pages_show_the_words_of_words_yaml(knowledge: Knowledge) -> None:
    changed = _with_words(
        knowledge, dispositions=("urgent", "See a doctor today"), decisions=("defer", "Wait")
    )
    result = compute_triage({"days_since_treatment": 3, "temperature_c": 39.0}, changed)
    assert result.disposition == "urgent"
    out = io.StringIO()
    render_triage(result, changed, Console(file=out, width=100, color_system=None))
    assert "SEE A DOCTOR TODAY" in out.getvalue()
    page = outcome_words(changed)
    assert page["DISPOSITIONS"]["urgent"] == "See a doctor today"
    assert page["DECISIONS"]["defer"] == "Wait"
    assert page["ICONS"]["self_care"] == "✓"


def test_the_emergency_number_and_age_of_consent_defaults_come_from_words_yaml(
    monkeypatch: pytest.MonkeyPatch, knowledge: Knowledge
) -> None:
    monkeypatch.delenv("NEEDLESAFE_EMERGENCY_NUMBER", raising=False)
    defaults = words.clinic_defaults(knowledge)
    assert defaults.emergency_number == _packaged()["defaults"]["emergency_number"]
    assert defaults.age_of_consent == _packaged()["defaults"]["age_of_consent"]
    assert Settings(environment="development").emergency_number == defaults.emergency_number
    assert ClinicDetails(name="A clinic", phone="1").emergency_number == defaults.emergency_number


def test_no_python_module_writes_an_emergency_number_out() -> None:
    """Only words.yaml says 911 (the migrations keep the history they ran with)."""
    found = []
    for path in SRC.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        with path.open("rb") as file:
            for token in tokenize.tokenize(file.readline):
                if token.type == tokenize.STRING and token.string.strip("\"'") == "911":
                    found.append(f"{path.relative_to(SRC)}:{token.start[0]}")
    assert found == []


def test_the_fever_symptom_must_be_a_symptom_code(tmp_path: Path) -> None:
    folder = tmp_path / "knowledge"
    shutil.copytree(DEFAULT_DIRECTORY, folder, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    rules = folder / "triage_rules.yaml"
    text = rules.read_text(encoding="utf-8")
    assert "fever_symptom: fever\n" in text
    rules.write_text(text.replace("fever_symptom: fever\n", "fever_symptom: feverish\n"))
    with pytest.raises(
        KnowledgeError, match="triage_rules.yaml: fever_symptom: unknown symptom code 'feverish'"
    ):
        load_knowledge(folder)
