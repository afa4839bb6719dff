"""The review sheet's words for conditions: every condition key of the schema has a phrase."""

from __future__ import annotations

import pytest

from needlesafe.knowledge.base import Knowledge
from needlesafe.knowledge.conditions import CONDITION_KEYS
from needlesafe.knowledge.review import build_review, condition_in_words
from needlesafe.knowledge.schema import Predicate


def test_every_condition_key_has_words() -> None:
    for key in CONDITION_KEYS:
        assert key.words.strip(), key.name


@pytest.mark.parametrize(
    ("condition", "words"),
    [
        ({"clearance_missing": "bleeding"}, "no `bleeding` clearance is recorded"),
        ({"numbing_area_above_cm2": 400}, "more than 400 cm2"),
        ({"topical_biologic": True}, "a planned topical is a biologic"),
        (
            {"all": [{"condition_any": ["keloid_history"]}, {"depth_above_mm": 1.0}]},
            "the patient has `keloid_history` and the needle depth is above 1 mm",
        ),
        (
            {"any": [{"fitzpatrick_in": ["V", "VI"]}, {"pregnant": True}]},
            "skin type `V` or `VI` or the patient is pregnant",
        ),
    ],
)
def test_conditions_read_as_sentences(condition: dict[str, object], words: str) -> None:
    assert words in condition_in_words(Predicate.model_validate(condition))


def test_the_sheet_groups_every_rule_once(knowledge: Knowledge) -> None:
    sheet = build_review(knowledge)
    ids = [item.id for group in sheet.groups for item in group.items]
    rules = [r.id for r in knowledge.risk_rules] + [c.id for c in knowledge.contraindications]
    rules += [p.id for p in knowledge.precautions] + [e.id for e in knowledge.escalations]
    for rule_id in rules:
        assert ids.count(rule_id) == 1, rule_id
    caps = [i for g in sheet.groups for i in g.items if i.id.startswith("area ")]
    assert len(caps) == len(knowledge.areas)
    assert all(i.texts[0][1] != "(no reason given)" for i in caps)
