"""`needlesafe aftercare FILE`: the day-by-day aftercare plan, as text, JSON or a calendar."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import BaseModel
from rich.console import Console
from rich.markup import escape

from needlesafe.cli.common import fail, knowledge_or_exit, parse_document, read_text, run_engine
from needlesafe.documents.calendar import aftercare_calendar
from needlesafe.engine.aftercare import (
    AftercarePlan,
    AftercareRequest,
    aftercare_of,
    plan_from_request,
)
from needlesafe.engine.inputs import parse
from needlesafe.errors import InputError
from needlesafe.knowledge.base import Knowledge

ACTION_STYLE = {"emergency": "bold red", "urgent": "red", "contact_clinic": "yellow"}


def compute_plan(data: Any, knowledge: Knowledge) -> AftercarePlan:
    """Parse a request and plan it; a request without a treatment date is for today."""
    request = parse(AftercareRequest, data, knowledge)
    return plan_from_request(request, knowledge, default_date=dt.date.today())


def _date(day: dt.date) -> str:
    return f"{day:%a} {day.day} {day:%b %Y}"


def render_plan(result: BaseModel, knowledge: Knowledge, console: Console) -> None:
    assert isinstance(result, AftercarePlan)  # we computed it
    plan = result
    labels = aftercare_of(knowledge).labels
    console.print(f"[bold]{labels.title}[/]  treatment on {_date(plan.treatment_date)}")
    console.print(escape(plan.intro))
    console.print(f"[dim]needle depth: {plan.depth_band_label}[/]")
    if plan.screening_decision.value in ("defer", "do_not_treat"):
        console.print(
            f"[bold red]Screening says {plan.screening_decision.value}:[/] this plan assumes "
            "the treatment goes ahead; run `needlesafe screen` on the same intake."
        )
    for day in plan.days:
        console.print(f"\n[bold cyan]{day.title}[/] [dim]{_date(day.date)}[/]")
        for kind, style in (("normal", "green"), ("do", "cyan"), ("avoid", "magenta")):
            entries = getattr(day, kind)
            if not entries:
                continue
            console.print(f"  [{style}]{getattr(labels, kind)}[/]")
            for entry in entries:
                until = ""
                if kind == "avoid":
                    until = " [dim](" + labels.until.replace("{date}", _date(entry.until_date))
                    until += ")[/]"
                console.print(f"    - {escape(entry.text)}{until}")
    longer = [i for i in plan.items if i.to_day > plan.days[-1].day]
    if longer:
        console.print("\n[bold]Keep going after that[/]")
        for item in longer:
            until = labels.until.replace("{date}", _date(item.to_date))
            console.print(f"  - {escape(item.text)} [dim]({until})[/]")
    if plan.milestones:
        console.print("\n[bold]Good to know[/]")
        for m in plan.milestones:
            console.print(f"  {_date(m.date)}: {escape(m.text)}")
    console.print(f"\n[bold]{labels.follow_ups}[/]")
    for f in plan.follow_ups:
        console.print(f"  {_date(f.date)} (day {f.day}): {escape(f.text)}")
    console.print(f"\n[bold]{labels.red_flags}[/]")
    for flag in plan.red_flags:
        style = ACTION_STYLE[flag.action]
        console.print(f"  [{style}]- {escape(flag.text)}[/] {escape(flag.action_text)}")
    console.print(f"\n[dim]knowledge {plan.knowledge_version}[/]")


def aftercare_command(
    file: Annotated[
        str,
        typer.Argument(
            help="An intake plus an optional treatment_date (.json/.yaml), a .jsonl batch, "
            "or - for stdin."
        ),
    ],
    as_json: Annotated[bool, typer.Option("--json", help="Print the plan as JSON.")] = False,
    ics: Annotated[
        str | None,
        typer.Option(
            "--ics", metavar="OUT", help="Write the reminders as an .ics file (- for stdout)."
        ),
    ] = None,
) -> None:
    """Print the day-by-day aftercare plan; --ics writes its calendar of reminders."""
    if ics is None or file.endswith(".jsonl"):
        if ics is not None:
            fail("--ics needs a single request, not a .jsonl batch")
        run_engine(file=file, as_json=as_json, compute=compute_plan, render=render_plan)
        return
    knowledge = knowledge_or_exit()
    text = read_text(file)
    try:
        plan = compute_plan(parse_document(text, file), knowledge)
    except InputError as error:
        fail(error.first_line)
    calendar = aftercare_calendar(plan, knowledge)
    if ics == "-":
        sys.stdout.buffer.write(calendar)
        sys.stdout.flush()
        return
    try:
        Path(ics).write_bytes(calendar)
    except OSError as error:
        fail(f"{ics}: cannot write it ({error.strerror})")
    if as_json:
        sys.stdout.write(plan.model_dump_json() + "\n")
    else:
        render_plan(plan, knowledge, Console(highlight=False))
        Console(stderr=True, highlight=False).print(f"[dim]calendar written to {ics}[/]")


def register(app: typer.Typer) -> None:
    app.command("aftercare")(aftercare_command)
