"""The statistics of safety surveillance, as plain functions of counts.

Rates come first because a registry has the denominator (every treatment): a proportion with
its Wilson score interval, and the rate ratio of one group against the rest (Katz's log
interval). Disproportionality (PRR with its chi-square, ROR, the shrunk information component)
screens the adverse-event reports alone, as spontaneous-report systems must. The Poisson
maxSPRT (Kulldorff 2011) monitors a lot, a practitioner or a device as its events arrive.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from scipy.optimize import brentq
from scipy.special import gammaln, lambertw

Z95 = 1.959963984540054  # the standard normal's 97.5th percentile


@dataclass(frozen=True)
class Interval:
    estimate: float
    low: float
    high: float


def wilson(cases: int, n: int, z: float = Z95) -> Interval:
    """The proportion cases/n with its Wilson score interval (good near 0, unlike Wald)."""
    if n <= 0:
        raise ValueError("n must be positive")
    if not 0 <= cases <= n:
        raise ValueError("cases must be between 0 and n")
    p = cases / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    return Interval(p, max(0.0, centre - half), min(1.0, centre + half))


def rate_ratio(a: int, n1: int, c: int, n0: int, z: float = Z95) -> Interval | None:
    """Risk in a group (a of n1) over the rest (c of n0), Katz's log interval; None when a
    ratio cannot be estimated (no cases on one side)."""
    if a == 0 or c == 0 or n1 <= 0 or n0 <= 0:
        return None
    ratio = (a / n1) / (c / n0)
    se = math.sqrt(1 / a - 1 / n1 + 1 / c - 1 / n0)
    return Interval(ratio, ratio * math.exp(-z * se), ratio * math.exp(z * se))


@dataclass(frozen=True)
class Disproportionality:
    """One 2x2 table of reports: a (this exposure, this event), b (this exposure, other
    events), c (other exposures, this event), d (other exposures, other events)."""

    a: int
    b: int
    c: int
    d: int
    prr: float | None
    chi_square: float  # Pearson's, with Yates' correction, as Evans 2001 used
    ror: Interval | None
    ic: float
    ic025: float

    def evans(self, prr_min: float, chi_square_min: float, cases_min: int) -> bool:
        """Evans 2001: PRR >= 2, chi-square >= 4, at least 3 cases."""
        return (
            self.prr is not None
            and self.prr >= prr_min
            and self.chi_square >= chi_square_min
            and self.a >= cases_min
        )


def chi_square_yates(a: int, b: int, c: int, d: int) -> float:
    n = a + b + c + d
    rows = (a + b, c + d)
    cols = (a + c, b + d)
    if 0 in rows or 0 in cols:
        return 0.0
    numerator = n * max(0.0, abs(a * d - b * c) - n / 2) ** 2
    return numerator / (rows[0] * rows[1] * cols[0] * cols[1])


def disproportionality(a: int, b: int, c: int, d: int, z: float = Z95) -> Disproportionality:
    """PRR = (a/(a+b)) / (c/(c+d)); ROR = ad/bc with its log interval; IC = log2 of observed
    over expected with Noren's shrinkage (+0.5) and the closed-form IC025 (Noren 2013)."""
    if min(a, b, c, d) < 0:
        raise ValueError("counts cannot be negative")
    prr = None
    if a + b > 0 and c > 0 and c + d > 0:
        prr = (a / (a + b)) / (c / (c + d))
    ror = None
    if min(a, b, c, d) > 0:
        estimate = (a * d) / (b * c)
        se = math.sqrt(1 / a + 1 / b + 1 / c + 1 / d)
        ror = Interval(estimate, estimate * math.exp(-z * se), estimate * math.exp(z * se))
    n = a + b + c + d
    expected = (a + b) * (a + c) / n if n else 0.0
    ic = math.log2((a + 0.5) / (expected + 0.5))
    ic025 = ic - 3.3 * (a + 0.5) ** -0.5 - 2 * (a + 0.5) ** -1.5
    return Disproportionality(a, b, c, d, prr, chi_square_yates(a, b, c, d), ror, ic, ic025)


# ---------------------------------------------------------------- Poisson maxSPRT


