"""The engine contract (shared/CONTRACT.md): inputs and outputs of screening and triage.

Codes are plain strings here; they are checked against the knowledge base's vocabularies when
an input is parsed (`needlesafe.engine.inputs`), so the vocabularies live in one place: YAML.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    ValidationInfo,
)

from needlesafe.knowledge.schema import MAX_NEEDLE_DEPTH_MM, Decision, Level
from needlesafe.knowledge.triage_schema import SELF_CARE, Disposition
from needlesafe.knowledge.triage_schema import Status as FindingStatus


def whole_number(value: Any) -> Any:
    """6.0 is the JSON number 6 (JSON Schema counts it an integer); `true` and "6" stay refused
    by the strict field."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


Age = Annotated[int, Field(ge=0, le=120, strict=True), BeforeValidator(whole_number)]


def _known(vocabulary: str, what: str) -> AfterValidator:
    """A validator that accepts only codes of `vocabulary`, suggesting the closest ones.

    The vocabularies come from the knowledge base passed as validation context
    (`model_validate(data, context={"knowledge": kb})`); see `needlesafe.engine.inputs`.
    """

    def check(code: str, info: ValidationInfo) -> str:
        context = info.context or {}
        knowledge = context.get("knowledge")
        if knowledge is None:
            raise ValueError("no knowledge base given to check codes against")
        if code not in knowledge.codes[vocabulary]:
            raise ValueError(unknown_code_message(code, what, knowledge.codes[vocabulary]))
        return code

    return AfterValidator(check)


def unknown_code_message(code: str, what: str, valid: frozenset[str]) -> str:
    close = difflib.get_close_matches(code, sorted(valid), n=3, cutoff=0.6)
    if close:
        hint = "did you mean " + " or ".join(f"`{c}`" for c in close) + "?"
    else:
        hint = "valid codes: " + ", ".join(sorted(valid))
    return f"unknown {what} `{code}`; {hint}"


FitzpatrickCode = Annotated[str, _known("fitzpatrick", "Fitzpatrick skin type")]
ConditionCode = Annotated[str, _known("conditions", "condition")]
MedicationCode = Annotated[str, _known("medications", "medication")]
AllergyCode = Annotated[str, _known("allergies", "allergy")]
AreaCode = Annotated[str, _known("areas", "area")]
DeviceCode = Annotated[str, _known("devices", "device")]
SettingCode = Annotated[str, _known("settings", "setting")]
NumbingAgentCode = Annotated[str, _known("numbing_agents", "numbing agent")]
TopicalCode = Annotated[str, _known("topicals", "topical")]
SymptomCode = Annotated[str, _known("symptoms", "symptom")]
ClearanceCode = Annotated[str, _known("clearances", "clearance")]


def _bare_code_as_object(value: Any) -> Any:
    """A list item given as a bare code means `{"code": code}` (e.g. current medication use)."""
    return {"code": value} if isinstance(value, str) else value


Severity = Literal["mild", "moderate", "severe"]
Trend = Literal["improving", "stable", "worsening"]


class Input(BaseModel):
    # Unknown keys are an error: a typo must not silently drop a risk factor. Booleans and
    # numbers are strict where the contract's JSON has them (`0` is not `false`, `"2"` not 2).
    # validators are built on first use: a CLI command that never validates a model of a kind
    # does not pay for building it (start-up, issue 12)
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class Output(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)


# ---------------------------------------------------------------- intake


class MedicationUse(Input):
    code: MedicationCode
    stopped_days_ago: (
        Annotated[int, Field(ge=0, le=36500, strict=True), BeforeValidator(whole_number)] | None
    ) = None

    @property
    def current(self) -> bool:
        return self.stopped_days_ago is None


class Patient(Input):
    age: Age
    fitzpatrick: FitzpatrickCode
    pregnant: StrictBool = False
    breastfeeding: StrictBool = False
    conditions: list[ConditionCode] = []
    # a bare code means current use
    medications: list[Annotated[MedicationUse, BeforeValidator(_bare_code_as_object)]] = []
    allergies: list[AllergyCode] = []


class Plan(Input):
    areas: Annotated[list[AreaCode], Field(min_length=1)]
    needle_depth_mm: Annotated[
        float, Field(gt=0, le=MAX_NEEDLE_DEPTH_MM, allow_inf_nan=False, strict=True)
    ]
    device: DeviceCode
    setting: SettingCode = "clinic"
    numbing_agent: NumbingAgentCode = "none"
    topicals: list[TopicalCode] = []
    patch_test_done: StrictBool = False
    sterile_single_use_needles: StrictBool = True
    # the doctors' clearances already recorded for this treatment (added to the contract): a
    # fact whose rule needs a clearance defers the treatment until that clearance is here
    medical_clearances: list[ClearanceCode] = []


