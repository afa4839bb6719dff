"""aftercare.yaml: a clinician's mistakes fail at load, naming the file, the entry and the field."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import pytest
import yaml

from needlesafe.knowledge.base import Knowledge, KnowledgeError
from needlesafe.knowledge.conditions import AftercarePredicate
from needlesafe.knowledge.lint import lint_rules
from needlesafe.knowledge.loader import DEFAULT_DIRECTORY, load_knowledge
from needlesafe.knowledge.review import build_review


def broken(tmp_path: Path, edit: str, replacement: str) -> list[str]:
    directory = tmp_path / "knowledge"
    shutil.copytree(
        DEFAULT_DIRECTORY, directory, ignore=shutil.ignore_patterns("*.py", "__pycache__")
    )
    path = directory / "aftercare.yaml"
    text = path.read_text(encoding="utf-8")
    assert edit in text, edit
    path.write_text(text.replace(edit, replacement, 1), encoding="utf-8")
    with pytest.raises(KnowledgeError) as caught:
        load_knowledge(directory)
    return caught.value.problems


def test_the_packaged_aftercare_loads_and_round_trips(tmp_path: Path) -> None:
    knowledge = load_knowledge()
    assert knowledge.aftercare is not None
    data = knowledge.aftercare.model_dump(mode="json", exclude_defaults=True)
    assert type(knowledge.aftercare).model_validate(yaml.safe_load(yaml.safe_dump(data))) == (
        knowledge.aftercare
    )


@pytest.mark.parametrize(
    ("edit", "replacement", "expected"),
    [
        (
            "to_day: {superficial: 0, medium: 1, deep: 2}",
            "to_day: {superficial: 3, medium: 1, deep: 2}",
            "aftercare.yaml: items[",
        ),
        (
            "    kind: avoid\n",
            "    kind: avoid\n    colour: red\n",
            "Extra inputs are not permitted",
        ),
        ("kind: normal", "kind: usual", "Input should be"),
        ("when: {area_in: [scalp]}", "when: {area_in: [scalps]}", "unknown areas code 'scalps'"),
        (
            "complications: [hyperpigmentation], level: elevated}}\n    replaces: [avoid_sun]",
            "complications: [hyperpigmentation], level: elevated}}\n    replaces: [avoid_sunn]",
            "items (avoid_sun_strict): replaces: no other items entry 'avoid_sunn'",
        ),
        ("sources: [gilbert_2000, gowda_2021]", "sources: [gilbert_2001]", "unknown source"),
        (
            "precaution_any: [antiviral_prophylaxis]",
            "precaution_any: [antivirals]",
            "unknown precaution code 'antivirals'",
        ),
        ("action: contact_clinic", "action: call_someone", "Input should be"),
        ("    up_to_mm: 4.0", "    up_to_mm: 3.0", "deep.up_to_mm must be 4.0"),
        ("when: {topicals_planned: true}", "when: {}", "exactly one key, got none"),
        (  # one key per condition, as in the rules: several are combined with `all`
            "when: {topicals_planned: true}",
            "when: {topicals_planned: true, area_region: face}",
            "exactly one key, got ['area_region', 'topicals_planned']",
        ),
    ],
)
def test_a_broken_aftercare_file_is_refused_with_its_location(
    tmp_path: Path, edit: str, replacement: str, expected: str
) -> None:
    problems = broken(tmp_path, edit, replacement)
    assert any(expected in p for p in problems), problems
    assert all(p.startswith("aftercare.yaml") for p in problems), problems


def test_a_resume_text_needs_its_calendar_label(tmp_path: Path) -> None:
    problems = broken(tmp_path, '    resume_label: "Make-up is OK again"\n', "")
    assert any("resume_text and resume_label go together" in p for p in problems)


def test_an_aftercare_condition_that_can_never_be_true_is_linted(knowledge: Knowledge) -> None:
    aftercare = knowledge.aftercare
    assert aftercare is not None
    never = AftercarePredicate.model_validate(
        {"all": [{"depth_above_mm": 4.0}, {"precaution_any": []}]}
    )
    item = aftercare.items[0].model_copy(update={"when": never})
    changed = dataclasses.replace(
        knowledge, aftercare=aftercare.model_copy(update={"items": [item, *aftercare.items[1:]]})
    )
    assert lint_rules(changed) == [
        f"aftercare.yaml: items ({item.id}): when: can never be true: depth_above_mm 4: "
        "no plan is deeper than 4 mm"
    ]
    assert lint_rules(knowledge) == []


def test_the_review_sheet_says_an_aftercare_condition_in_words(knowledge: Knowledge) -> None:
    (group,) = [g for g in build_review(knowledge).groups if g.title == "Aftercare plan"]
    conditions = {item.id: item.condition for item in group.items}
    assert conditions["items: do_careful_hot_food"] == (
        "a numbing cream is planned and the plan treats `perioral` or `chin`"
    )
    assert conditions["items: do_sunscreen_strict"] == (
        "the screening puts the risk of `hyperpigmentation` at `elevated` or higher"
    )
    assert conditions["items: do_sunscreen"] == ""
