"""The report's charts (Altair; PNG and SVG rendered offline by vl-convert): rates with their
intervals by stratum, the monitoring trend with its alarms, and funnel plots of practitioners
and lots. The dashboard embeds the same SVGs."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import altair as alt
from scipy.stats import binom

from needlesafe.surveillance.report import Report

STRATA = ("fitzpatrick", "depth_band", "device", "area")
FUNNEL_DIMENSIONS = ("practitioner", "lot")
WIDTH = 220
# exact binomial limits (a normal approximation is wrong for events this rare)
LIMITS = {"low998": 0.001, "low95": 0.025, "high95": 0.975, "high998": 0.999}


def _data(rows: list[dict[str, Any]]) -> Any:
    """Inline data for a chart (a list of records; no pandas needed)."""
    return alt.Data(values=rows)  # type: ignore[no-untyped-call]  # altair is untyped


def _fields(rows: list[dict[str, Any]], names: tuple[str, ...]) -> list[dict[str, Any]]:
    """Only the fields a chart draws (a smaller spec renders faster)."""
    return [{name: row[name] for name in names} for row in rows]


RATE_FIELDS = (
    "value", "complication", "cases", "treatments", "per_1000", "low_per_1000", "high_per_1000",
)  # fmt: skip


def rates_chart(report: Report, dimension: str) -> Any:
    rows = _fields([r for r in report.data["rates"] if r["dimension"] == dimension], RATE_FIELDS)
    base = alt.Chart(_data(rows)).encode(
        y=alt.Y("value:N", title=dimension.replace("_", " "), sort="ascending"),
    )
    bars = base.mark_rule(strokeWidth=2, color="#4c78a8").encode(
        x=alt.X("low_per_1000:Q", title="per 1,000 treatments (95% CI)"),
        x2="high_per_1000:Q",
    )
    points = base.mark_point(filled=True, size=40, color="#1f3b57").encode(
        x="per_1000:Q",
        tooltip=["value:N", "cases:Q", "treatments:Q", "per_1000:Q", "low_per_1000:Q",
                 "high_per_1000:Q"],
    )  # fmt: skip
    return (
        alt.layer(bars, points)
        .properties(width=WIDTH, height=alt.Step(16))
        .facet(facet=alt.Facet("complication:N", title=None), columns=5)
        .resolve_scale(x="independent")
        .properties(title=f"Complications per 1,000 treatments by {dimension.replace('_', ' ')}")
    )


def trend_chart(report: Report) -> Any:
    """Cumulative observed and expected events per alarmed test, month by month, with a rule
    at the month of the alarm."""
    rows = []
    for signal in report.signals:
        who = signal.get("lot") or signal.get("practitioner_id") or signal.get("device_id")
        name = f"{signal['dimension']} {who}: {signal['complication']}"
        key = f"{signal['dimension']}:{who}:{signal['complication']}"
        for point in report.data["monitoring_series"].get(key, []):
            rows.append({"test": name, "month": point["month"], "kind": "observed",
                         "events": point["observed"],
                         "alarm": point["month"] == signal["alarm_month"]})  # fmt: skip
            rows.append({"test": name, "month": point["month"], "kind": "expected",
                         "events": point["expected"]})  # fmt: skip
    if not rows:
        return (
            alt.Chart(_data([{"text": "No monitoring alarm in this period"}]))
            .mark_text(size=14)
            .encode(text="text:N")
            .properties(width=400, height=60, title="Monitoring (maxSPRT): no alarms")
        )
    lines = (
        alt.Chart()
        .mark_line(point=True)
        .encode(
            x=alt.X("month:O", title="month of treatment"),
            y=alt.Y("events:Q", title="cumulative events"),
            color=alt.Color(
                "kind:N",
                scale=alt.Scale(domain=["observed", "expected"], range=["#d62728", "#7f7f7f"]),
            ),
        )
    )
    # the alarm rides on its own test's rows, so each panel shows its own month
    rule = (
        alt.Chart()
        .transform_filter("datum.alarm")
        .mark_rule(strokeDash=[4, 3], color="#d62728")
        .encode(x="month:O")
    )
    return (
        alt.layer(lines, rule, data=_data(rows))
        .properties(width=360, height=180)
        .facet(facet=alt.Facet("test:N", title=None), columns=2)
        .resolve_scale(y="independent")
        .properties(title="Monitoring: cumulative events against expected; dashed: the alarm")
    )


def funnel_chart(report: Report, dimension: str, complication: str) -> Any:
    """Each practitioner's (or lot's) rate against its number of treatments, inside the 95%
    and 99.8% limits around the overall rate (exact binomial): a point above the funnel
    stands out."""
    overall = next(
        r
        for r in report.data["rates"]
        if r["dimension"] == "all" and r["complication"] == complication
    )
    p = overall["cases"] / overall["treatments"]
    rows = _fields(
        [
            r
            for r in report.data["rates"]
            if r["dimension"] == dimension and r["complication"] == complication
        ],
        ("value", "treatments", "cases", "per_1000"),
    )
    largest = max((r["treatments"] for r in rows), default=10)
    smallest = max(1, min((r["treatments"] for r in rows), default=1))
    limits = []
    steps = 60
    low_n, high_n = smallest / 1.5, largest * 1.5
    for i in range(steps + 1):
        n = low_n * (high_n / low_n) ** (i / steps)
        whole = max(1, round(n))
        limits.append({
            "treatments": n,
            **{name: 1000 * binom.ppf(q, whole, p) / whole for name, q in LIMITS.items()},
        })  # fmt: skip
    x = alt.X(
        "treatments:Q",
        title="treatments (log scale)",
        scale=alt.Scale(type="log", domain=[low_n, high_n], nice=False),
        # log ticks crowd below each power of ten: drop those that would touch
        axis=alt.Axis(labelOverlap="greedy", labelSeparation=8),
    )
    band998 = (
        alt.Chart(_data(limits))
        .mark_area(opacity=0.15, color="#4c78a8")
        .encode(x=x, y="low998:Q", y2="high998:Q")
    )
    band95 = (
        alt.Chart(_data(limits))
        .mark_area(opacity=0.25, color="#4c78a8")
        .encode(x=x, y="low95:Q", y2="high95:Q")
    )
    mean = alt.Chart(_data([{"rate": 1000 * p}])).mark_rule(color="#1f3b57").encode(y="rate:Q")
    points = (
        alt.Chart(_data(rows))
        .mark_point(filled=True, size=30, color="#d62728")
        .encode(
            x=x,
            y=alt.Y("per_1000:Q", title=f"{complication.replace('_', ' ')} per 1,000"),
            tooltip=["value:N", "treatments:Q", "cases:Q", "per_1000:Q"],
        )
    )
    return alt.layer(band998, band95, mean, points).properties(
        width=520,
        height=300,
        title=f"Funnel plot: {complication.replace('_', ' ')} by {dimension} "
        "(bands: 95% and 99.8% around the overall rate)",
    )


def charts(report: Report) -> dict[str, Any]:
    """Every chart of the report by file name (without extension)."""
    found: dict[str, Any] = {f"rates_{d}": rates_chart(report, d) for d in STRATA}
    found["trend"] = trend_chart(report)
    pairs = {(s["dimension"], s["complication"]) for s in report.signals}
    pairs |= {("practitioner", "scarring"), ("lot", "granuloma")}
    for dimension, complication in sorted(pairs):
        if dimension in FUNNEL_DIMENSIONS:
            found[f"funnel_{dimension}_{complication}"] = funnel_chart(
                report, dimension, complication
            )
    return found


def svg(chart: Any) -> str:
    import vl_convert as vlc

    text: str = vlc.vegalite_to_svg(chart.to_dict(validate=False))
    return text


def write_all(report: Report, out: Path) -> list[Path]:
    import vl_convert as vlc

    folder = out / "plots"
    folder.mkdir(parents=True, exist_ok=True)

    def draw(item: tuple[str, Any]) -> list[Path]:
        name, chart = item
        text = svg(chart)  # rendered once; the PNG is drawn from the same SVG
        (folder / f"{name}.svg").write_text(text, encoding="utf-8")
        (folder / f"{name}.png").write_bytes(vlc.svg_to_png(text, scale=2))
        return [folder / f"{name}.svg", folder / f"{name}.png"]

    # two at a time: vl-convert renders outside Python's lock, so one chart's PNG is drawn
    # while the next one's SVG is laid out
    with ThreadPoolExecutor(max_workers=2) as pool:
        return [path for paths in pool.map(draw, charts(report).items()) for path in paths]
