"""The schema of `surveillance.yaml`: the demo data's complication rates, onsets and mix, and
the thresholds of the surveillance report's signal methods.

Like every knowledge file it forbids unknown keys. The codes and sources its marked fields name
are checked by the load's walk of every file; `check_surveillance` checks that every
complication has a baseline rate and an onset; `build_knowledge` calls it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, ClassVar

from pydantic import Field, model_validator

from needlesafe.knowledge.schema import Code, FileHeader, PlainText, SourceIds, Strict
from needlesafe.knowledge.types import (
    AreaCode,
    ComplicationCode,
    DeviceCode,
    FitzpatrickCode,
    TopicalCode,
)

Share = Annotated[float, Field(ge=0, le=1)]


class RateWhen(Strict):
    """Which treatments a rate applies to; every given condition must hold."""

    fitzpatrick: list[FitzpatrickCode] = []
    min_depth_mm: Annotated[float, Field(gt=0, le=4)] | None = None
    areas_any: list[AreaCode] = []
    topicals_any: list[TopicalCode] = []
    devices: list[DeviceCode] = []


class RateRule(Strict):
    id: Code
    complication: ComplicationCode
    rate_per_1000: Annotated[float, Field(ge=0, le=1000)]
    when: RateWhen | None = None
    note: PlainText | None = None
    sources: SourceIds


class Onset(Strict):
    walk_id: ClassVar[tuple[str, ...]] = ("complication",)

    complication: ComplicationCode
    first: Annotated[int, Field(ge=0, le=365)]
    last: Annotated[int, Field(ge=0, le=365)]
    sources: SourceIds

    @model_validator(mode="after")
    def _ordered(self) -> Onset:
        if self.last < self.first:
            raise ValueError(f"last ({self.last}) is before first ({self.first})")
        return self


def _sums_to_one(name: str, shares: Mapping[str, float]) -> None:
    total = sum(shares.values())
    if abs(total - 1) > 1e-6:
        raise ValueError(f"{name}: the shares sum to {total:g}, not 1")


class GradeShares(Strict):
    shares: dict[str, Share]
    sources: SourceIds

    @model_validator(mode="after")
    def _valid(self) -> GradeShares:
        bad = [g for g in self.shares if g not in ("1", "2", "3", "4", "5")]
        if bad:
            raise ValueError(f"unknown CTCAE grade(s) {bad}: use 1 to 5")
        _sums_to_one("shares", self.shares)
        return self


class Mix(Strict):
    fitzpatrick: dict[FitzpatrickCode, Share]
    devices: dict[DeviceCode, Share]
    depth_mm: dict[str, Share]
    topicals: dict[Code, Share]  # "none" for no product: checked in check_surveillance
    areas: dict[AreaCode, Share]
    redness_checkin_share: Share
    sources: SourceIds

    @model_validator(mode="after")
    def _valid(self) -> Mix:
        for name in ("fitzpatrick", "devices", "depth_mm", "topicals", "areas"):
            _sums_to_one(name, getattr(self, name))
        for depth in self.depth_mm:
            try:
                value = float(depth)
            except ValueError:
                raise ValueError(f"depth_mm: {depth!r} is not a depth in mm") from None
            if not 0 < value <= 4:
                raise ValueError(f"depth_mm: {depth} mm is outside 0 to 4 mm")
        return self


class SignalThresholds(Strict):
    prr_min: Annotated[float, Field(gt=0)]
    chi_square_min: Annotated[float, Field(ge=0)]
    cases_min: Annotated[int, Field(ge=1)]
    ic025_min: float
    maxsprt_alpha: Annotated[float, Field(gt=0, lt=1)]
    maxsprt_min_events: Annotated[int, Field(ge=1)]
    sources: SourceIds


class SurveillanceFile(FileHeader):
    rates: Annotated[list[RateRule], Field(min_length=1)]
    onset_days: Annotated[list[Onset], Field(min_length=1)]
    grade_shares: GradeShares
    mix: Mix
    signals: SignalThresholds


def check_surveillance(
    file: SurveillanceFile, *, codes: Mapping[str, frozenset[str]], complications: set[str]
) -> list[str]:
    """Problems the walk of marked fields cannot see: ids used twice, a complication without
    a baseline rate or an onset, a topical of the mix ("none" allowed) that is not one."""
    where = "surveillance.yaml"
    problems: list[str] = []

    ids = [r.id for r in file.rates]
    problems += [
        f"{where}: rates: id {i!r} is used more than once"
        for i in sorted(set(ids))
        if ids.count(i) > 1
    ]
    baselines = {r.complication for r in file.rates if r.when is None}
    problems += [
        f"{where}: rates: complication {c!r} has no baseline rule (one without `when`)"
        for c in sorted(complications - baselines)
    ]
    onsets = [o.complication for o in file.onset_days]
    problems += [
        f"{where}: onset_days: complication {c!r} has no onset"
        for c in sorted(complications - set(onsets))
    ]
    problems += [
        f"{where}: mix.topicals: unknown topicals code {t!r}"
        for t in file.mix.topicals
        if t != "none" and t not in codes["topicals"]
    ]
    return problems
