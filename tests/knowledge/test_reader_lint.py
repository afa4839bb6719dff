"""`knowledge check` catches what a clinician can break in the reader's data without a load
error: an everyday word that is also a symptom word, a respelling that needs respelling again,
an emoji read as unknown words, an emergency known by too few lay words, a phrase listed
twice in one list; and loading refuses a key written twice in one mapping."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from needlesafe.knowledge.base import KnowledgeError
from needlesafe.knowledge.lint import lint_reader
from needlesafe.knowledge.loader import DEFAULT_DIRECTORY, load_knowledge


def _changed(tmp_path: Path, name: str, change: Any) -> Path:
    target = tmp_path / "knowledge"
    shutil.copytree(DEFAULT_DIRECTORY, target, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    path = target / name
    data = yaml.safe_load(path.read_text())
    change(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))
    return target


def test_the_packaged_reader_data_is_clean() -> None:
    assert lint_reader(load_knowledge()) == []


def test_a_benign_word_that_is_a_symptom_word_is_refused(tmp_path: Path) -> None:
    directory = _changed(tmp_path, "reader.yaml", lambda d: d["benign"].append("itchy"))
    problems = lint_reader(load_knowledge(directory))
    assert problems == [
        "reader.yaml: benign word 'itchy' is also a symptom word (itching): "
        "take it out of `benign` or `everyday`"
    ]


def test_a_respelling_into_a_respelled_word_is_refused(tmp_path: Path) -> None:
    directory = _changed(tmp_path, "reader.yaml", lambda d: d["respell"].update(wnt="wont"))
    problems = lint_reader(load_knowledge(directory))
    assert problems == [
        "reader.yaml: respell 'wnt' -> 'wont' gives 'wont', which is respelled again: "
        "respell it straight to the final words"
    ]


def test_an_emoji_read_as_words_nobody_reads_is_refused(tmp_path: Path) -> None:
    directory = _changed(tmp_path, "reader.yaml", lambda d: d["emoji"].update({"🆘": "sos"}))
    problems = lint_reader(load_knowledge(directory))
    assert problems == [
        "reader.yaml: emoji '🆘' -> 'sos': an emoji must be read as words the reader knows "
        "(a symptom, site or cue phrase)"
    ]


def test_an_emergency_known_by_too_few_words_is_refused(tmp_path: Path) -> None:
    def few(data: dict[str, Any]) -> None:
        for entry in data["symptoms"]:
            if entry["code"] == "seizure":
                entry["terms"] = ["seizure", "convulsions"]

    problems = lint_reader(load_knowledge(_changed(tmp_path, "symptoms.yaml", few)))
    assert problems == [
        "symptoms.yaml: seizure: an emergency known by 2 lay words (at least 8): "
        "add the ways patients say it"
    ]


def test_a_phrase_listed_twice_in_one_list_is_refused(tmp_path: Path) -> None:
    def twice(data: dict[str, Any]) -> None:
        data["fillers"].append(data["fillers"][0])
        data["negation"].append(data["negation"][0])

    problems = lint_reader(load_knowledge(_changed(tmp_path, "reader.yaml", twice)))
    first = yaml.safe_load((DEFAULT_DIRECTORY / "reader.yaml").read_text())
    assert problems == [
        f"reader.yaml: negation lists {first['negation'][0] | {'resolves': False}!r} twice: "
        "take one out",
        f"reader.yaml: fillers lists {first['fillers'][0]!r} twice: take one out",
    ]


def test_a_lay_word_listed_twice_for_one_symptom_is_refused(tmp_path: Path) -> None:
    def twice(data: dict[str, Any]) -> None:
        for entry in data["symptoms"]:
            if entry["code"] == "hives":
                entry["terms"].append(entry["terms"][0])

    problems = lint_reader(load_knowledge(_changed(tmp_path, "symptoms.yaml", twice)))
    first = yaml.safe_load((DEFAULT_DIRECTORY / "symptoms.yaml").read_text())
    hives = next(entry for entry in first["symptoms"] if entry["code"] == "hives")
    assert problems == [
        f"symptoms.yaml: hives.terms lists {hives['terms'][0]!r} twice: take one out"
    ]


def test_a_key_written_twice_does_not_load(tmp_path: Path) -> None:
    # YAML keeps the last of two equal keys silently: a reviewer who corrects the first
    # respelling would change nothing, so the file is refused, naming the key and both lines
    directory = _changed(tmp_path, "reader.yaml", lambda d: None)
    path = directory / "reader.yaml"
    lines = path.read_text().split("\n")
    at = lines.index("respell:") + 1
    lines[at:at] = ['  "fevr": "fever"', '  "fevr": "fevers"']
    path.write_text("\n".join(lines))
    with pytest.raises(KnowledgeError) as refused:
        load_knowledge(directory)
    (problem,) = refused.value.problems
    assert problem.startswith(
        f"reader.yaml: not valid YAML: key 'fevr' is written twice (lines {at + 1} and "
        f"{at + 2}): keep one"
    )
