"""The schema of `consent.yaml`: the wording of the consent sheet that no single rule owns.

The aftercare and the warning signs are not here: the sheet takes them from the aftercare
plan (`aftercare.yaml`), the one source of both. Like every knowledge file it forbids unknown
keys; `build_knowledge` checks the codes it names (complications, precaution codes) and the
sources it cites by walking its marked fields. Medical words are explained from the glossary
(`glossary.yaml`).
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from needlesafe.knowledge.schema import (
    FileHeader,
    PatientLabel,
    PatientText,
    PlainText,
    SourceIds,
    Strict,
)
from needlesafe.knowledge.types import ComplicationCode, PrecautionCode

# Prose a patient reads is typed PatientText (reading grade and medical words are linted);
# headings and short labels are not prose, and a PatientLabel is measured with its text.


class ConsentSection(Strict):
    heading: PlainText
    paragraphs: Annotated[list[PatientText], Field(min_length=1)]
    sources: SourceIds


class ExpectedEffect(Strict):
    label: PatientLabel
    text: PatientText
    how_long: PatientText
    sources: SourceIds


class CitedText(Strict):
    text: PatientText
    sources: SourceIds


class Alternative(Strict):
    label: PatientLabel
    text: PatientText
    sources: SourceIds


class Headings(Strict):
    plan: PlainText
    told_us: PlainText
    treatment: PlainText
    expected: PlainText
    risks: PlainText
    no_raised_risks: PatientText
    other_risks: PlainText
    before_we_treat: PlainText
    clinic_will: PlainText
    you_should: PlainText
    alternatives: PlainText
    aftercare: PlainText
    red_flags: PlainText
    consent: PlainText
    why: PlainText
    signs: PlainText
    how_long: PlainText


class Labels(Strict):
    """Short labels on the sheet (not prose; read next to their values)."""

    sheet: PlainText
    age: PlainText
    skin: PlainText
    conditions: PlainText
    medications: PlainText
    allergies: PlainText
    pregnant: PlainText
    breastfeeding: PlainText
    none: PlainText
    stopped: PlainText  # names {days}
    areas: PlainText
    depth: PlainText
    device: PlainText
    setting: PlainText
    numbing: PlainText
    topicals: PlainText
    patch_test: PlainText
    done: PlainText
    not_done: PlainText
    when: PlainText
    patient: PlainText
    guardian: PlainText
    practitioner: PlainText
    name: PlainText
    signature: PlainText
    date: PlainText
    clinic_phone: PlainText
    emergency: PlainText
    issued: PlainText
    knowledge: PlainText
    wording: PlainText
    page: PlainText
    of: PlainText
    treatment_day_only: PlainText  # an aftercare step's window: day 0 only
    first_days: PlainText  # names {days}
    later_days: PlainText  # names {from} and {to}


class LevelWords(Strict):
    high: PlainText
    elevated: PlainText
    baseline: PlainText


class NotReady(Strict):
    defer: PatientText
    do_not_treat: PatientText


class ConsentFile(FileHeader):
    title: PlainText
    intro: PatientText
    headings: Headings
    labels: Labels
    level_words: LevelWords
    not_ready: NotReady
    treatment: Annotated[list[ConsentSection], Field(min_length=1)]
    expected_effects: list[ExpectedEffect]
    always_mention: list[ComplicationCode]
    patient_action_precautions: list[PrecautionCode]
    patient_duties: list[CitedText]
    alternatives: Annotated[list[Alternative], Field(min_length=1)]
    statements: Annotated[list[PatientText], Field(min_length=1)]
    guardian_statement: PatientText
    practitioner_statement: PatientText
