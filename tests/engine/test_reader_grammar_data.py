"""The reader's grammar words are data (reader.yaml), and the reader follows them."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from needlesafe.engine.reader import read_message
from needlesafe.knowledge.base import Knowledge, KnowledgeError
from needlesafe.knowledge.loader import DEFAULT_DIRECTORY, load_knowledge
from needlesafe.knowledge.triage_schema import TriageKnowledge


def _triage(knowledge: Knowledge) -> TriageKnowledge:
    """The knowledge base's triage part (every knowledge base loaded here has one)."""
    assert knowledge.triage is not None
    return knowledge.triage


def _with_reader(tmp_path: Path, **changes: object) -> Path:
    target = tmp_path / "knowledge"
    shutil.copytree(DEFAULT_DIRECTORY, target, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    path = target / "reader.yaml"
    data = yaml.safe_load(path.read_text())
    data.update(changes)
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return target


def test_a_verb_before_the_symptom_stops_a_forward_negation(knowledge: Knowledge) -> None:
    reading = read_message("no there is pus", _triage(knowledge))
    assert "pus" in reading.symptoms


def test_without_the_verb_in_the_data_the_negation_reaches_the_symptom(
    tmp_path: Path, knowledge: Knowledge
) -> None:
    verbs = [v for v in _triage(knowledge).reader.clause_verbs if v != "is"]
    changed = load_knowledge(_with_reader(tmp_path, clause_verbs=verbs))
    reading = read_message("no there is pus", _triage(changed))
    assert "pus" not in reading.symptoms
    assert "pus" in reading.negated


def test_linking_words_let_all_clear_words_reach_the_symptom(
    tmp_path: Path, knowledge: Knowledge
) -> None:
    assert (
        "difficulty_breathing" in read_message("breathing totally fine", _triage(knowledge)).negated
    )
    links = [w for w in _triage(knowledge).reader.linking_words if w != "totally"]
    changed = load_knowledge(_with_reader(tmp_path, linking_words=links))
    # out of reach, so the safer reading: the breathing complaint counts
    reading = read_message("breathing totally fine", _triage(changed))
    assert "difficulty_breathing" in reading.symptoms


def test_an_empty_verb_list_fails_at_load(tmp_path: Path) -> None:
    with pytest.raises(KnowledgeError, match="reader.yaml: clause_verbs"):
        load_knowledge(_with_reader(tmp_path, clause_verbs=[]))


def test_a_longer_site_phrase_is_a_site_of_every_rule_its_last_word_is(
    tmp_path: Path, knowledge: Knowledge
) -> None:
    # "around my mouth" is written for the numb-mouth rule only; "mouth" is a site of the
    # blue-lips rule too, so blue around the mouth is read
    text = "around my mouth is a blue colour"
    reading = read_message(text, _triage(knowledge))
    assert "blue_lips" in reading.symptoms
    rules = _triage(knowledge).reader.site_rules
    numb = next(r for r in rules if r.id == "mouth_numb")
    assert "around my mouth" in numb.sites
    assert not any("around my mouth" in r.sites for r in rules if r.id == "blue_lips_or_skin")
    # take "mouth" out of the blue-lips rule and the phrase no longer reaches it
    data = [r.model_dump(exclude_none=True) for r in rules]
    for rule in data:
        if rule["id"] == "blue_lips_or_skin":
            rule["sites"] = [s for s in rule["sites"] if s != "mouth"]
    changed = load_knowledge(_with_reader(tmp_path, site_rules=data))
    assert "blue_lips" not in read_message(text, _triage(changed)).symptoms
