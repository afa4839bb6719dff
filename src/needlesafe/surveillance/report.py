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

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from needlesafe.knowledge.surveillance_schema import SignalThresholds
from needlesafe.surveillance.queries import RISK_COLUMNS, Results
from needlesafe.surveillance.stats import (
    disproportionality,
    horizon_grid,
    maxsprt_critical_value,
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


def _strings(column: pa.ChunkedArray | pa.Array) -> pa.Array:
    """A column as one Arrow string array (engines differ in string types and chunking)."""
    if isinstance(column, pa.ChunkedArray):
        column = column.combine_chunks()
    return pc.cast(column, pa.string())


def _codes(*columns: pa.ChunkedArray) -> tuple[list[np.ndarray], list[Any]]:
    """One dictionary over the values of several columns: each column's codes into it (a
    missing value is a value of its own)."""
    both = pa.chunked_array([_strings(c) for c in columns], type=pa.string())
    encoded = pc.dictionary_encode(both, null_encoding="encode")
    codes = np.concatenate(
        [np.asarray(chunk.indices.to_numpy(zero_copy_only=False)) for chunk in encoded.chunks]
    ).astype(np.int64)
    dictionary = encoded.chunks[0].dictionary.to_pylist() if encoded.num_chunks else []
    out, start = [], 0
    for column in columns:
        out.append(codes[start : start + len(column)])
        start += len(column)
    return out, dictionary


def _numbers(column: pa.ChunkedArray) -> np.ndarray:
    return np.asarray(column.to_numpy(), dtype=float)


def _sum_by(index: np.ndarray, weights: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Weights summed into a dense array of `shape` at the flat positions `index`."""
    size = int(np.prod(shape))
    return np.bincount(index, weights=weights, minlength=size)[:size].reshape(shape)


def monitoring(
    results: Results, thresholds: SignalThresholds, complications: list[str]
) -> list[dict[str, Any]]:
    """A Poisson maxSPRT per lot, practitioner and device and complication, month by month.

    Expected counts are risk-adjusted: each month's treatments of the entity in a skin type
    and depth band times the rate the rest of the registry has in that stratum (the entity's
    own treatments left out; for a lot, the rest of its product's lots, so a product's own
    known risk does not make every one of its lots stand out), times the month's factor: how
    the rest did that month against its own rates, shrunk towards 1 by `MONTH_PRIOR` events
    (what everyone had that month, a burst from one lot or a device's bad period, does not make
    every other entity stand out). The critical value keeps the chance of any false alarm in
    the whole report at `maxsprt_alpha`, shared equally over the tests.

    Computed on dense arrays (entity x complication x month x stratum), not row by row:
    a registry of ten million treatments has about a million count rows."""
    exposure = results.tables["monitoring_exposure"]
    cases = results.tables["monitoring_cases"]
    (dim_e, dim_c), dims = _codes(exposure.column("dimension"), cases.column("dimension"))
    (val_e, val_c), values = _codes(exposure.column("value"), cases.column("value"))
    (grp_e, grp_c), groups = _codes(exposure.column("product"), cases.column("product"))
    (mon_e, mon_c), month_names = _codes(exposure.column("month"), cases.column("month"))
    strata_codes = []
    strata_sizes = []
    for column in RISK_COLUMNS:
        (code_e, code_c), names = _codes(exposure.column(column), cases.column(column))
        strata_codes.append((code_e, code_c))
        strata_sizes.append(max(1, len(names)))
    # one stratum index from the risk columns' codes
    str_e = np.zeros(exposure.num_rows, dtype=np.int64)
    str_c = np.zeros(cases.num_rows, dtype=np.int64)
    for (code_e, code_c), size in zip(strata_codes, strata_sizes, strict=True):
        str_e = str_e * size + code_e
        str_c = str_c * size + code_c
    n_strata = int(np.prod(strata_sizes))
    known = {code: i for i, code in enumerate(complications)}
    (com_c,), complication_names = _codes(cases.column("complication"))
    com_map = np.array([known.get(name, -1) for name in complication_names] or [-1])
    com_c = com_map[com_c] if cases.num_rows else com_c
    n_exp = _numbers(exposure.column("treatments"))
    n_cases = _numbers(cases.column("cases"))

    # the months monitored: those any monitored entity was treated in, in order
    def dim_code(name: str) -> int:
        return dims.index(name) if name in dims else -2

    entity_dims = {dim_code(name) for name in (*ENTITY_DIMENSIONS,)} - {-2}
    null_value = values.index(None) if None in values else -2
    is_entity_e = np.isin(dim_e, list(entity_dims)) & (val_e != null_value)
    is_entity_c = np.isin(dim_c, list(entity_dims)) & (val_c != null_value)
    # the comparison groups' totals: every treatment (group 'all': the sum over every
    # practitioner, a missing one included) and each product (the sum over its lots)
    in_group_e = np.isin(dim_e, [dim_code("practitioner"), dim_code("lot")])
    in_group_c = np.isin(dim_c, [dim_code("practitioner"), dim_code("lot")]) & (com_c >= 0)
    months_present = sorted(
        {month_names[i] for i in np.unique(mon_e[is_entity_e])},
        key=lambda m: "" if m is None else str(m),
    )
    if not months_present:
        return []
    month_index = np.full(len(month_names), -1, dtype=np.int64)
    for i, name in enumerate(month_names):
        if name in months_present:
            month_index[i] = months_present.index(name)
    n_months, n_complications, n_groups = len(months_present), len(complications), len(groups)

    # entities: (dimension, value, product) of the monitored rows
    keys_e = (dim_e * len(values) + val_e) * n_groups + grp_e
    keys_c = (dim_c * len(values) + val_c) * n_groups + grp_c
    entity_keys, entity_of_e = np.unique(keys_e[is_entity_e], return_inverse=True)
    n_entities = len(entity_keys)
    entity_of_c = np.searchsorted(entity_keys, keys_c[is_entity_c])
    found = (entity_of_c < n_entities) & (
        entity_keys[np.minimum(entity_of_c, n_entities - 1)] == keys_c[is_entity_c]
    )
    entity_group = entity_keys % n_groups
    m_e, m_c = month_index[mon_e], month_index[mon_c]

    # treatments: each entity's by month and stratum, each group's by month and stratum
    rows = is_entity_e & (m_e >= 0)
    sel = rows[is_entity_e]
    n_ems = _sum_by(
        (entity_of_e[sel] * n_months + m_e[rows]) * n_strata + str_e[rows],
        n_exp[rows],
        (n_entities, n_months, n_strata),
    )
    rows = in_group_e & (m_e >= 0)
    n_gms = _sum_by(
        (grp_e[rows] * n_months + m_e[rows]) * n_strata + str_e[rows],
        n_exp[rows],
        (n_groups, n_months, n_strata),
    )
    # cases: each entity's by complication and month, and by complication and stratum; each
    # group's the same
    rows = np.flatnonzero(is_entity_c)[found]
    ent = entity_of_c[found]
    keep = (com_c[rows] >= 0) & (m_c[rows] >= 0)
    rows, ent = rows[keep], ent[keep]
    o_ecm = _sum_by(
        (ent * n_complications + com_c[rows]) * n_months + m_c[rows],
        n_cases[rows],
        (n_entities, n_complications, n_months),
    )
    o_ecs = _sum_by(
        (ent * n_complications + com_c[rows]) * n_strata + str_c[rows],
        n_cases[rows],
        (n_entities, n_complications, n_strata),
    )
    rows = in_group_c & (m_c >= 0)
    c_gcm = _sum_by(
        (grp_c[rows] * n_complications + com_c[rows]) * n_months + m_c[rows],
        n_cases[rows],
        (n_groups, n_complications, n_months),
    )
    c_gcs = _sum_by(
        (grp_c[rows] * n_complications + com_c[rows]) * n_strata + str_c[rows],
        n_cases[rows],
        (n_groups, n_complications, n_strata),
    )

    # the rest's rate in each stratum: its group without the entity's own treatments and cases
    rest_n = n_gms.sum(axis=1)[entity_group] - n_ems.sum(axis=1)  # (E, S)
    rest_cases = c_gcs[entity_group] - o_ecs  # (E, C, S)
    with np.errstate(divide="ignore", invalid="ignore"):
        rest_rate = np.where(rest_n[:, None, :] > 0, rest_cases / rest_n[:, None, :], 0.0)
    own_expected = np.einsum("ems,ecs->ecm", n_ems, rest_rate)
    rest_expected = np.einsum("ems,ecs->ecm", n_gms[entity_group] - n_ems, rest_rate)
    rest_observed = c_gcm[entity_group] - o_ecm
    factor = (rest_observed + MONTH_PRIOR) / (rest_expected + MONTH_PRIOR)
    expected = factor * own_expected  # (E, C, M)

    horizon = expected.sum(axis=2)
    tested = horizon > 0
    tests = int(tested.sum())
    alpha = _round_down(thresholds.maxsprt_alpha / max(1, tests))
    cum_o = np.cumsum(o_ecm, axis=2)
    cum_e = np.cumsum(expected, axis=2)
    with np.errstate(divide="ignore", invalid="ignore"):
        llr = np.where(
            (cum_e > 0) & (cum_o > cum_e),
            (cum_e - cum_o) + cum_o * np.log(np.where(cum_o > 0, cum_o, 1) / cum_e),
            0.0,
        )
    grid = {h: horizon_grid(h) for h in np.unique(horizon[tested]).tolist()}
    critical_of = {
        g: maxsprt_critical_value(g, alpha, thresholds.maxsprt_min_events)
        for g in sorted(set(grid.values()))
    }
    critical = np.zeros_like(horizon)
    for e, c in zip(*np.nonzero(tested), strict=True):
        critical[e, c] = critical_of[grid[float(horizon[e, c])]]
    alarms = (cum_o >= thresholds.maxsprt_min_events) & (llr >= critical[:, :, None])
    alarms &= tested[:, :, None]

    out = []
    for e, c in zip(*np.nonzero(tested), strict=True):
        key = int(entity_keys[e])
        dimension = dims[key // n_groups // len(values)]
        value = str(values[key // n_groups % len(values)])
        months_alarmed = np.flatnonzero(alarms[e, c])
        test: dict[str, Any] = {
            "dimension": dimension,
            "value": value,
            "complication": complications[c],
            "observed": int(cum_o[e, c, -1]),
            "expected": _round(float(cum_e[e, c, -1])),
            "llr": _round(float(llr[e, c, -1])),
            "critical_value": _round(float(critical[e, c])),
            "alpha_per_test": alpha,
            "alarm_month": months_present[months_alarmed[0]] if len(months_alarmed) else None,
        }
        if len(months_alarmed):
            test["series"] = [
                {
                    "month": month,
                    "observed": int(cum_o[e, c, i]),
                    "expected": _round(float(cum_e[e, c, i])),
                    "llr": _round(float(llr[e, c, i])),
                }
                for i, month in enumerate(months_present)
            ]
        out.append(test)
    # the same order whatever order the engine gave
    out.sort(key=lambda t: (t["dimension"], t["value"], t["complication"]))
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
            if "series" in t
        },
    }
    return Report(data)
