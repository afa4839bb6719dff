"""Data behind the clinic's forms: the Fitzpatrick self-assessment quiz and the CTCAE grades.

Two small files (`fitzpatrick_quiz.yaml`, `ctcae_grades.yaml`) with their schema and checks.
They are loaded with the rest of the knowledge base, at start-up and into its version hash
(`Knowledge.forms`), and checked against it: every skin type a band names and every source
cited must exist there (marked fields, checked by the load's walk). Scoring is arithmetic on
the data: each answer's score is its position (0 to 4), and the total falls into exactly one band.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Annotated, ClassVar

from pydantic import Field, model_validator

from needlesafe.knowledge.schema import Code, FileHeader, PlainText, SourceIds, Strict
from needlesafe.knowledge.types import FitzpatrickCode, PatientLabel, PatientText

ANSWERS_PER_QUESTION = 5  # scored 0 to 4


class QuizQuestion(Strict):
    """A question read by (or to) a patient, then its answers: measured together, as one text
    (`needlesafe knowledge check`)."""

    id: Code
    text: PatientText
    answers: Annotated[
        list[PatientLabel],
        Field(min_length=ANSWERS_PER_QUESTION, max_length=ANSWERS_PER_QUESTION),
    ]


class QuizBand(Strict):
    walk_id: ClassVar[tuple[str, ...]] = ("fitzpatrick",)

    fitzpatrick: FitzpatrickCode
    min: Annotated[int, Field(ge=0)]
    max: Annotated[int, Field(ge=0)] | None = None


class FitzpatrickQuizFile(FileHeader):
    sources: SourceIds
    questions: Annotated[list[QuizQuestion], Field(min_length=1)]
    bands: Annotated[list[QuizBand], Field(min_length=1)]

    @model_validator(mode="after")
    def _bands_cover_every_score(self) -> FitzpatrickQuizFile:
        ids = [q.id for q in self.questions]
        if len(set(ids)) != len(ids):
            raise ValueError("questions: every question id must be unique")
        expected = 0
        for index, band in enumerate(self.bands):
            last = index == len(self.bands) - 1
            if band.min != expected:
                raise ValueError(
                    f"bands[{index}] ({band.fitzpatrick}): min should be {expected} "
                    "(bands run from 0 without gaps or overlaps)"
                )
            if band.max is None and not last:
                raise ValueError(
                    f"bands[{index}] ({band.fitzpatrick}): only the last band may have no max"
                )
            if band.max is not None:
                if band.max < band.min:
                    raise ValueError(f"bands[{index}] ({band.fitzpatrick}): max is below min")
                expected = band.max + 1
        top = self.bands[-1]
        if top.max is not None and top.max < self.max_score:
            raise ValueError(
                f"bands: the last band ends at {top.max}, below the highest "
                f"possible score {self.max_score}"
            )
        return self

    @property
    def max_score(self) -> int:
        return len(self.questions) * (ANSWERS_PER_QUESTION - 1)

    def band_for(self, score: int) -> QuizBand:
        for band in self.bands:
            if score >= band.min and (band.max is None or score <= band.max):
                return band
        raise ValueError(f"no band for the score {score}")


class CtcaeGrade(Strict):
    grade: Annotated[int, Field(ge=1, le=5)]
    label: PlainText
    definition: PlainText


class CtcaeGradesFile(FileHeader):
    sources: SourceIds
    grades: list[CtcaeGrade]

    @model_validator(mode="after")
    def _each_grade_once(self) -> CtcaeGradesFile:
        if sorted(g.grade for g in self.grades) != [1, 2, 3, 4, 5]:
            raise ValueError("grades: each CTCAE grade 1 to 5 must be defined once")
        return self


@dataclass(frozen=True)
class QuizResult:
    score: int
    fitzpatrick: str
    answered: int
    questions: int

    @property
    def complete(self) -> bool:
        return self.answered == self.questions


@dataclass(frozen=True)
class ClinicForms:
    quiz: FitzpatrickQuizFile
    ctcae: CtcaeGradesFile

    @property
    def grades(self) -> Mapping[int, CtcaeGrade]:
        return {g.grade: g for g in self.ctcae.grades}

    def score_quiz(self, answers: Mapping[str, int | None]) -> QuizResult:
        """The total of the answers given (each 0 to 4, by question id) and its band."""
        given = [answers.get(q.id) for q in self.quiz.questions]
        chosen = [a for a in given if a is not None]
        for value in chosen:
            if not 0 <= value < ANSWERS_PER_QUESTION:
                raise ValueError(f"an answer's score should be 0 to {ANSWERS_PER_QUESTION - 1}")
        score = sum(chosen)
        return QuizResult(
            score=score,
            fitzpatrick=self.quiz.band_for(score).fitzpatrick,
            answered=len(chosen),
            questions=len(given),
        )


def check_forms(forms: ClinicForms) -> list[str]:
    """A skin type with two bands (the codes and sources the forms name are checked by the
    load's walk of every file)."""
    problems: list[str] = []
    named: Sequence[str] = [b.fitzpatrick for b in forms.quiz.bands]
    if len(set(named)) != len(named):
        problems.append("fitzpatrick_quiz.yaml: bands: a skin type has more than one band")
    return problems
