"""The schema of `code_map.yaml`: standard codes (SNOMED CT, ICD-10-CM, RxNorm) and the local
code system mapped to the contract's codes, with what a hook call assumes when the record is
silent. `check_code_map` checks every target code against the vocabularies and every cited
source; `CodeMap` is the loaded file with its lookup index.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal

from pydantic import Field, StringConstraints, model_validator

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

    conditions: list[Code] = []
    medications: list[Code] = []
    allergies: list[Code] = []
    areas: list[Code] = []
    flags: list[Literal["pregnant", "breastfeeding"]] = []

    def items(self) -> Iterator[tuple[str, str]]:
        for vocabulary in ("conditions", "medications", "allergies", "areas", "flags"):
            for code in getattr(self, vocabulary):
                yield vocabulary, code


class Mapping_(Strict):
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
    areas: Annotated[list[Code], Field(min_length=1)]
    needle_depth_mm: Annotated[float, Field(gt=0, le=MAX_NEEDLE_DEPTH_MM)]
    device: Code
    numbing_agent: Code = "none"
    sources: SourceIds


class Suggestion(Strict):
    precaution: Code
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
    complication: Code
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
    assumed_fitzpatrick: str
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
        return self.file.systems[system]  # type: ignore[index]

    def cited(self) -> Iterator[tuple[str, list[str]]]:
        file = self.file
        yield "sources", file.sources
        for local in file.local_codes:
            yield f"local_codes ({local.code})", local.sources
        for entry in [*file.mappings, *file.body_sites]:
            yield f"{entry.system} {entry.code}", entry.sources
        yield "assumed_plan", file.assumed_plan.sources
        yield "assumed_fitzpatrick", file.assumed_fitzpatrick_sources
        for suggestion in file.suggestions:
            yield f"suggestions ({suggestion.precaution})", suggestion.sources
        for coded in file.complications:
            yield f"complications ({coded.complication})", coded.sources

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


def check_code_map(
    file: CodeMapFile,
    *,
    codes: Mapping[str, frozenset[str]],
    precautions: set[str],
    sources: set[str],
    complications: set[str] | None = None,
) -> tuple[CodeMap | None, list[str]]:
    """The map and its index, or the problems (one line each, naming the entry)."""
    problems: list[str] = []
    name = "code_map.yaml"

    def check_sources(where: str, cited: list[str]) -> None:
        problems.extend(
            f"{name}: {where}: sources: unknown source {s!r}" for s in cited if s not in sources
        )

    check_sources("sources", file.sources)
    local_codes = {c.code for c in file.local_codes}
    for local in file.local_codes:
        check_sources(f"local_codes ({local.code})", local.sources)

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
            check_sources(where, entry.sources)
            for targets in (entry.to, entry.when_active):
                for vocabulary, code in targets.items():
                    if vocabulary != "flags" and code not in codes[vocabulary]:
                        problems.append(f"{name}: {where}: unknown {vocabulary} code {code!r}")
        return found

    by_code = index("mappings", file.mappings)
    sites = index("body_sites", file.body_sites)
    plan = file.assumed_plan
    problems += [
        f"{name}: assumed_plan.areas: unknown areas code {a!r}"
        for a in plan.areas
        if a not in codes["areas"]
    ]
    if plan.device not in codes["devices"]:
        problems.append(f"{name}: assumed_plan.device: unknown device {plan.device!r}")
    if plan.numbing_agent not in codes["numbing_agents"]:
        problems.append(
            f"{name}: assumed_plan.numbing_agent: unknown numbing agent {plan.numbing_agent!r}"
        )
    check_sources("assumed_plan", plan.sources)
    if file.assumed_fitzpatrick not in codes["fitzpatrick"]:
        problems.append(
            f"{name}: assumed_fitzpatrick: unknown fitzpatrick code {file.assumed_fitzpatrick!r}"
        )
    check_sources("assumed_fitzpatrick", file.assumed_fitzpatrick_sources)
    for suggestion in file.suggestions:
        where = f"suggestions ({suggestion.precaution})"
        if suggestion.precaution not in precautions:
            problems.append(f"{name}: {where}: unknown precaution code {suggestion.precaution!r}")
        check_sources(where, suggestion.sources)
    for entry in file.complications:
        where = f"complications ({entry.complication})"
        if complications is not None and entry.complication not in complications:
            problems.append(f"{name}: {where}: unknown complication {entry.complication!r}")
        check_sources(where, entry.sources)
    if problems:
        return None, problems
    return CodeMap(file=file, by_code=by_code, sites=sites), []