def poisson_llr(observed: float, expected: float) -> float:
    """The maxSPRT log-likelihood ratio for a raised rate: 0 unless more were observed than
    expected."""
    if expected <= 0 or observed <= expected:
        return 0.0
    return (expected - observed) + observed * math.log(observed / expected)


def _threshold_time(events: int, critical: float) -> float:
    """The largest expected count u < events at which `events` events still give
    LLR >= critical (the LLR falls as u grows). With x = u/events, the LLR equals critical
    where x - ln x = 1 + critical/events, solved by Lambert's W on its principal branch."""
    if critical <= 0:
        return float(events)  # any excess over expected is a signal
    x = -lambertw(-math.exp(-(1 + critical / events)), 0).real
    return float(events * min(1.0, max(0.0, x)))


def maxsprt_alpha(
    critical: float, horizon: float, min_events: int, stop_above: float = 1.0
) -> float:
    """The chance of a signal by expected count `horizon` under the null, with continuous
    monitoring and no signal before `min_events` events (exact, by the count's distribution at
    each threshold time; Kulldorff 2011). Stops early once the chance exceeds `stop_above`."""
    # alive[i]: probability that the count is low + i now and no signal was raised yet
    alive = np.array([1.0])
    low = 0
    now = 0.0
    events = max(1, min_events)
    while True:
        due = min(_threshold_time(events, critical), horizon)
        if due > now:
            # the count moves on by a Poisson step (its far tail dropped: below 1e-17);
            # reaching `events` by `due` would signal
            gap = due - now
            reach = min(events - low, int(gap + 12 * math.sqrt(gap) + 20))
            j = np.arange(reach)
            step = np.exp(j * math.log(gap) - gap - gammaln(j + 1))
            alive = np.convolve(alive, step)[: events - low]
            # counts below the bulk carry no probability worth keeping
            cut = int(np.searchsorted(np.cumsum(alive), 1e-17))
            alive, low = alive[cut:], low + cut
            now = due
        signalled = float(1.0 - alive.sum())
        if now >= horizon or signalled > stop_above:
            return signalled
        events += 1


HORIZON_STEPS_PER_DECADE = 8


def horizon_grid(horizon: float) -> float:
    """The smallest point of a log grid at or above `horizon`: critical values are cached on
    it, and a longer horizon only raises the critical value, so rounding up is conservative."""
    if horizon <= 0:
        raise ValueError("horizon must be positive")
    step = math.ceil(math.log10(horizon) * HORIZON_STEPS_PER_DECADE - 1e-9)
    return float(10 ** (step / HORIZON_STEPS_PER_DECADE))


# Above this horizon the exact calculation takes minutes (its cost grows as T^1.5); the
# critical value grows by about 0.37 per tenfold horizon there (10.71 at 500, 11.08 at 5,000
# for alpha 1e-4), so it is extended by 0.5 per tenfold: a little stricter than exact.
EXACT_HORIZON = 1000.0
GROWTH_PER_DECADE = 0.5
CRITICAL_MAX = 40.0  # far above any critical value of a surveillance report
CRITICAL_TOLERANCE = 1e-6


@lru_cache(maxsize=4096)
def maxsprt_critical_value(horizon: float, alpha: float, min_events: int) -> float:
    """The critical LLR that keeps the chance of a false signal by `horizon` at `alpha`."""
    if horizon <= 0:
        raise ValueError("horizon must be positive")
    if horizon > EXACT_HORIZON:
        exact = maxsprt_critical_value(EXACT_HORIZON, alpha, min_events)
        return exact + GROWTH_PER_DECADE * math.log10(horizon / EXACT_HORIZON)
    if maxsprt_alpha(0.0, horizon, min_events, alpha) <= alpha:
        return 0.0  # `min_events` alone keeps the false-signal chance under alpha

    def excess(critical: float) -> float:
        # on a log scale, where the chance falls about linearly with the critical value;
        # far below the root the calculation stops early (any value above alpha will do)
        chance = maxsprt_alpha(critical, horizon, min_events, 50 * alpha)
        return math.log(max(chance, 1e-300) / alpha)

    # Brent's method: a handful of evaluations, not the two dozen of a bisection; the root
    # is returned rounded up by its tolerance, so the chance stays at or under alpha
    root = brentq(excess, 0.0, CRITICAL_MAX, xtol=CRITICAL_TOLERANCE)
    return float(root) + CRITICAL_TOLERANCE
