"""The prospective monitoring does what the README says, checked on counts small enough to
work out by hand: the Poisson maxSPRT (Kulldorff 2011) on expected counts risk-adjusted by
skin type and depth band from the rest of the registry, scaled by how the rest did that month
(shrunk towards 1 by ten events), at least four events before an alarm, and its alpha shared
over every test (Bonferroni)."""

from __future__ import annotations

import math
from typing import Any

import pyarrow as pa
import pytest

from needlesafe.knowledge.base import Knowledge
from needlesafe.knowledge.surveillance_schema import SignalThresholds
from needlesafe.surveillance.queries import Results
from needlesafe.surveillance.report import MONTH_PRIOR, monitoring
from needlesafe.surveillance.stats import horizon_grid, maxsprt_critical_value

EXPOSURE = ("dimension", "value", "product", "month", "fitzpatrick", "depth_band", "treatments")
CASES = (
    "dimension", "value", "product", "month", "fitzpatrick", "depth_band", "complication", "cases",
)  # fmt: skip
LIGHT, DARK = ("II", "superficial"), ("V", "deep")
JAN, FEB = "2024-01", "2024-02"


def _results(exposure: list[tuple[Any, ...]], cases: list[tuple[Any, ...]]) -> Results:
    def table(names: tuple[str, ...], rows: list[tuple[Any, ...]]) -> pa.Table:
        return pa.table({name: [row[i] for row in rows] for i, name in enumerate(names)})

    return Results(
        tables={
            "monitoring_exposure": table(EXPOSURE, exposure),
            "monitoring_cases": table(CASES, cases),
        },
        engine="by hand",
    )


def _thresholds(knowledge: Knowledge) -> SignalThresholds:
    assert knowledge.surveillance is not None
    return knowledge.surveillance.signals


def _practitioners() -> Results:
    """Practitioner A treats both skin types alike; B treats mostly light skin. A has 16
    scarring cases, B 6."""
    exposure = [
        ("practitioner", "A", "all", JAN, *LIGHT, 100),
        ("practitioner", "A", "all", JAN, *DARK, 100),
        ("practitioner", "A", "all", FEB, *LIGHT, 100),
        ("practitioner", "A", "all", FEB, *DARK, 100),
        ("practitioner", "B", "all", JAN, *LIGHT, 400),
        ("practitioner", "B", "all", FEB, *LIGHT, 400),
        ("practitioner", "B", "all", FEB, *DARK, 200),
    ]
    cases = [
        ("practitioner", "A", "all", JAN, *DARK, "scarring", 5),
        ("practitioner", "A", "all", FEB, *LIGHT, "scarring", 1),
        ("practitioner", "A", "all", FEB, *DARK, "scarring", 10),
        ("practitioner", "B", "all", JAN, *LIGHT, "scarring", 6),
        ("practitioner", "B", "all", FEB, *DARK, "scarring", 4),
    ]
    return _results(exposure, cases)


def test_expected_counts_llr_and_alarm_match_a_hand_calculation(knowledge: Knowledge) -> None:
    thresholds = _thresholds(knowledge)
    tests = monitoring(_practitioners(), thresholds, ["scarring"])
    a = next(t for t in tests if t["value"] == "A")

    # the rest (B alone) by stratum: light 6 of 800, dark 4 of 200
    light, dark = 6 / 800, 4 / 200
    # each month, how the rest did against its own rates, shrunk by ten events
    jan_factor = (6 + MONTH_PRIOR) / (400 * light + MONTH_PRIOR)  # 16 / 13
    feb_factor = (4 + MONTH_PRIOR) / (400 * light + 200 * dark + MONTH_PRIOR)  # 14 / 17
    assert jan_factor == pytest.approx(16 / 13) and feb_factor == pytest.approx(14 / 17)
    # A's own treatments at the rest's rates, times the month's factor
    jan = (100 * light + 100 * dark) * jan_factor  # 2.75 * 16/13 = 3.3846
    feb = (100 * light + 100 * dark) * feb_factor  # 2.75 * 14/17 = 2.2647
    expected = [jan, jan + feb]
    observed = [5, 16]

    def llr(o: float, e: float) -> float:  # Poisson maxSPRT, for a raised rate only
        return (e - o) + o * math.log(o / e) if o > e else 0.0

    series = a["series"]
    assert [p["month"] for p in series] == [JAN, FEB]
    assert [p["observed"] for p in series] == observed
    assert [p["expected"] for p in series] == [round(e, 3) for e in expected]
    llrs = [llr(o, e) for o, e in zip(observed, expected, strict=True)]
    assert [p["llr"] for p in series] == [round(x, 3) for x in llrs]
    assert series[0]["llr"] == pytest.approx(0.3356, abs=5e-4)
    assert series[1]["llr"] == pytest.approx(6.3061, abs=5e-4)

    # two tests (A and B), so each gets half the report's alpha; the horizon is A's expected
    # count over the period, rounded up on the cache's grid
    alpha = thresholds.maxsprt_alpha / 2
    assert a["alpha_per_test"] == pytest.approx(alpha)
    critical = maxsprt_critical_value(horizon_grid(jan + feb), alpha, 4)
    assert a["critical_value"] == round(critical, 3)
    assert series[0]["llr"] < critical < series[1]["llr"]
    assert a["alarm_month"] == FEB
    b = next(t for t in tests if t["value"] == "B")
    assert b["alarm_month"] is None and "series" not in b


def test_no_alarm_before_four_events(knowledge: Knowledge) -> None:
    """Three cases where a tenth of one was expected: a huge LLR, but maxSPRT waits for the
    fourth event."""
    exposure = [
        ("practitioner", "A", "all", JAN, *LIGHT, 100),
        ("practitioner", "B", "all", JAN, *LIGHT, 100_000),
    ]
    cases = [
        ("practitioner", "A", "all", JAN, *LIGHT, "granuloma", 3),
        ("practitioner", "B", "all", JAN, *LIGHT, "granuloma", 100),
    ]
    (a,) = [
        t
        for t in monitoring(_results(exposure, cases), _thresholds(knowledge), ["granuloma"])
        if t["value"] == "A"
    ]
    assert a["observed"] == 3 and a["expected"] == pytest.approx(0.1, abs=1e-3)
    assert a["llr"] > a["critical_value"]
    assert a["alarm_month"] is None


def test_a_lot_is_compared_with_the_other_lots_of_its_product(knowledge: Knowledge) -> None:
    """Lot L1 of product P: its expected count comes from P's other lot (1 case in 100), not
    from product Q, whose lot has ten times the rate."""
    exposure = [
        ("lot", "L1", "P", JAN, *LIGHT, 100),
        ("lot", "L2", "P", JAN, *LIGHT, 100),
        ("lot", "L3", "Q", JAN, *LIGHT, 1000),
    ]
    cases = [
        ("lot", "L1", "P", JAN, *LIGHT, "granuloma", 3),
        ("lot", "L2", "P", JAN, *LIGHT, "granuloma", 1),
        ("lot", "L3", "Q", JAN, *LIGHT, "granuloma", 100),
    ]
    tests = monitoring(_results(exposure, cases), _thresholds(knowledge), ["granuloma"])
    lot = next(t for t in tests if t["value"] == "L1")
    # rate of the rest of P: 1/100; the month factor is 1 (the rest saw what it expected)
    assert lot["expected"] == pytest.approx(100 * (1 / 100), abs=1e-3)
    assert lot["observed"] == 3
    assert {t["dimension"] for t in tests} == {"lot"}
