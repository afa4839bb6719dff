"""The schema of words.yaml: the short names of the engines' outcome codes (decisions,
dispositions, risk levels, finding statuses) shown by the CLI, the pages and the documents, and
the defaults a new clinic starts with (emergency number, age of consent)."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field, StringConstraints, model_validator

from needlesafe.knowledge.schema import Decision, FileHeader, Level, Strict
from needlesafe.knowledge.triage_schema import DISPOSITIONS, STATUSES

ShortName = Annotated[str, StringConstraints(min_length=1, max_length=40, strip_whitespace=True)]
Icon = Annotated[str, StringConstraints(min_length=1, max_length=2)]


class Named(Strict):
    label: ShortName
    icon: Icon


class ClinicDefaults(Strict):
    emergency_number: Annotated[str, StringConstraints(pattern=r"^[0-9+ ]{1,20}$")]
    age_of_consent: Annotated[int, Field(ge=14, le=21)]


class WordsFile(FileHeader):
    decisions: dict[str, Named]
    dispositions: dict[str, Named]
    levels: dict[str, ShortName]
    statuses: dict[str, ShortName]
    defaults: ClinicDefaults

    @model_validator(mode="after")
    def _every_code_once(self) -> WordsFile:
        expected: dict[str, tuple[str, ...]] = {
            "decisions": tuple(Decision),
            "dispositions": DISPOSITIONS,
            "levels": tuple(Level),
            "statuses": STATUSES,
        }
        for name, codes in expected.items():
            named: dict[str, Any] = getattr(self, name)
            missing = [c for c in codes if c not in named]
            unknown = [c for c in named if c not in codes]
            if missing or unknown:
                raise ValueError(
                    f"{name}: name each of {', '.join(codes)} once"
                    + (f"; missing {', '.join(missing)}" if missing else "")
                    + (f"; unknown {', '.join(unknown)}" if unknown else "")
                )
        return self
