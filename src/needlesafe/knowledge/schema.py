"""The schema of the knowledge base: what each YAML file may hold.

Every model forbids unknown keys, so a typo in a clinician's edit fails at load instead of
silently dropping a rule. Cross-file checks (dangling codes, unknown sources) live in
`Knowledge`, and name the file and the rule id of what is wrong.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from needlesafe.knowledge.conditions import Predicate as Predicate
from needlesafe.knowledge.conditions import StoppedWithin as StoppedWithin
from needlesafe.knowledge.types import AllergyCode, ComplicationCode, DeviceCode
from needlesafe.knowledge.types import Code as Code
from needlesafe.knowledge.types import OptionalSourceIds as OptionalSourceIds
from needlesafe.knowledge.types import PatientLabel as PatientLabel
from needlesafe.knowledge.types import PatientText as PatientText
from needlesafe.knowledge.types import PlainText as PlainText
from needlesafe.knowledge.types import SourceIds as SourceIds

# Fields typed PatientText, PatientLabel, SourceIds or a code alias (`needlesafe.knowledge.types`)
# are found and checked by the generic walker (`needlesafe.knowledge.walk`).


class Strict(BaseModel):
    # validators are built on first use: a CLI command that never validates a model of a kind
    # does not pay for building it (start-up, issue 12)
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class Level(StrEnum):
    baseline = "baseline"
    elevated = "elevated"
    high = "high"

    @property
    def rank(self) -> int:
        return _LEVEL_RANK[self]


_LEVEL_RANK = {Level.baseline: 0, Level.elevated: 1, Level.high: 2}


class Decision(StrEnum):
    proceed = "proceed"
    proceed_with_precautions = "proceed_with_precautions"
    defer = "defer"
    do_not_treat = "do_not_treat"

    @property
    def rank(self) -> int:
        return list(Decision).index(self)


class FileHeader(Strict):
    """The header every knowledge file starts with."""

    id: Code
    version: Annotated[int, Field(ge=1)]
    reviewed: dt.date
    reviewed_by: PlainText


# ---------------------------------------------------------------- sources


class Source(Strict):
    id: Code
    # regulatory: laws, agency guidance and the labelling of cleared devices and approved drugs;
    # policy: a default chosen by this knowledge base where no source sets a number, for the
    # clinic's clinical lead to confirm or change (its citation says so)
    kind: Literal["seed", "literature", "regulatory", "guideline", "policy"]
    citation: PlainText
    file: str | None = None  # the seed article's file name under shared/seeds
    url: str | None = None
    note: str | None = None

    @model_validator(mode="after")
    def _seed_names_its_file(self) -> Source:
        if self.kind == "seed" and not self.file:
            raise ValueError("a seed source must name its file")
        return self


class SourcesFile(FileHeader):
    sources: list[Source]


# ---------------------------------------------------------------- vocabularies


class Term(Strict):
    code: Annotated[str, StringConstraints(pattern=r"^[A-Za-z][A-Za-z0-9_]*$")]
    # plain words, shown to patients as a choice among the others of its list (a form's
    # checkboxes, the consent sheet's "you told us"): the labels of a list are measured together
    label: PatientLabel
    description: str | None = None
    sources: OptionalSourceIds = []


# the deepest needle a plan, an area's cap or an aftercare band may name (mm): the contract's
MAX_NEEDLE_DEPTH_MM = 4.0


class Area(Term):
    region: Literal["face", "body"]
    max_depth_mm: Annotated[float, Field(gt=0, le=MAX_NEEDLE_DEPTH_MM)]
    sources: SourceIds  # the depth cap needs a citation
    # why the cap is what it is (clinician words), shown with the reduce_depth precaution
    cap_reason: str | None = None
    # a different cap for a device whose labelling or protocols differ (device code -> mm)
    max_depth_mm_by_device: dict[
        DeviceCode, Annotated[float, Field(gt=0, le=MAX_NEEDLE_DEPTH_MM)]
    ] = {}
    # the usual adult skin surface of the area, both sides (cm2): what a numbing cream covers
    surface_cm2: Annotated[float, Field(gt=0, le=20000)] | None = None

    def cap_for(self, device: str) -> float:
        return self.max_depth_mm_by_device.get(device, self.max_depth_mm)


class NumbingAgent(Term):
    ingredients: list[AllergyCode]  # allergy codes of the anaesthetics it contains


class Allergen(Term):
    # the cross-reacting class, for anaesthetics: amide or ester
    anaesthetic_class: Literal["amide", "ester"] | None = None
    # what in a treatment carries it ("always" for needle metal, gloves, skin prep)
    exposure: Literal["numbing_agent", "topical", "always"]
    exposure_text: str | None = None  # clinician words: where the patient meets it


class Topical(Term):
    labeled_for_microneedling: bool
    # made from the patient's own blood (PRP): not a product with a label for needled skin but
    # a biologic, whose risk is blood-borne infection when handling fails, not a granuloma
    biologic: bool = False


class Symptom(Term):
    pass


class Clearance(Term):
    """A doctor's OK the clinic has on record: ticked by staff on the screening form and read
    on the assessment page, never shown to patients (clinician words, not linted as theirs)."""

    label: PlainText


class FactWords(Strict):
    """How a clinician reads one kind of fact the screening matched (`patient.fitzpatrick=V`):
    `fact` is its path, or path=value for a yes/no fact, or `risks` for a raised risk
    (`risks.scarring=high`, {label} the complication's name); `words` may hold {value} (as given),
    {decimal} (the number with one decimal) and {label} (the value's name in `vocabulary`)."""

    fact: Annotated[str, StringConstraints(pattern=r"^((patient|plan)\.[a-z_]+(=[a-z]+)?|risks)$")]
    words: PlainText
    vocabulary: str | None = None


class Vocabularies(FileHeader):
    fitzpatrick: list[Term]
    conditions: list[Term]
    medications: list[Term]
    allergies: list[Allergen]
    areas: list[Area]
    devices: list[Term]
    settings: list[Term]
    numbing_agents: list[NumbingAgent]
    topicals: list[Topical]
    symptoms: list[Symptom]
    severities: list[Term]
    trends: list[Term]
    # the doctors' clearances an intake can record (plan.medical_clearances)
    clearances: list[Clearance] = []
    # the screening's matched facts in clinician words, for the assessment page
    fact_words: list[FactWords] = []

    @model_validator(mode="after")
    def _fact_words_name_vocabularies(self) -> Vocabularies:
        names = set(type(self).model_fields) - set(FileHeader.model_fields) - {"fact_words"}
        seen: set[str] = set()
        for entry in self.fact_words:
            if entry.vocabulary is not None and entry.vocabulary not in names:
                raise ValueError(
                    f"fact_words: {entry.fact}: unknown vocabulary {entry.vocabulary!r}"
                )
            if "{label}" in entry.words and entry.vocabulary is None and entry.fact != "risks":
                raise ValueError(f"fact_words: {entry.fact}: {{label}} needs a vocabulary")
            if entry.fact in seen:
                raise ValueError(f"fact_words: {entry.fact} is listed twice")
            seen.add(entry.fact)
        return self


# ---------------------------------------------------------------- predicates
# A rule's condition (`when`): its keys are declared once, in `needlesafe.knowledge.conditions`.


# ---------------------------------------------------------------- complications


class Icd10(Strict):
    code: Annotated[str, StringConstraints(pattern=r"^[A-Z][0-9][0-9A-Z](\.[0-9A-Z]{1,4})?$")]
    title: PlainText


class Icd10Other(Icd10):
    use_when: PlainText  # clinician words: when this code fits instead of the usual one


class PatientTextByLevel(Strict):
    baseline: PatientText
    elevated: PatientText
    high: PatientText

    def at(self, level: Level) -> str:
        text: str = getattr(self, level.value)
        return text


class Complication(Strict):
    code: Code
    label: PlainText
    description: PlainText  # plain words
    onset: PlainText
    duration: PlainText
    signs: list[PlainText]
    ctcae_term: PlainText
    icd10cm: Icd10
    icd10cm_other: list[Icd10Other] = []
    patient_text: PatientTextByLevel
    sources: SourceIds


class ComplicationsFile(FileHeader):
    complications: list[Complication]


# ---------------------------------------------------------------- rules


class RiskRule(Strict):
    id: Code
    complication: ComplicationCode
    level: Literal[Level.elevated, Level.high]
    when: Predicate
    rule: PlainText  # clinician words: why this raises the risk
    patient_text: PatientText
    sources: SourceIds


class RiskRulesFile(FileHeader):
    rules: list[RiskRule]


class ContraindicationRule(Strict):
    id: Code
    code: Code
    label: PatientLabel  # plain words for the code, shown on pages and sheets
    kind: Literal["absolute", "relative"]
    decision: Literal[Decision.defer, Decision.do_not_treat]
    when: Predicate
    patient_text: PatientText
    clinician_text: PlainText
    sources: SourceIds


def _same_label_per_code(rules: list[ContraindicationRule] | list[PrecautionRule]) -> None:
    """Rules that share a code are one finding: they must name it the same way."""
    first: dict[str, ContraindicationRule | PrecautionRule] = {}
    for rule in rules:
        seen = first.setdefault(rule.code, rule)
        if seen.label != rule.label:
            raise ValueError(
                f"rule {rule.id}: label {rule.label!r} differs from {seen.label!r} of rule "
                f"{seen.id}, which has the same code {rule.code!r}"
            )


class RiskCount(Strict):
    """How many complications must reach `level` (among `among`, or among all)."""

    level: Literal[Level.elevated, Level.high]
    at_least: Annotated[int, Field(ge=1)]
    among: list[ComplicationCode] | None = None


class EscalationRule(Strict):
    """A combination of raised risks that raises the decision. Risk levels only rise when a
    risk factor is added, so a count of raised risks keeps the decision monotonic."""

    id: Code
    code: Code
    label: PatientLabel
    kind: Literal["absolute", "relative"]
    decision: Literal[Decision.defer, Decision.do_not_treat]
    when_risks: RiskCount
    patient_text: PatientText
    clinician_text: PlainText
    sources: SourceIds


class ContraindicationsFile(FileHeader):
    contraindications: list[ContraindicationRule]
    # combinations of raised risks that raise the decision (evaluated after the risk rules)
    escalations: list[EscalationRule] = []

    @model_validator(mode="after")
    def _labels(self) -> ContraindicationsFile:
        _same_label_per_code(self.contraindications)
        return self


class PrecautionRule(Strict):
    id: Code
    code: Code
    label: PatientLabel  # plain words for the code, shown on pages and sheets
    when: Predicate
    # fixed parameters reported with the precaution, e.g. {max_depth_mm: 1.0} for reduce_depth
    params: dict[Code, float | str] = {}
    patient_text: PatientText
    # may name {area_caps}: the areas planned deeper than their cap, with the cap
    clinician_text: PlainText
    sources: SourceIds


class PrecautionsFile(FileHeader):
    precautions: list[PrecautionRule]

    @model_validator(mode="after")
    def _labels(self) -> PrecautionsFile:
        _same_label_per_code(self.precautions)
        return self
