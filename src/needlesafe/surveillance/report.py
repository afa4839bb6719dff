"""The surveillance report: from the engines' counts to rates, onsets, screening and signals.

Rates lead: complications per 1,000 treatments with Wilson intervals by every stratum, and the
rate ratio of each stratum value against the rest. Disproportionality screens the reports
(Evans' PRR rule, ROR, IC025). The signals come from prospective monitoring: a Poisson maxSPRT
per lot, practitioner and device and complication, month by month, against the rate the rest
of the registry has in the same skin type and depth band; its alpha is shared out over every
test of the report (Bonferroni), so data without a signal raises one no more often than alpha.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import pyarrow as pa

from needlesafe.knowledge.surveillance_schema import SignalThresholds
from needlesafe.surveillance.queries import Results
from needlesafe.surveillance.stats import (
    disproportionality,
    horizon_grid,
    maxsprt_critical_value,
    poisson_llr,
    rate_ratio,
    wilson,
)

ENTITY_DIMENSIONS = ("lot", "practitioner", "device")
# events' worth of prior belief that a month is like any other (the month factor's shrinkage)
MONTH_PRIOR = 10.0
ID_FIELD = {"lot": "lot", "practitioner": "practitioner_id", "device": "device_id"}


def _rows(table: pa.Table) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = table.to_pylist()
    return rows


def _round(value: float | None, digits: int = 3) -> float | None:
    return None if value is None else round(value, digits)


def _round_down(alpha: float) -> float:
    """Alpha down to two significant digits: a little stricter, and reports with about as
    many tests share their cached critical values."""
    scale = 10.0 ** (math.floor(math.log10(alpha)) - 1)
    return float(math.floor(alpha / scale) * scale)


@dataclass(frozen=True)
class Report:
    """The report as plain data (JSON-ready)."""

    data: dict[str, Any]

    @property
    def signals(self) -> list[dict[str, Any]]:
        signals: list[dict[str, Any]] = self.data["signals"]
        return signals


def rates(results: Results, complications: list[str]) -> list[dict[str, Any]]:
    counts = {
        (r["dimension"], r["value"]): r["treatments"]
        for r in _rows(results.tables["strata_counts"])
    }
    cases = {
        (r["dimension"], r["value"], r["complication"]): r["cases"]
        for r in _rows(results.tables["strata_cases"])
    }
    total = counts[("all", "all")]
    out = []
    for (dimension, value), n in sorted(counts.items(), key=lambda kv: (kv[0][0], str(kv[0][1]))):
        if value is None or n == 0:
            continue
        for complication in complications:
            a = cases.get((dimension, value, complication), 0)
            interval = wilson(a, n)
            ratio = None
            if dimension != "all":
                c = cases.get(("all", "all", complication), 0) - a
                ratio = rate_ratio(a, n, c, total - n)
            out.append(
                {
                    "dimension": dimension,
                    "value": str(value),
                    "complication": complication,
                    "treatments": n,
                    "cases": a,
                    "per_1000": _round(1000 * interval.estimate),
                    "low_per_1000": _round(1000 * interval.low),
                    "high_per_1000": _round(1000 * interval.high),
                    "rate_ratio": _round(ratio.estimate) if ratio else None,
                    "rate_ratio_low": _round(ratio.low) if ratio else None,
                    "rate_ratio_high": _round(ratio.high) if ratio else None,
                }
            )
    return out


def onsets(results: Results) -> list[dict[str, Any]]:
    """Days from treatment to the first sign: median, quartiles and range per complication."""
    days: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for row in _rows(results.tables["onset"]):
        days[row["complication"]].append((row["onset_days"], row["events"]))
    out = []
    for complication, counts in sorted(days.items()):
        counts.sort()
        total = sum(c for _, c in counts)

        def quantile(q: float, counts: list[tuple[int, int]] = counts, total: int = total) -> int:
            """The lower empirical quantile: the first day with at least q of the events."""
            running = 0
            for day, count in counts:
                running += count
                if running >= q * total:
                    return day
            return counts[-1][0]

        out.append(
            {
                "complication": complication,
                "events": total,
                "median_days": quantile(0.5),
                "q1_days": quantile(0.25),
                "q3_days": quantile(0.75),
                "min_days": counts[0][0],
                "max_days": counts[-1][0],
            }
        )
    return out


def screening(
    results: Results, thresholds: SignalThresholds, complications: list[str]
) -> dict[tuple[str, str, str], dict[str, Any]]:
    """Disproportionality of each lot, practitioner and device and complication among the
    reports (a treatment with a complication is one report)."""
    cases = _rows(results.tables["strata_cases"])
    by_entity: dict[tuple[str, str], dict[str, int]] = defaultdict(dict)
    overall: dict[str, int] = {}
    for row in cases:
        if row["dimension"] == "all":
            overall[row["complication"]] = row["cases"]
        elif row["dimension"] in ENTITY_DIMENSIONS and row["value"] is not None:
            by_entity[(row["dimension"], str(row["value"]))][row["complication"]] = row["cases"]
    reports = sum(overall.values())
    out = {}
    for (dimension, value), events in by_entity.items():
        entity_reports = sum(events.values())
        for complication, a in events.items():
            b = entity_reports - a
            c = overall.get(complication, 0) - a
            d = reports - a - b - c
            found = disproportionality(a, b, c, d)
            out[(dimension, value, complication)] = {
                "reports": a,
                "prr": _round(found.prr),
                "chi_square": _round(found.chi_square),
                "ror": _round(found.ror.estimate) if found.ror else None,
                "ror_low": _round(found.ror.low) if found.ror else None,
                "ror_high": _round(found.ror.high) if found.ror else None,
                "ic": _round(found.ic),
                "ic025": _round(found.ic025),
                "evans": found.evans(
                    thresholds.prr_min, thresholds.chi_square_min, thresholds.cases_min
                ),
                "ic025_above": found.ic025 > thresholds.ic025_min,
            }
    return out


def monitoring(
    results: Results, thresholds: SignalThresholds, complications: list[str]
) -> list[dict[str, Any]]:
    """A Poisson maxSPRT per lot, practitioner and device and complication, month by month.

    Expected counts are risk-adjusted: each month's treatments of the entity in a skin type
    and depth band times the rate the rest of the registry has in that stratum (the entity's
    own treatments left out; for a lot, the rest of its product's lots, so a product's own
    known risk does not make every one of its lots stand out). The critical value keeps the
    chance of any false alarm in the whole report at `maxsprt_alpha`, shared equally over the
    tests."""
    # the comparison group of each entity: every treatment ("all"), or for a lot the
    # treatments with its product
    exposure: dict[tuple[str, str], dict[str, dict[tuple[str, str], int]]] = defaultdict(
        lambda: defaultdict(dict)
    )
    group_of: dict[tuple[str, str], str] = {}
    group_n: dict[str, dict[tuple[str, str], int]] = defaultdict(lambda: defaultdict(int))
    group_nm: dict[tuple[str, str], dict[tuple[str, str], int]] = defaultdict(
        lambda: defaultdict(int)
    )
    for row in _rows(results.tables["monitoring_exposure"]):
        stratum = (row["fitzpatrick"], row["depth_band"])
        if row["dimension"] in ("all", "product"):
            group_n[row["product"]][stratum] += row["treatments"]
            group_nm[(row["product"], row["month"])][stratum] += row["treatments"]
        elif row["value"] is not None:
            entity = (row["dimension"], str(row["value"]))
            exposure[entity][row["month"]][stratum] = row["treatments"]
            group_of[entity] = row["product"]
    observed: dict[tuple[str, str, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    entity_cases: dict[tuple[str, str, str], dict[tuple[str, str], int]] = defaultdict(
        lambda: defaultdict(int)
    )
    group_cases: dict[tuple[str, str, tuple[str, str]], int] = defaultdict(int)
    group_cases_m: dict[tuple[str, str, str], int] = defaultdict(int)
    for row in _rows(results.tables["monitoring_cases"]):
        stratum = (row["fitzpatrick"], row["depth_band"])
        if row["dimension"] in ("all", "product"):
            group_cases[(row["product"], row["complication"], stratum)] += row["cases"]
            group_cases_m[(row["product"], row["complication"], row["month"])] += row["cases"]
        elif row["value"] is not None:
            test = (row["dimension"], str(row["value"]), row["complication"])
            observed[test][row["month"]] += row["cases"]
            entity_cases[test][stratum] += row["cases"]
    months = sorted({m for per_month in exposure.values() for m in per_month})

    plans = []
    for (dimension, value), per_month in exposure.items():
        group = group_of[(dimension, value)]
        entity_n: dict[tuple[str, str], int] = defaultdict(int)
        for strata in per_month.values():
            for stratum, n in strata.items():
                entity_n[stratum] += n
        for complication in complications:
            key = (dimension, value, complication)
            rest_rate = {}
            for stratum, n in group_n[group].items():
                rest_n = n - entity_n.get(stratum, 0)
                rest_cases = group_cases.get((group, complication, stratum), 0) - entity_cases[
                    key
                ].get(stratum, 0)
                rest_rate[stratum] = rest_cases / rest_n if rest_n > 0 else 0.0
            expected_by_month = {}
            for month in months:
                own = per_month.get(month, {})
                # the month's factor: how the rest did this month against its own average,
                # so what everyone had this month (a burst from one lot, a device's bad
                # period) does not make every other entity stand out; shrunk towards 1
                rest_expected = sum(
                    (n - own.get(s, 0)) * rest_rate.get(s, 0.0)
                    for s, n in group_nm[(group, month)].items()
                )
                rest_observed = group_cases_m[(group, complication, month)] - observed[key].get(
                    month, 0
                )
                factor = (rest_observed + MONTH_PRIOR) / (rest_expected + MONTH_PRIOR)
                expected_by_month[month] = factor * sum(
                    n * rest_rate.get(s, 0.0) for s, n in own.items()
                )
            horizon = sum(expected_by_month.values())
            if horizon <= 0:
                continue
            plans.append((key, expected_by_month, horizon))
    tests = len(plans)
    alpha = _round_down(thresholds.maxsprt_alpha / max(1, tests))
    out = []
    plans.sort(key=lambda plan: plan[0])  # the same order whatever order the engine gave
    for (dimension, value, complication), expected_by_month, horizon in plans:
        critical = maxsprt_critical_value(
            horizon_grid(horizon), alpha, thresholds.maxsprt_min_events
        )
        cumulative_o, cumulative_e = 0, 0.0
        alarm_month = None
        series = []
        for month in months:
            cumulative_o += observed[(dimension, value, complication)].get(month, 0)
            cumulative_e += expected_by_month[month]
            llr = poisson_llr(cumulative_o, cumulative_e)
            alarm = cumulative_o >= thresholds.maxsprt_min_events and llr >= critical
            if alarm and alarm_month is None:
                alarm_month = month
            series.append(
                {
                    "month": month,
                    "observed": cumulative_o,
                    "expected": _round(cumulative_e),
                    "llr": _round(llr),
                }
            )
        out.append(
            {
                "dimension": dimension,
                "value": value,
                "complication": complication,
                "observed": cumulative_o,
                "expected": _round(cumulative_e),
                "llr": series[-1]["llr"] if series else 0.0,
                "critical_value": _round(critical),
                "alpha_per_test": alpha,
                "alarm_month": alarm_month,
                "series": series,
            }
        )
    return out


def build_report(
    results: Results,
    *,
    thresholds: SignalThresholds,
    complications: list[str],
    knowledge_version: str,
) -> Report:
    rate_rows = rates(results, complications)
    screened = screening(results, thresholds, complications)
    monitored = monitoring(results, thresholds, complications)
    signals = []
    for test in monitored:
        if test["alarm_month"] is None:
            continue
        key = (test["dimension"], test["value"], test["complication"])
        rate = next(
            (
                r
                for r in rate_rows
                if r["dimension"] == test["dimension"]
                and r["value"] == test["value"]
                and r["complication"] == test["complication"]
            ),
            None,
        )
        signals.append(
            {
                "dimension": test["dimension"],
                ID_FIELD[test["dimension"]]: test["value"],
                "complication": test["complication"],
                "method": "maxsprt_poisson",
                "alarm_month": test["alarm_month"],
                "observed": test["observed"],
                "expected": test["expected"],
                "llr": test["llr"],
                "critical_value": test["critical_value"],
                "per_1000": rate["per_1000"] if rate else None,
                "rate_ratio": rate["rate_ratio"] if rate else None,
                "rate_ratio_low": rate["rate_ratio_low"] if rate else None,
                "rate_ratio_high": rate["rate_ratio_high"] if rate else None,
                "disproportionality": screened.get(key),
            }
        )
    signals.sort(key=lambda s: (s["alarm_month"], -s["llr"], s["dimension"], s["complication"]))
    overall = {r["complication"]: r for r in rate_rows if r["dimension"] == "all"}
    treatments = next(iter(overall.values()))["treatments"] if overall else 0
    months = sorted({r["value"] for r in rate_rows if r["dimension"] == "month"})
    data = {
        "engine": results.engine,
        "knowledge_version": knowledge_version,
        "treatments": treatments,
        "period": {"first_month": months[0], "last_month": months[-1]} if months else None,
        "timings_s": {k: round(v, 3) for k, v in results.timings.items()},
        "thresholds": thresholds.model_dump(exclude={"sources"}),
        "signals": signals,
        "rates": rate_rows,
        "onset": onsets(results),
        "screening": [
            {"dimension": d, ID_FIELD[d]: v, "complication": c, **figures}
            for (d, v, c), figures in sorted(screened.items())
            if figures["evans"] and figures["ic025_above"]
        ],
        "monitoring": [{k: v for k, v in t.items() if k != "series"} for t in monitored],
        "monitoring_series": {
            f"{t['dimension']}:{t['value']}:{t['complication']}": t["series"]
            for t in monitored
            if t["alarm_month"] is not None
        },
    }
    return Report(data)
