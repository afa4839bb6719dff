"""Reading grade of patient-facing text (Flesch-Kincaid, textstat 0.7.8, offline)."""

from __future__ import annotations

import textstat

MAX_GRADE = 8.0  # every patient-facing text reads at grade 8 or lower


def reading_grade(text: str) -> float:
    grade: float = textstat.flesch_kincaid_grade(text)
    return grade


def too_hard(text: str) -> bool:
    return reading_grade(text) > MAX_GRADE
