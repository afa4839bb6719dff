"""Plain language, measured: every text on the sheet at Flesch-Kincaid grade 8 or lower
(textstat 0.7.8), against the seed articles it came from, which read at about grade 12."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from needlesafe.documents.consent import ConsentSheet
from needlesafe.knowledge.base import Knowledge
from needlesafe.knowledge.readability import MAX_GRADE, reading_grade
from needlesafe.knowledge.walk import patient_texts_of

SEEDS = Path("/work/shared/seeds")
# The four articles in the seed file each start with a title line like this one.
INTAKE_NAMES = ["cold_sore", "deferred", "healthy", "teen_with_keloids"]  # conftest.INTAKES
ARTICLE_TITLE = re.compile(r"^Understanding (the )?(Potential )?Risks", re.MULTILINE)


@pytest.mark.parametrize("name", INTAKE_NAMES)
def test_every_text_on_the_sheet_reads_at_grade_8_or_lower(
    sheets: dict[str, ConsentSheet], name: str
) -> None:
    too_hard = [
        f"{where}: grade {reading_grade(text):.1f}: {text!r}"
        for where, text in sheets[name].patient_texts()
        if reading_grade(text) > MAX_GRADE
    ]
    assert not too_hard, "\n".join(too_hard)


@pytest.mark.parametrize("name", INTAKE_NAMES)
def test_the_whole_sheet_reads_at_grade_8_or_lower(
    sheets: dict[str, ConsentSheet], name: str
) -> None:
    whole = " ".join(text for _, text in sheets[name].patient_texts())
    assert reading_grade(whole) <= MAX_GRADE


def test_consent_wording_in_the_knowledge_base_reads_at_grade_8_or_lower(
    knowledge: Knowledge,
) -> None:
    assert knowledge.consent is not None
    too_hard = [
        f"consent.yaml: {where}: grade {reading_grade(text):.1f}"
        for where, text in patient_texts_of(knowledge.consent)
        if reading_grade(text) > MAX_GRADE
    ]
    assert not too_hard, "\n".join(too_hard)


def seed_articles() -> list[str]:
    text = "\n".join(path.read_text() for path in sorted(SEEDS.glob("*.txt")))
    starts = [0, *(m.start() for m in ARTICLE_TITLE.finditer(text))]
    bounds = [*starts[1:], len(text)]
    return [text[a:b] for a, b in zip(starts, bounds, strict=True) if text[a:b].strip()]


@pytest.mark.skipif(not SEEDS.is_dir(), reason="the seed articles are not on this machine")
def test_the_seed_articles_read_well_above_the_sheet(sheets: dict[str, ConsentSheet]) -> None:
    articles = seed_articles()
    assert len(articles) == 4
    grades = [reading_grade(article) for article in articles]
    assert all(grade > 10 for grade in grades), grades
    sheet = " ".join(text for _, text in sheets["cold_sore"].patient_texts())
    assert min(grades) - reading_grade(sheet) > 3
