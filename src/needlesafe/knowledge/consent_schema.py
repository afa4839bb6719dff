"""The schema of `consent.yaml`: the wording of the consent sheet that no single rule owns.

The aftercare and the warning signs are not here: the sheet takes them from the aftercare
plan (`aftercare.yaml`), the one source of both. Like every knowledge file it forbids unknown
keys; `build_knowledge` checks the codes it names (complications, precaution codes) and the
sources it cites.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from pydantic import Field

from needlesafe.knowledge.schema import Code, FileHeader, PlainText, SourceIds, Strict


class ConsentSection(Strict):
    heading: PlainText
    paragraphs: Annotated[list[PlainText], Field(min_length=1)]
    sources: SourceIds


class ExpectedEffect(Strict):
    label: PlainText
    text: PlainText
    how_long: PlainText
    sources: SourceIds


class CitedText(Strict):
    text: PlainText
    sources: SourceIds


class Alternative(Strict):
    label: PlainText
    text: PlainText
    sources: SourceIds


class GlossaryTerm(Strict):
    term: PlainText  # as it is written in texts; matched case-insensitively, whole words
    plain: PlainText  # the everyday words put in brackets after it
    forms: list[PlainText] = []  # other forms of the word: plurals, spellings


class Headings(Strict):
    plan: PlainText
    told_us: PlainText
    treatment: PlainText
    expected: PlainText
    risks: PlainText
    no_raised_risks: PlainText
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
    defer: PlainText
    do_not_treat: PlainText


class ConsentFile(FileHeader):
    title: PlainText
    intro: PlainText
    headings: Headings
    labels: Labels
    level_words: LevelWords
    not_ready: NotReady
    treatment: Annotated[list[ConsentSection], Field(min_length=1)]
    expected_effects: list[ExpectedEffect]
    always_mention: list[Code]  # complication codes
    patient_action_precautions: list[Code]  # precaution codes
    patient_duties: list[CitedText]
    alternatives: Annotated[list[Alternative], Field(min_length=1)]
    statements: Annotated[list[PlainText], Field(min_length=1)]
    guardian_statement: PlainText
    practitioner_statement: PlainText
    glossary: list[GlossaryTerm]

    def cited(self) -> Iterator[tuple[str, list[str]]]:
        """Every (where, sources) pair, for the cross-file source check."""
        for i, section in enumerate(self.treatment):
            yield f"treatment[{i}]", section.sources
        for i, effect in enumerate(self.expected_effects):
            yield f"expected_effects[{i}]", effect.sources
        for i, duty in enumerate(self.patient_duties):
            yield f"patient_duties[{i}]", duty.sources
        for i, alternative in enumerate(self.alternatives):
            yield f"alternatives[{i}]", alternative.sources

    def patient_texts(self) -> Iterator[tuple[str, str]]:
        """Every prose text a patient reads, with where it lives (for the reading-grade lint).

        Headings and short labels are not prose; they are measured together with their text.
        """
        yield "intro", self.intro
        yield "headings.no_raised_risks", self.headings.no_raised_risks
        yield "not_ready.defer", self.not_ready.defer
        yield "not_ready.do_not_treat", self.not_ready.do_not_treat
        for i, section in enumerate(self.treatment):
            for j, paragraph in enumerate(section.paragraphs):
                yield f"treatment[{i}].paragraphs[{j}]", paragraph
        for i, effect in enumerate(self.expected_effects):
            yield f"expected_effects[{i}]", f"{effect.label}. {effect.text} {effect.how_long}."
        for i, duty in enumerate(self.patient_duties):
            yield f"patient_duties[{i}].text", duty.text
        for i, alternative in enumerate(self.alternatives):
            yield f"alternatives[{i}]", f"{alternative.label}. {alternative.text}"
        for i, statement in enumerate(self.statements):
            yield f"statements[{i}]", statement
        yield "guardian_statement", self.guardian_statement
        yield "practitioner_statement", self.practitioner_statement
        for term in self.glossary:
            yield f"glossary ({term.term}).plain", f"It means {term.plain}."
