"""The clinic's safety dashboard (admins): complication rates with their intervals, the
signals of the monitoring, the charts and a CSV of every rate. Thin: the service reads the
clinic's records (audited) and builds the report; the charts are the CLI's, as images."""

from __future__ import annotations

import base64

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from needlesafe.deps import KnowledgeDep, SessionActor, UowDep
from needlesafe.services import surveillance
from needlesafe.surveillance import plots
from needlesafe.web.common import header_context
from needlesafe.web.render import render

router = APIRouter(include_in_schema=False)

CHARTS = (
    ("trend", "Monitoring: cumulative events against expected, with the alarms"),
    ("rates_fitzpatrick", "Complications per 1,000 treatments by Fitzpatrick skin type"),
    ("rates_depth_band", "Complications per 1,000 treatments by needle depth"),
    ("rates_device", "Complications per 1,000 treatments by device"),
    ("rates_area", "Complications per 1,000 treatments by area"),
)


def _image(chart: object) -> str:
    """An SVG chart as a data URL for an <img>: text in it cannot run as markup there."""
    return "data:image/svg+xml;base64," + base64.b64encode(plots.svg(chart).encode()).decode()


@router.get("/surveillance", response_class=HTMLResponse)
def surveillance_page(
    request: Request, actor: SessionActor, uow: UowDep, knowledge: KnowledgeDep
) -> Response:
    report = surveillance.clinic_report(uow, actor=actor, knowledge=knowledge)
    images = []
    if report is not None:
        charts = plots.charts(report)
        images = [(title, _image(charts[name])) for name, title in CHARTS]
        images += [
            (f"Funnel plot: {name.removeprefix('funnel_').replace('_', ' ')}", _image(chart))
            for name, chart in charts.items()
            if name.startswith("funnel_")
        ]
    overall = [r for r in report.data["rates"] if r["dimension"] == "all"] if report else []
    return render(
        request,
        "surveillance.html",
        {
            **header_context(actor, uow),
            "report": report,
            "overall": overall,
            "images": images,
            "names": {code: c.label for code, c in knowledge.complications.items()},
        },
    )


@router.get("/surveillance/rates.csv", response_class=Response)
def surveillance_csv(actor: SessionActor, uow: UowDep, knowledge: KnowledgeDep) -> Response:
    report = surveillance.clinic_report(uow, actor=actor, knowledge=knowledge)
    body = surveillance.rates_csv(report) if report else ",".join(surveillance.RATE_COLUMNS)
    return Response(
        body,
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": 'attachment; filename="complication-rates.csv"',
            "Cache-Control": "no-store",
        },
    )
