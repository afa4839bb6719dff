"""The personalised consent and education sheet: from an intake and its assessment to a
`ConsentSheet`, in plain words, for this patient and this plan.

Pure: no I/O, no clock (the issue date is an argument). Every word comes from the knowledge
base: the risks, reasons, precautions and contraindications from the rule files, the aftercare
steps and the warning signs from the aftercare plan (`plan_aftercare`, aftercare.yaml: the same
words and the same urgency the patient's plan and triage use), everything else from
`consent.yaml`. Rendering to HTML and PDF lives in `needlesafe.documents.render`.

What the sheet holds, in reading order (the template follows the same order, so the first
time a medical word appears is the place it gets explained):
plan and what the patient told us, what the treatment is, what to expect, the risks that are
higher for this patient (most first, each with why), the rare risks everyone has, what must
happen before treating (when the screening defers), what the clinic will do, what the patient
must do, the other choices, aftercare, warning signs with whom to call, and the consent with
signature lines (a parent or guardian too when the patient is under the clinic's age of
consent, an argument: the law differs by place, and each clinic keeps its own).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Iterator
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from needlesafe.engine.aftercare import AftercarePlan, PlannedItem, plan_aftercare
from needlesafe.engine.models import Assessment, Intake, Risk
from needlesafe.knowledge.base import Knowledge
from needlesafe.knowledge.consent_schema import ConsentFile, Headings, Labels
from needlesafe.knowledge.glossary import GlossaryTerm, bracketed
from needlesafe.knowledge.schema import Decision, Level
from needlesafe.knowledge.words import clinic_defaults

NBSP = "\u00a0"
SIGNABLE = frozenset({Decision.proceed, Decision.proceed_with_precautions})

OneLine = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=120, pattern=r"^[^\n\r]*$"),
]


class SheetModel(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ClinicDetails(SheetModel):
    """Who the patient calls. Untrusted text: the templates escape it."""

    name: OneLine
    phone: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)]
    emergency_number: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20)
    ] = Field(default_factory=lambda: clinic_defaults().emergency_number)
    time_zone: str = "UTC"  # the signing times are shown in it


class Item(SheetModel):
    label: str
    value: str


class Section(SheetModel):
    heading: str
    paragraphs: list[str]


class Effect(SheetModel):
    label: str
    text: str
    how_long: str


class SheetRisk(SheetModel):
    code: str
    label: str
    level: Level
    level_words: str
    description: str
    text: str  # what this level means for the patient, and what we do
    why: list[str]  # the reasons' patient texts: why it applies to this patient
    when: str
    how_long: str


SignAction = Literal["emergency", "urgent", "contact_clinic"]  # the aftercare plan's actions
SIGN_ORDER: dict[str, int] = {"emergency": 0, "urgent": 1, "contact_clinic": 2}


class WarningSign(SheetModel):
    text: str
    action: SignAction
    call: str  # "Call 911 now." / "Call us within a day at 555 0100."


class SignatureLine(SheetModel):
    role: Literal["patient", "guardian", "practitioner"]
    label: str
    statement: str | None = None


class SignedBy(SheetModel):
    """Who signed a sheet, how and when: what the signed PDF shows next to the sheet's words.
    Not part of the sheet (its version stays that of the words the patient read)."""

    patient_name: str
    method: Literal["drawn", "typed", "staff"]  # staff: a name typed by staff (paper signed)
    via: Literal["link", "tablet", "staff"]
    signature_png: bytes | None = None  # drawn: the re-encoded PNG
    patient_signed_at: dt.datetime
    acknowledgements: list[str] = []  # the statements the patient ticked, word for word
    guardian_name: str | None = None
    guardian_relationship: str | None = None
    practitioner_name: str
    countersigned_at: dt.datetime


class AftercareSummary(SheetModel):
    """The sheet's aftercare and warning signs, taken from an aftercare plan (the one source of
    both: `aftercare_summary(plan_aftercare(...))`)."""

    steps: list[str]
    warning_signs: list[WarningSign]
    sources: list[str] = []  # source ids of the plan entries used


class ConsentSheet(SheetModel):
    title: str
    intro: str
    clinic: ClinicDetails
    patient_name: str | None
    issued: dt.date
    decision: Decision
    signable: bool
    not_ready: str | None
    headings: Headings
    labels: Labels
    plan: list[Item]
    told_us: list[Item]
    treatment: list[Section]
    expected: list[Effect]
    risks: list[SheetRisk]  # higher than usual for this patient, most first
    other_risks: list[SheetRisk]  # at the usual (rare) level, named for every patient
    # a finding's text led by its label (an Item); a plain text (e.g. a duty everyone has)
    before_we_treat: list[str | Item]
    clinic_will: list[str | Item]
    you_should: list[str | Item]
    alternatives: list[Item]
    aftercare: list[str]
    warning_signs: list[WarningSign]
    statements: list[str]
    signatures: list[SignatureLine]
    knowledge_version: str
    wording_version: str  # consent.yaml's version and review date
    sources: list[str]  # citations of everything on the sheet

    @property
    def guardian_required(self) -> bool:
        return any(line.role == "guardian" for line in self.signatures)

    @property
    def version(self) -> str:
        """The exact sheet: a hash of everything on it. A signature names this version."""
        return hashlib.sha256(self.model_dump_json().encode()).hexdigest()[:16]

    def patient_texts(self) -> Iterator[tuple[str, str]]:
        """Every prose text on the sheet a patient reads, in reading order, with where it is.

        Short labels are read with their text ("Redness. Your skin will look ...").
        """
        yield "intro", self.intro
        if self.not_ready:
            yield "not_ready", self.not_ready
        # read as one block, label by label
        yield "told_us", " ".join(f"{item.label}: {item.value}." for item in self.told_us)
        for section in self.treatment:
            for j, paragraph in enumerate(section.paragraphs):
                yield f"treatment ({section.heading})[{j}]", paragraph
        for effect in self.expected:
            yield f"expected ({effect.label})", f"{effect.label}. {effect.text} {effect.how_long}."
        if not self.risks:
            yield "headings.no_raised_risks", self.headings.no_raised_risks
        for risk in [*self.risks, *self.other_risks]:
            yield f"risk {risk.code}.description", risk.description
            yield f"risk {risk.code}.text", risk.text
            for j, why in enumerate(risk.why):
                yield f"risk {risk.code}.why[{j}]", why
        for name in ("before_we_treat", "clinic_will", "you_should"):
            for j, entry in enumerate(getattr(self, name)):
                text = entry if isinstance(entry, str) else f"{entry.label}. {entry.value}"
                yield f"{name}[{j}]", text
        for j, text in enumerate(self.aftercare):
            yield f"aftercare[{j}]", text
        for item in self.alternatives:
            yield f"alternatives ({item.label})", f"{item.label}. {item.value}"
        for j, sign in enumerate(self.warning_signs):
            yield f"warning_signs[{j}]", f"{sign.text} {sign.call}"
        for j, statement in enumerate(self.statements):
            yield f"statements[{j}]", statement
        for line in self.signatures:
            if line.statement:
                yield f"signatures ({line.role})", line.statement


# ---------------------------------------------------------------- medical words


class Explainer:
    """Puts the plain words in brackets after a medical word of the glossary (glossary.yaml,
    shared with the lint), the first time it appears.

    A word counts as explained where it already has brackets after it ("keloids (thick,
    raised scars ...)") or is itself the bracketed name ("Hard bumps (granulomas)").
    """

    def __init__(self, glossary: Iterable[GlossaryTerm]) -> None:
        self._terms = list(glossary)
        self.seen: set[str] = set()

    def __call__(self, text: str) -> str:
        for term in self._terms:
            if term.term in self.seen:
                continue
            match = term.pattern.search(text)
            if match is None:
                continue
            self.seen.add(term.term)
            if bracketed(text, match.start(), match.end()):
                continue
            text = f"{text[: match.end()]} ({term.plain}){text[match.end() :]}"
        return text

    def all(self, texts: Iterable[str]) -> list[str]:
        return [self(text) for text in texts]


# ---------------------------------------------------------------- building the sheet


def _join(words: list[str]) -> str:
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


def _fill(text: str, clinic: ClinicDetails) -> str:
    # numbers are kept on one line (non-breaking spaces)
    return (
        text.replace("{clinic_name}", clinic.name)
        .replace("{clinic_phone}", clinic.phone.replace(" ", NBSP))
        .replace("{emergency_number}", clinic.emergency_number.replace(" ", NBSP))
    )


def _unique(texts: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(texts))


def _risk_order(knowledge: Knowledge) -> dict[str, int]:
    return {code: i for i, code in enumerate(knowledge.complications)}


def _plan_items(intake: Intake, knowledge: Knowledge, labels: Labels) -> list[Item]:
    plan = intake.plan
    topicals = [knowledge.label("topicals", t) for t in plan.topicals]
    return [
        Item(label=labels.areas, value=_join([knowledge.label("areas", a) for a in plan.areas])),
        Item(label=labels.depth, value=f"{plan.needle_depth_mm:g} mm"),
        Item(label=labels.device, value=knowledge.label("devices", plan.device)),
        Item(label=labels.setting, value=knowledge.label("settings", plan.setting)),
        Item(label=labels.numbing, value=knowledge.label("numbing_agents", plan.numbing_agent)),
        Item(label=labels.topicals, value=_join(topicals) or labels.none),
        Item(
            label=labels.patch_test,
            value=labels.done if plan.patch_test_done else labels.not_done,
        ),
    ]


def _told_us(intake: Intake, knowledge: Knowledge, labels: Labels) -> list[Item]:
    patient = intake.patient
    medications = []
    for use in patient.medications:
        label = knowledge.label("medications", use.code)
        if use.stopped_days_ago is not None:
            label += ", " + labels.stopped.replace("{days}", str(use.stopped_days_ago))
        medications.append(label)
    items = [
        Item(label=labels.age, value=str(patient.age)),
        Item(label=labels.skin, value=knowledge.label("fitzpatrick", patient.fitzpatrick)),
        Item(
            label=labels.conditions,
            value="; ".join(knowledge.label("conditions", c) for c in patient.conditions)
            or labels.none,
        ),
        Item(label=labels.medications, value="; ".join(medications) or labels.none),
        Item(
            label=labels.allergies,
            value="; ".join(knowledge.label("allergies", a) for a in patient.allergies)
            or labels.none,
        ),
    ]
    if patient.pregnant:
        items.append(Item(label=labels.conditions, value=labels.pregnant.rstrip(".")))
    if patient.breastfeeding:
        items.append(Item(label=labels.conditions, value=labels.breastfeeding.rstrip(".")))
    return items


def _sheet_risk(
    code: str, risk: Risk, knowledge: Knowledge, consent: ConsentFile, explain: Explainer
) -> SheetRisk:
    complication = knowledge.complications[code]
    # explained in the order the template shows them: label, description, why, text
    label = explain(complication.label)
    description = explain(complication.description)
    why = explain.all(_unique(reason.patient_text for reason in risk.reasons))
    return SheetRisk(
        code=code,
        label=label,
        level=risk.level,
        level_words=getattr(consent.level_words, risk.level.value),
        description=description,
        text=explain(risk.patient_text),
        why=why,
        when=complication.onset,
        how_long=complication.duration,
    )


def _window(item: PlannedItem, labels: Labels) -> str:
    """When an instruction applies, in days from the treatment (the sheet comes before it)."""
    if item.from_day == 0 and item.to_day == 0:
        return labels.treatment_day_only
    if item.from_day == 0:
        return labels.first_days.replace("{days}", str(item.to_day + 1))
    return labels.later_days.replace("{from}", str(item.from_day)).replace("{to}", str(item.to_day))


def aftercare_summary(plan: AftercarePlan, labels: Labels) -> AftercareSummary:
    """The sheet's aftercare (what to do, what to avoid and for how long, the check-ups) and
    warning signs (with whom to call), from the aftercare plan the patient will get."""
    items = [i for i in plan.items if i.kind in ("do", "avoid")]
    steps = [f"{item.text} {_window(item, labels)}" for item in items]
    steps += [follow_up.text for follow_up in plan.follow_ups]
    signs = [
        WarningSign(text=flag.text, action=flag.action, call=flag.action_text)
        for flag in plan.red_flags
    ]
    sources = [
        *(s for item in items for s in item.sources),
        *(s for f in plan.follow_ups for s in f.sources),
        *(s for flag in plan.red_flags for s in flag.sources),
    ]
    return AftercareSummary(steps=steps, warning_signs=signs, sources=_unique(sources))


def build_consent_sheet(
    intake: Intake,
    assessment: Assessment,
    *,
    clinic: ClinicDetails,
    knowledge: Knowledge,
    issued: dt.date,
    age_of_consent: int,
    patient_name: str | None = None,
    aftercare: AftercareSummary | None = None,
) -> ConsentSheet:
    """The consent and education sheet for this intake, its assessment and this clinic.
    Below `age_of_consent` (the clinic's) a parent or guardian signs too."""
    consent = knowledge.consent
    if consent is None:
        raise ValueError("the knowledge base has no consent wording (consent.yaml)")
    labels = consent.labels
    explain = Explainer(knowledge.glossary.terms if knowledge.glossary is not None else ())
    cited: list[str] = []

    title = explain(consent.title)
    intro = explain(consent.intro)
    signable = assessment.decision in SIGNABLE
    not_ready = None
    if not signable:
        not_ready = explain(getattr(consent.not_ready, assessment.decision.value))

    plan = [
        Item(label=i.label, value=explain(i.value)) for i in _plan_items(intake, knowledge, labels)
    ]
    told_us = [
        Item(label=i.label, value=explain(i.value)) for i in _told_us(intake, knowledge, labels)
    ]

    treatment = []
    for section in consent.treatment:
        treatment.append(
            Section(heading=explain(section.heading), paragraphs=explain.all(section.paragraphs))
        )
        cited += section.sources
    expected = []
    for effect in consent.expected_effects:
        expected.append(
            Effect(label=explain(effect.label), text=explain(effect.text), how_long=effect.how_long)
        )
        cited += effect.sources

    order = _risk_order(knowledge)
    raised = sorted(
        ((code, risk) for code, risk in assessment.risks.items() if risk.level != Level.baseline),
        key=lambda kv: (-kv[1].level.rank, -len(kv[1].reasons), order.get(kv[0], len(order))),
    )
    risks = [_sheet_risk(code, risk, knowledge, consent, explain) for code, risk in raised]
    for _, risk in raised:
        for reason in risk.reasons:
            cited += reason.sources
    other_risks = [
        _sheet_risk(code, assessment.risks[code], knowledge, consent, explain)
        for code in consent.always_mention
        if code in assessment.risks and assessment.risks[code].level == Level.baseline
    ]
    for sheet_risk in [*risks, *other_risks]:
        cited += knowledge.complications[sheet_risk.code].sources

    def labelled(vocabulary: str, findings: Iterable[tuple[str, str]]) -> list[str | Item]:
        """Each finding's patient text once, led by its code's plain label."""
        first: dict[str, str] = {}
        for code, text in findings:
            first.setdefault(text, code)
        return [
            Item(label=knowledge.label(vocabulary, code), value=explain(text))
            for text, code in first.items()
        ]

    before_we_treat = labelled(
        "contraindications", ((ci.code, ci.patient_text) for ci in assessment.contraindications)
    )
    for ci in assessment.contraindications:
        cited += ci.sources
    patient_action = set(consent.patient_action_precautions)
    clinic_will = labelled(
        "precautions",
        ((p.code, p.patient_text) for p in assessment.precautions if p.code not in patient_action),
    )
    you_should: list[str | Item] = [
        *labelled(
            "precautions",
            ((p.code, p.patient_text) for p in assessment.precautions if p.code in patient_action),
        ),
        *explain.all(_unique(duty.text for duty in consent.patient_duties)),
    ]
    for precaution in assessment.precautions:
        cited += precaution.sources
    for duty in consent.patient_duties:
        cited += duty.sources

    alternatives = []
    for alternative in consent.alternatives:
        alternatives.append(Item(label=explain(alternative.label), value=explain(alternative.text)))
        cited += alternative.sources

    if aftercare is None:
        # numbers are kept on one line (non-breaking spaces)
        aftercare_plan = plan_aftercare(
            intake.plan,
            assessment,
            knowledge,
            treatment_date=issued,
            clinic_phone=clinic.phone.replace(" ", NBSP),
            emergency_number=clinic.emergency_number.replace(" ", NBSP),
        )
        aftercare = aftercare_summary(aftercare_plan, labels)
    steps = explain.all(aftercare.steps)
    signs = [
        WarningSign(text=explain(s.text), action=s.action, call=_fill(s.call, clinic))
        for s in aftercare.warning_signs
    ]
    cited += aftercare.sources
    # the most urgent first
    signs.sort(key=lambda s: SIGN_ORDER[s.action])

    statements = explain.all(consent.statements)
    signatures = [SignatureLine(role="patient", label=labels.patient)]
    if intake.patient.age < age_of_consent:
        signatures.append(
            SignatureLine(
                role="guardian",
                label=labels.guardian,
                statement=explain(consent.guardian_statement),
            )
        )
    signatures.append(
        SignatureLine(
            role="practitioner",
            label=labels.practitioner,
            statement=explain(consent.practitioner_statement),
        )
    )

    return ConsentSheet(
        title=title,
        intro=intro,
        clinic=clinic,
        patient_name=patient_name,
        issued=issued,
        decision=assessment.decision,
        signable=signable,
        not_ready=not_ready,
        headings=consent.headings,
        labels=labels,
        plan=plan,
        told_us=told_us,
        treatment=treatment,
        expected=expected,
        risks=risks,
        other_risks=other_risks,
        before_we_treat=before_we_treat,
        clinic_will=clinic_will,
        you_should=you_should,
        alternatives=alternatives,
        aftercare=steps,
        warning_signs=signs,
        statements=statements,
        signatures=signatures,
        knowledge_version=assessment.knowledge_version,
        wording_version=f"{consent.version} ({consent.reviewed.isoformat()})",
        sources=[knowledge.sources[s].citation for s in _unique(cited) if s in knowledge.sources],
    )