class Intake(Input):
    patient: Patient
    plan: Plan


# ---------------------------------------------------------------- assessment


class FrozenDict(dict[str, Any]):
    """A dict that refuses every change (serialises as a plain dict)."""

    def _refuse(self, *args: object, **kwargs: object) -> None:
        raise TypeError("an assessment is immutable: its parts cannot be changed")

    __setitem__ = __delitem__ = clear = pop = popitem = setdefault = update = _refuse  # type: ignore[assignment]  # refused
    __ior__ = _refuse  # type: ignore[assignment]  # refused

    def __hash__(self) -> int:  # type: ignore[override]  # dict says unhashable
        return hash(tuple(self.items()))


def _frozen(value: Mapping[str, Any]) -> FrozenDict:
    return value if isinstance(value, FrozenDict) else FrozenDict(value)


# An assessment is immutable through and through: frozen models, tuples, read-only mappings.
# Nothing one caller does to a result can reach another's.
class Reason(Output):
    factor: str  # the intake fact, e.g. "patient.fitzpatrick=IV"
    rule: str  # the rule id that fired
    clinician_text: str
    patient_text: str
    sources: tuple[str, ...]


class Risk(Output):
    level: Level
    reasons: tuple[Reason, ...]
    patient_text: str
    label: str


class Contraindication(Output):
    code: str
    label: str  # plain words for the code (added to the contract's shape)
    kind: Literal["absolute", "relative"]
    decision: Decision
    rule: str
    factors: tuple[str, ...]
    patient_text: str
    clinician_text: str
    sources: tuple[str, ...]


class Precaution(Output):
    code: str
    label: str  # plain words for the code (added to the contract's shape)
    rule: str
    factors: tuple[str, ...]
    params: Annotated[Mapping[str, float | str], AfterValidator(_frozen)] = FrozenDict()
    patient_text: str
    clinician_text: str
    sources: tuple[str, ...]


class Assessment(Output):
    decision: Decision
    risks: Annotated[Mapping[str, Risk], AfterValidator(_frozen)]
    contraindications: tuple[Contraindication, ...]
    precautions: tuple[Precaution, ...]
    knowledge_version: str


# ---------------------------------------------------------------- check-in


class SymptomReport(Input):
    code: SymptomCode
    severity: Severity | None = None
    trend: Trend | None = None


class PatientContext(Input):
    """Any subset of the intake's patient fields, as context for triage."""

    age: Age | None = None
    fitzpatrick: FitzpatrickCode | None = None
    pregnant: StrictBool | None = None
    breastfeeding: StrictBool | None = None
    conditions: list[ConditionCode] = []
    medications: list[Annotated[MedicationUse, BeforeValidator(_bare_code_as_object)]] = []
    allergies: list[AllergyCode] = []


class CheckIn(Input):
    days_since_treatment: Annotated[float, Field(ge=0, le=3650, allow_inf_nan=False, strict=True)]
    symptoms: list[Annotated[SymptomReport, BeforeValidator(_bare_code_as_object)]] = []
    temperature_c: (
        Annotated[float, Field(ge=25, le=45, allow_inf_nan=False, strict=True)] | None
    ) = None
    message: Annotated[str, Field(max_length=5000)] | None = None
    patient: PatientContext | None = None


# ---------------------------------------------------------------- triage


class Finding(Output):
    symptom: str
    status: FindingStatus
    origin: Literal["structured", "message"]
    patient_text: str
    sources: list[str]
    # added outputs (not in CONTRACT v1): what decided the status, for the clinic
    label: str = ""
    disposition: Disposition = SELF_CARE
    rule: str = ""  # the id of the course rule or combination rule that set the status
    severity: Severity | None = None
    trend: Trend | None = None
    clinician_text: str = ""


class Triage(Output):
    disposition: Disposition
    findings: list[Finding]
    symptoms: list[str]
    patient_text: str
    knowledge_version: str
    # added outputs (not in CONTRACT v1)
    rules: list[str] = []  # every rule that fired, course and combination
    temperature_c: float | None = None  # the highest temperature given or read
    negated: list[str] = []  # symptoms the message mentioned only to deny them
    resolved: list[str] = []  # symptoms the message said happened and have settled
    others: list[str] = []  # symptoms the message gave as someone else's
    unread: list[str] = []  # parts of the message the reader could not read (the clinic will)
    guessed: list[str] = []  # symptoms the optional sentence model read in the unread parts
    read_summary: str = ""  # what was read from the message, in plain words
