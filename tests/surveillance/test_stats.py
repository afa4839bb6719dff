"""The statistics against hand-computed values and against scipy and statsmodels."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.stats import chi2_contingency
from statsmodels.stats.contingency_tables import Table2x2
from statsmodels.stats.proportion import proportion_confint

from needlesafe.surveillance.stats import (
    chi_square_yates,
    disproportionality,
    horizon_grid,
    maxsprt_alpha,
    maxsprt_critical_value,
    poisson_llr,
    rate_ratio,
    wilson,
)


@pytest.mark.parametrize(
    ("cases", "n"), [(0, 10), (5, 36), (2, 36), (36, 36), (139, 1000), (1, 100000)]
)
def test_wilson_interval_matches_statsmodels(cases: int, n: int) -> None:
    low, high = proportion_confint(cases, n, alpha=0.05, method="wilson")
    found = wilson(cases, n)
    assert found.estimate == pytest.approx(cases / n)
    assert found.low == pytest.approx(low, abs=1e-12)
    assert found.high == pytest.approx(high, abs=1e-12)


def test_wilson_interval_by_hand_for_no_cases_in_ten() -> None:
    # z^2/(n+z^2) = 3.8415/13.8415 = 0.27753
    assert wilson(0, 10).high == pytest.approx(0.27753, abs=1e-5)
    assert wilson(0, 10).low == 0


def test_wilson_refuses_impossible_counts() -> None:
    with pytest.raises(ValueError, match="n must be positive"):
        wilson(0, 0)
    with pytest.raises(ValueError, match="between 0 and n"):
        wilson(11, 10)


def test_rate_ratio_by_hand() -> None:
    # 10 of 1,000 against 20 of 4,000: ratio 2, log SE sqrt(1/10 - 1/1000 + 1/20 - 1/4000)
    found = rate_ratio(10, 1000, 20, 4000)
    assert found is not None
    se = math.sqrt(1 / 10 - 1 / 1000 + 1 / 20 - 1 / 4000)
    assert found.estimate == pytest.approx(2.0)
    assert found.low == pytest.approx(2 * math.exp(-1.959964 * se), rel=1e-6)
    assert found.high == pytest.approx(2 * math.exp(1.959964 * se), rel=1e-6)
    assert round(found.low, 3) == 0.939 and round(found.high, 3) == 4.259


def test_rate_ratio_needs_cases_on_both_sides() -> None:
    assert rate_ratio(0, 100, 5, 100) is None
    assert rate_ratio(5, 100, 0, 100) is None


@pytest.mark.parametrize("table", [(10, 90, 50, 9850), (3, 40, 12, 5000), (25, 300, 80, 2000)])
def test_chi_square_with_yates_matches_scipy(table: tuple[int, int, int, int]) -> None:
    a, b, c, d = table
    expected = chi2_contingency(np.array([[a, b], [c, d]]), correction=True)[0]
    assert chi_square_yates(a, b, c, d) == pytest.approx(expected, rel=1e-9)


@pytest.mark.parametrize("table", [(10, 90, 50, 9850), (3, 40, 12, 5000), (25, 300, 80, 2000)])
def test_reporting_odds_ratio_matches_statsmodels(table: tuple[int, int, int, int]) -> None:
    a, b, c, d = table
    reference = Table2x2(np.array([[a, b], [c, d]]))
    found = disproportionality(a, b, c, d)
    assert found.ror is not None
    low, high = reference.oddsratio_confint(alpha=0.05)
    assert found.ror.estimate == pytest.approx(reference.oddsratio)
    assert found.ror.low == pytest.approx(low, rel=1e-6)
    assert found.ror.high == pytest.approx(high, rel=1e-6)
    assert found.prr == pytest.approx(reference.riskratio)


def test_prr_and_information_component_by_hand() -> None:
    found = disproportionality(10, 90, 50, 9850)
    assert found.prr == pytest.approx((10 / 100) / (50 / 9900))  # 19.8
    # expected a = (a+b)(a+c)/N = 100 * 60 / 10,000 = 0.6; IC = log2(10.5 / 1.1)
    assert found.ic == pytest.approx(math.log2(10.5 / 1.1))
    assert found.ic025 == pytest.approx(
        math.log2(10.5 / 1.1) - 3.3 / math.sqrt(10.5) - 2 / 10.5**1.5
    )
    assert found.evans(2, 4, 3)


def test_evans_rule_needs_three_cases_and_a_prr_of_two() -> None:
    assert not disproportionality(2, 10, 5, 5000).evans(2, 4, 3)  # two cases only
    assert not disproportionality(30, 970, 300, 9700).evans(2, 4, 3)  # PRR 1
    assert disproportionality(0, 10, 5, 500).ic025 < 0


def test_poisson_llr_is_zero_unless_more_than_expected() -> None:
    assert poisson_llr(3, 5.0) == 0.0
    assert poisson_llr(10, 2.0) == pytest.approx(2 - 10 + 10 * math.log(5))


@pytest.mark.parametrize(
    ("horizon", "critical"),
    # Kulldorff et al. 2011 (and the R package Sequential, CV.Poisson with M=1, alpha=0.05)
    [(1.0, 2.853937), (10.0, 3.467952), (100.0, 3.952321)],
)
def test_maxsprt_critical_values_match_kulldorff(horizon: float, critical: float) -> None:
    assert maxsprt_critical_value(horizon, 0.05, 1) == pytest.approx(critical, abs=1e-4)


def test_maxsprt_false_alarm_rate_by_simulation() -> None:
    """Poisson events at rate 1 up to the horizon: the test signals at an event when the LLR
    reaches the critical value (it only falls between events); about alpha of runs do."""
    rng = np.random.default_rng(2026)
    horizon, min_events = 20.0, 4
    critical = maxsprt_critical_value(horizon, 0.05, min_events)
    runs, signals = 20000, 0
    for _ in range(runs):
        times = np.cumsum(rng.exponential(1.0, size=80))
        times = times[times <= horizon]
        for count, at in enumerate(times, start=1):
            if count >= min_events and poisson_llr(count, at) >= critical:
                signals += 1
                break
    assert abs(signals / runs - 0.05) < 0.006  # binomial SE 0.0015
    assert maxsprt_alpha(critical, horizon, min_events) == pytest.approx(0.05, abs=1e-4)


def test_minimum_events_alone_can_hold_alpha() -> None:
    # P(N >= 4) with mean 0.1 is 4e-6: no LLR threshold is needed
    assert maxsprt_critical_value(0.1, 0.05, 4) == 0.0


def test_horizon_grid_rounds_up() -> None:
    for value in (0.013, 1.0, 37.0, 4999.0):
        assert value <= horizon_grid(value) < value * 1.34
