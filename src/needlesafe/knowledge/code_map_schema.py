"""The schema of `code_map.yaml`: standard codes (SNOMED CT, ICD-10-CM, RxNorm) and the local
code system mapped to the contract's codes, with what a hook call assumes when the record is
silent. Its target codes and cited sources are marked fields, checked by the load's walk of
every file; `check_code_map` checks the rest; `CodeMap` is the loaded file with its index.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Annotated, Any, ClassVar, Literal

from pydantic import Field, StringConstraints, model_validator

from needlesafe.knowledge import types
from needlesafe.knowledge.schema import (
    MAX_NEEDLE_DEPTH_MM,
    Code,
    FileHeader,
    PlainText,
    SourceIds,
    Strict,
)

SystemName = Literal["snomed", "icd10cm", "rxnorm", "local"]
StandardCode = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.\-]{1,40}$")]
FLAGS = ("pregnant", "breastfeeding")


class Targets(Strict):
    """Contract codes, by vocabulary; `flags` are the intake's yes/no patient fields."""

    conditions: list[types.ConditionCode] = []
    medications: list[types.MedicationCode] = []
    allergies: list[types.AllergyCode] = []
    areas: list[types.AreaCode] = []
    flags: list[Literal["pregnant", "breastfeeding"]] = []

    def items(self) -> Iterator[tuple[str, str]]:
        for vocabulary in ("conditions", "medications", "allergies", "areas", "flags"):
            for code in getattr(self, vocabulary):
                yield vocabulary, code


class Mapping_(Strict):
    walk_id: ClassVar[tuple[str, ...]] = ("system", "code")

    system: SystemName
    code: StandardCode
    display: PlainText
    to: Targets = Targets()
    when_active: Targets = Targets()
    sources: SourceIds

    @model_validator(mode="after")
    def _maps_to_something(self) -> Mapping_:
        if not any(True for _ in self.to.items()) and not any(
            True for _ in self.when_active.items()
        ):
            raise ValueError("a mapping needs `to` or `when_active` codes")
        return self


class LocalCode(Strict):
    code: Code
    display: PlainText
    sources: SourceIds


class AssumedPlan(Strict):
    areas: Annotated[list[types.AreaCode], Field(min_length=1)]
    needle_depth_mm: Annotated[float, Field(gt=0, le=MAX_NEEDLE_DEPTH_MM)]
    device: types.DeviceCode
    numbing_agent: types.NumbingAgentCode = "none"
    sources: SourceIds


class Suggestion(Strict):
    walk_id: ClassVar[tuple[str, ...]] = ("precaution",)

    precaution: types.PrecautionCode
    label: PlainText
    resource: dict[str, Any]
    sources: SourceIds

    @model_validator(mode="after")
    def _is_a_resource(self) -> Suggestion:
        if not isinstance(self.resource.get("resourceType"), str):
            raise ValueError("resource needs a resourceType")
        if "subject" in self.resource:
            raise ValueError("resource must not name a subject (it is added per patient)")
        return self


class ComplicationCode(Strict):
    walk_id: ClassVar[tuple[str, ...]] = ("complication",)

    complication: types.ComplicationCode
    system: Literal["snomed"]
    code: StandardCode
    display: PlainText
    sources: SourceIds


class OverrideReason(Strict):
    code: Code
    display: PlainText


class CodeMapFile(FileHeader):
    sources: SourceIds  # the standards the exchange follows (FHIR R4, CDS Hooks)
    systems: dict[SystemName, Annotated[str, StringConstraints(pattern=r"^https?://\S+$")]]
    local_codes: list[LocalCode]
    procedure_words: Annotated[list[PlainText], Field(min_length=1)]
    assumed_plan: AssumedPlan
    assumed_fitzpatrick: types.FitzpatrickCode
    assumed_fitzpatrick_sources: SourceIds
    mappings: list[Mapping_]
    body_sites: list[Mapping_]
    complications: list[ComplicationCode]
    suggestions: list[Suggestion]
    override_reasons: Annotated[list[OverrideReason], Field(min_length=1)]

    @model_validator(mode="after")
    def _every_system_named(self) -> CodeMapFile:
        missing = {"snomed", "icd10cm", "rxnorm", "local"} - set(self.systems)
        if missing:
            raise ValueError(f"systems: missing {', '.join(sorted(missing))}")
        return self


@dataclass(frozen=True)
class CodeMap:
    """The loaded map: (system URL, code) -> its mapping, for conditions/drugs and body sites."""

    file: CodeMapFile
    by_code: Mapping[tuple[str, str], Mapping_] = field(repr=False)
    sites: Mapping[tuple[str, str], Mapping_] = field(repr=False)

    @property
    def local_system(self) -> str:
        return self.file.systems["local"]

    def url(self, system: str) -> str:
        return self.file.systems[system]  # type: ignore[index]  # unknown -> KeyError

    def complication_coding(self, complication: str) -> dict[str, str] | None:
        for entry in self.file.complications:
            if entry.complication == complication:
                return {
                    "system": self.url(entry.system),
                    "code": entry.code,
                    "display": entry.display,
                }
        return None

    def local_display(self, code: str) -> str:
        return next(c.display for c in self.file.local_codes if c.code == code)


def check_code_map(file: CodeMapFile) -> tuple[CodeMap | None, list[str]]:
    """The map and its index, or the problems (one line each, naming the entry): a code mapped
    twice, a local code not defined. The codes and sources its marked fields name are checked
    by the load's walk of every file (`build_knowledge`)."""
    problems: list[str] = []
    name = "code_map.yaml"
    local_codes = {c.code for c in file.local_codes}

    def index(what: str, entries: list[Mapping_]) -> dict[tuple[str, str], Mapping_]:
        found: dict[tuple[str, str], Mapping_] = {}
        for entry in entries:
            where = f"{what} ({entry.system} {entry.code})"
            key = (file.systems[entry.system], entry.code)
            if key in found:
                problems.append(f"{name}: {where}: mapped twice")
            found[key] = entry
            if entry.system == "local" and entry.code not in local_codes:
                problems.append(f"{name}: {where}: not in local_codes")
        return found

    by_code = index("mappings", file.mappings)
    sites = index("body_sites", file.body_sites)
    if problems:
        return None, problems
    return CodeMap(file=file, by_code=by_code, sites=sites), []
