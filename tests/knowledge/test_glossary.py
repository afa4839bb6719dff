"""One glossary of medical words (glossary.yaml), read by the consent sheet (which explains a
word the first time it appears) and by the lint (which flags a patient text that uses one
without explaining it)."""

from __future__ import annotations

import pytest

from needlesafe.documents.consent import Explainer
from needlesafe.knowledge.base import Knowledge
from needlesafe.knowledge.glossary import GlossaryFile
from needlesafe.knowledge.lint import load_glossary, unexplained_words
from needlesafe.knowledge.loader import DEFAULT_DIRECTORY


@pytest.fixture
def glossary(knowledge: Knowledge) -> GlossaryFile:
    assert knowledge.glossary is not None
    return knowledge.glossary


def test_there_is_one_glossary() -> None:
    assert (DEFAULT_DIRECTORY / "glossary.yaml").exists()
    assert not (DEFAULT_DIRECTORY / "jargon.yaml").exists()
    assert "glossary:" not in (DEFAULT_DIRECTORY / "consent.yaml").read_text(encoding="utf-8")
    assert load_glossary() == GlossaryFile.model_validate(load_glossary().model_dump())


def test_each_word_is_listed_once_with_all_its_forms(glossary: GlossaryFile) -> None:
    forms = [f.lower() for t in glossary.terms for f in (t.term, *t.forms)]
    assert len(forms) == len(set(forms))


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("Melasma can get darker.", ["melasma"]),
        ("Tell us about any anticoagulants you take.", ["anticoagulants"]),
        ("Keloids can come back, and keloids (scars that grow) hurt.", ["keloids"]),
        ("Melasma (brown patches on the face) can get darker.", []),
        ("Hard bumps (granulomas) can form.", []),
        ("Tell us if you take a blood thinner, an anticoagulant.", []),  # its plain words
        ("A laser-free plan.", ["laser"]),
        ("Lasers are not medical words here.", []),  # only the forms listed
    ],
)
def test_the_lint_flags_a_medical_word_left_unexplained(
    glossary: GlossaryFile, text: str, words: list[str]
) -> None:
    assert unexplained_words(text, glossary) == words


def test_the_consent_sheet_explains_every_word_of_the_same_glossary(
    glossary: GlossaryFile,
) -> None:
    for term in glossary.terms:
        explain = Explainer(glossary.terms)
        text = explain(f"We talked about {term.term} today.")
        assert f"{term.term} ({term.plain})" in text
        again = explain(f"More about {term.term}.")
        assert again == f"More about {term.term}."  # the first time only


def test_what_the_sheet_adds_satisfies_the_lint(glossary: GlossaryFile) -> None:
    explain = Explainer(glossary.terms)
    for term in glossary.terms:
        assert unexplained_words(explain(f"Ask about {term.term}."), glossary) == []
