"""One generic walker finds every marked field (`PatientText`, `SourceIds`, the code aliases) at
any depth; the reading-grade and medical-word lint, the source check and the code check are
driven by it, so a field typed so is checked the moment it is typed."""

from __future__ import annotations

import dataclasses
from typing import Annotated, cast

import pytest
from pydantic import Field

from needlesafe.knowledge.base import Knowledge
from needlesafe.knowledge.lint import lint, patient_texts
from needlesafe.knowledge.schema import PlainText, PrecautionRule, Strict, Vocabularies
from needlesafe.knowledge.types import AreaCode, PatientLabel, PatientText, SourceIds
from needlesafe.knowledge.walk import (
    PATIENT_TEXT,
    SOURCE_IDS,
    Item,
    render,
    unknown_codes,
    unknown_sources,
    walk,
)

HARD = (
    "Considerable intradermal penetration substantially increases cicatricial "
    "complications in predisposed individuals."
)


class Step(Strict):
    id: str
    label: PatientLabel
    text: PatientText
    note: PlainText  # clinician words: not walked
    sources: SourceIds


class Leaflet(Strict):
    """A small knowledge file made up here: nothing outside this test knows it."""

    id: str
    title: PlainText  # a heading, not prose
    intro: PatientText
    steps: list[Step]
    by_area: dict[AreaCode, Annotated[list[PatientText], Field(min_length=1)]] = {}
    spare: tuple[PatientText, ...] = ()
    maybe: PatientText | None = None


def leaflet(**changes: object) -> Leaflet:
    data: dict[str, object] = {
        "id": "leaflet",
        "title": "After care",
        "intro": "Keep the skin clean.",
        "steps": [
            {
                "id": "wash",
                "label": "Wash",
                "text": "Wash with cool water.",
                "note": "Cool water lowers redness.",
                "sources": ["seed_articles"],
            }
        ],
        "by_area": {"cheeks": ["Do not touch your cheeks."]},
        "spare": ("Ask us if you are not sure.",),
    }
    return Leaflet.model_validate(data | changes)


def test_the_walker_finds_every_marked_value_with_its_path() -> None:
    found = {render(path): (value, marker.kind) for path, value, marker in walk(leaflet())}
    assert found == {
        "intro": ("Keep the skin clean.", "patient_text"),
        "steps (wash): label": ("Wash", "label"),
        "steps (wash): text": ("Wash with cool water.", "patient_text"),
        "steps (wash): sources": (["seed_articles"], "source_ids"),
        "by_area.cheeks": ("cheeks", "code"),
        "by_area.cheeks[0]": ("Do not touch your cheeks.", "patient_text"),
        "spare[0]": ("Ask us if you are not sure.", "patient_text"),
    }
    paths = [path for path, _, marker in walk(leaflet()) if marker == SOURCE_IDS]
    assert paths == [("steps", Item(0, "wash"), "sources")]


def test_a_new_patient_text_field_is_walked_and_linted_without_further_code(
    knowledge: Knowledge,
) -> None:
    class WithLeaflet(PrecautionRule):  # an existing rule given one more field
        leaflet_text: PatientText

    rule = knowledge.precautions[0]
    extended = WithLeaflet(**rule.model_dump(), leaflet_text=HARD)
    texts = [value for _, value, marker in walk(extended) if marker == PATIENT_TEXT]
    assert HARD in texts

    # a made-up file and the new field, handed to the lint like any loaded file
    files = {**knowledge.files, "leaflet.yaml": leaflet(maybe=HARD)}
    problems = lint(dataclasses.replace(knowledge, files=files))
    hard = [p for p in problems if "leaflet.yaml: maybe: reading grade" in p]
    assert hard, problems
    read = dict(patient_texts(dataclasses.replace(knowledge, files=files)))
    assert read["leaflet.yaml: steps (wash): text"] == "Wash. Wash with cool water."


def test_the_lint_flags_an_unexplained_medical_word_in_a_new_field(knowledge: Knowledge) -> None:
    files = {**knowledge.files, "leaflet.yaml": leaflet(maybe="Melasma can get darker.")}
    problems = lint(dataclasses.replace(knowledge, files=files))
    assert any(
        p.startswith("leaflet.yaml: maybe: medical word 'melasma' is not explained")
        for p in problems
    ), problems
    explained = {**knowledge.files, "leaflet.yaml": leaflet(maybe="Melasma (brown patches) can")}
    assert not [p for p in lint(dataclasses.replace(knowledge, files=explained)) if "leaflet" in p]


def test_labels_without_a_text_are_read_as_a_list_and_a_hard_one_is_caught(
    knowledge: Knowledge,
) -> None:
    read = dict(patient_texts(knowledge))
    assert read["vocabularies.yaml: trends.labels"] == (
        "getting better. staying the same. getting worse."
    )
    # the files are kept as BaseModel; this one is the vocabularies file
    vocab = cast(Vocabularies, knowledge.files["vocabularies.yaml"])
    hard = vocab.model_copy(
        update={
            "trends": [
                t.model_copy(update={"label": "progressively deteriorating symptomatology"})
                if t.code == "worsening"
                else t
                for t in vocab.trends
            ]
        }
    )
    files = {**knowledge.files, "vocabularies.yaml": hard}
    problems = lint(dataclasses.replace(knowledge, files=files))
    assert any(p.startswith("vocabularies.yaml: trends.labels: reading grade") for p in problems)


def test_the_source_and_code_checks_walk_a_new_file_too() -> None:
    broken = leaflet(
        steps=[
            {
                "id": "wash",
                "label": "Wash",
                "text": "Wash.",
                "note": "-",
                "sources": ["nobody_2099"],
            }
        ],
        by_area={"chin_and_ears": ["Do not touch."]},
    )
    assert unknown_sources("leaflet.yaml", broken, {"seed_articles"}) == [
        "leaflet.yaml: steps (wash): sources: unknown source 'nobody_2099'"
    ]
    assert unknown_codes("leaflet.yaml", broken, {"areas": frozenset({"cheeks"})}) == [
        "leaflet.yaml: by_area.chin_and_ears: unknown areas code 'chin_and_ears'"
    ]


@pytest.mark.parametrize(
    "file",
    [
        "aftercare.yaml",
        "consent.yaml",
        "complications.yaml",
        "fitzpatrick_quiz.yaml",
        "precautions.yaml",
        "symptoms.yaml",
        "triage_rules.yaml",
    ],
)
def test_every_file_with_patient_words_has_them_typed_so(knowledge: Knowledge, file: str) -> None:
    assert any(marker == PATIENT_TEXT for _, _, marker in walk(knowledge.files[file]))


def test_the_shipped_knowledge_cites_and_names_only_what_exists(knowledge: Knowledge) -> None:
    codes: dict[str, frozenset[str] | set[str]] = {
        **knowledge.codes,
        "complications": set(knowledge.complications),
        "precautions": {p.code for p in knowledge.precautions},
    }
    for name, model in knowledge.files.items():
        assert unknown_sources(name, model, set(knowledge.sources)) == []
        assert unknown_codes(name, model, codes) == []
    marked_codes = {
        marker.vocabulary
        for model in knowledge.files.values()
        for _, _, marker in walk(model)
        if marker.kind == "code"
    }
    assert {"areas", "symptoms", "complications", "precautions", "fitzpatrick"} <= marked_codes
