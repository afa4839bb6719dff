"""Precautions and contraindications have plain labels: one per code, read with their text."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from needlesafe.knowledge.base import Knowledge
from needlesafe.knowledge.lint import patient_texts
from needlesafe.knowledge.readability import MAX_GRADE, reading_grade
from needlesafe.knowledge.schema import ContraindicationsFile, PrecautionsFile


def _file(knowledge: Knowledge, kind: str) -> dict[str, Any]:
    rules = getattr(knowledge, kind)
    return {
        "id": kind,
        "version": 1,
        "reviewed": "2026-11-23",
        "reviewed_by": "test",
        kind: [rule.model_dump(mode="json", exclude_defaults=False) for rule in rules],
    }


@pytest.mark.parametrize(
    ("kind", "model"),
    [("precautions", PrecautionsFile), ("contraindications", ContraindicationsFile)],
)
def test_every_rule_has_a_plain_label_and_the_pages_find_it_by_code(
    knowledge: Knowledge, kind: str, model: type[Any]
) -> None:
    for rule in getattr(knowledge, kind):
        assert rule.label and "_" not in rule.label
        assert knowledge.label(kind, rule.code) == rule.label
    data = _file(knowledge, kind)
    del data[kind][0]["label"]
    with pytest.raises(ValidationError, match="label"):
        model.model_validate(data)


def test_rules_of_one_code_must_share_their_label(knowledge: Knowledge) -> None:
    data = _file(knowledge, "precautions")
    reduce = [r for r in data["precautions"] if r["code"] == "reduce_depth"]
    assert len(reduce) > 1
    reduce[1]["label"] = "Something else"
    with pytest.raises(ValidationError, match=f"rule {reduce[1]['id']}: label"):
        PrecautionsFile.model_validate(data)


def test_an_unknown_finding_code_reads_as_its_tidied_code(knowledge: Knowledge) -> None:
    assert knowledge.label("precautions", "made_up_code") == "made up code"
    with pytest.raises(KeyError):
        knowledge.label("no_such_vocabulary", "x")


def test_label_and_text_are_measured_together(knowledge: Knowledge) -> None:
    texts = dict(patient_texts(knowledge))
    key = "precautions.yaml: precautions (pre_sun_protection): patient_text"
    assert texts[key].startswith("Keep out of the sun. ")
    labelled = [
        k
        for k in texts
        if k.startswith(("precautions.yaml", "contraindications.yaml")) and "patient_text" in k
    ]
    assert labelled and all(reading_grade(texts[k]) <= MAX_GRADE for k in labelled)
