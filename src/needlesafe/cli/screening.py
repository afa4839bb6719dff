"""`needlesafe screen` and `needlesafe knowledge check|show` (`review` is in cli/review.py)."""

from __future__ import annotations

import textwrap
from typing import Annotated, Any

import typer
import yaml
from pydantic import BaseModel, ValidationError
from rich.console import Console
from rich.panel import Panel

from needlesafe.cli.common import fail, json_line, knowledge_or_exit, run_engine
from needlesafe.engine.inputs import parse_intake
from needlesafe.engine.models import Assessment, Intake
from needlesafe.engine.screening import screen
from needlesafe.knowledge.base import Knowledge, KnowledgeError
from needlesafe.knowledge.words import decision_words

# colours by rank (proceed to do not treat); the words come from the knowledge base (words.yaml)
DECISION_COLOURS = ("green", "yellow", "red", "bold red")
LEVEL_STYLE = {"baseline": "green", "elevated": "yellow", "high": "red"}

knowledge_app = typer.Typer(
    help="Check and read the clinical knowledge base.", no_args_is_help=True
)


def compute_assessment(data: Any, knowledge: Knowledge) -> Assessment:
    return screen(parse_intake(data, knowledge), knowledge)


def assess_line(line: str, knowledge: Knowledge) -> Assessment:
    """One line of a JSON Lines batch: the intake validated by pydantic straight from the JSON
    text (no dict in between); a line it refuses is read the single-document way, so that a
    bad line's error reads the same."""
    try:
        intake = Intake.model_validate_json(line, context={"knowledge": knowledge})
    except ValidationError:
        return compute_assessment(json_line(line), knowledge)  # raises the InputError
    return screen(intake, knowledge)


def _indented(console: Console, text: str, indent: int, style: str = "") -> None:
    """Print `text` wrapped to the terminal, indented, continuation lines hanging.

    The text comes from the knowledge base and the intake, so it is printed as plain text:
    brackets in it are never read as rich markup."""
    hang = "  "  # continuation lines sit under the text, not under a bullet or code
    wrapped = textwrap.fill(
        text,
        width=max(console.width, 40),
        initial_indent=" " * indent,
        subsequent_indent=" " * indent + hang,
        break_on_hyphens=False,
    )
    console.print(wrapped, style=style or None, markup=False, highlight=False)


def render_assessment(result: BaseModel, knowledge: Knowledge, console: Console) -> None:
    assert isinstance(result, Assessment)  # run_engine passes what we computed
    style = DECISION_COLOURS[result.decision.rank]
    title = decision_words(knowledge, result.decision.value).upper()
    console.print(Panel(f"[{style}]{title}[/]", title="Decision", expand=False))

    raised = {c: r for c, r in result.risks.items() if r.level.value != "baseline"}
    if raised:
        console.print("\n[bold]Raised risks[/]")
        for code, risk in sorted(raised.items(), key=lambda kv: -kv[1].level.rank):
            level = risk.level.value
            console.print(f"  [{LEVEL_STYLE[level]}]{level.upper():9}[/] {risk.label} ({code})")
            for reason in risk.reasons:
                _indented(console, f"- {reason.clinician_text}", 4)
                _indented(
                    console,
                    f"because {reason.factor}; rule {reason.rule}; "
                    f"sources: {', '.join(reason.sources)}",
                    6,
                    "dim",
                )
    baseline = [r.label for r in result.risks.values() if r.level.value == "baseline"]
    if baseline:
        console.print(f"\n[bold]At baseline[/]: {', '.join(baseline)}")

    if result.contraindications:
        console.print("\n[bold]Contraindications[/]")
        for ci in result.contraindications:
            _indented(
                console,
                f"{ci.kind} -> {ci.decision.value} {ci.code}: {ci.clinician_text}",
                2,
                "red",
            )
            _indented(
                console,
                f"because {'; '.join(ci.factors)}; sources: {', '.join(ci.sources)}",
                6,
                "dim",
            )
    if result.precautions:
        console.print("\n[bold]Precautions[/]")
        for pr in result.precautions:
            _indented(console, f"{pr.code}: {pr.clinician_text}", 2)
            _indented(console, f"sources: {', '.join(pr.sources)}", 6, "dim")
    console.print(f"\n[dim]knowledge {result.knowledge_version}[/]")


def screen_command(
    file: Annotated[
        str, typer.Argument(help="An intake (.json/.yaml), a .jsonl batch, or - for stdin.")
    ],
    as_json: Annotated[bool, typer.Option("--json", help="Print the assessment as JSON.")] = False,
) -> None:
    """Screen a patient and plan before a treatment."""
    run_engine(
        file=file,
        as_json=as_json,
        compute=compute_assessment,
        render=render_assessment,
        compute_line=assess_line,
    )


@knowledge_app.command("check")
def knowledge_check(
    directory: Annotated[
        str | None, typer.Option(help="A knowledge directory (default: the packaged one).")
    ] = None,
) -> None:
    """Validate and lint the knowledge base; exit 1 on any problem."""
    from pathlib import Path

    from needlesafe.knowledge.lint import lint
    from needlesafe.knowledge.loader import load_knowledge

    try:
        knowledge = load_knowledge(Path(directory) if directory else None)
    except KnowledgeError as error:
        for problem in error.problems:
            typer.echo(problem, err=True)
        typer.echo(f"{len(error.problems)} problem(s): the knowledge base does not load.", err=True)
        raise typer.Exit(1) from None
    problems = lint(knowledge, Path(directory) if directory else None)
    for problem in problems:
        typer.echo(problem, err=True)
    if problems:
        typer.echo(f"{len(problems)} problem(s) in knowledge {knowledge.version}", err=True)
        raise typer.Exit(1)
    typer.echo(f"knowledge {knowledge.version}: ok")


@knowledge_app.command("show")
def knowledge_show(
    code: Annotated[str, typer.Argument(help="Any code, rule id or source id.")],
) -> None:
    """Print what the knowledge base says about a code."""
    knowledge = knowledge_or_exit()
    found = describe_code(code, knowledge)
    if not found:
        import difflib

        known = set(knowledge.complications) | set(knowledge.sources)
        for names in knowledge.codes.values():
            known |= names
        for rules in (knowledge.risk_rules, knowledge.contraindications, knowledge.precautions):
            known |= {r.id for r in rules} | {getattr(r, "code", r.id) for r in rules}
        close = difflib.get_close_matches(code, sorted(known), n=3, cutoff=0.6)
        hint = ("; did you mean " + " or ".join(f"`{c}`" for c in close) + "?") if close else ""
        fail(f"`{code}` is not a code, rule id or source id in the knowledge base{hint}")
    typer.echo(yaml.safe_dump(found, sort_keys=False, allow_unicode=True, width=100).rstrip())


def describe_code(code: str, knowledge: Knowledge) -> dict[str, Any]:
    """Everything that defines or uses `code`, as plain data."""
    from needlesafe.knowledge.base import predicate_codes

    found: dict[str, Any] = {}
    for vocabulary in knowledge.labels:
        for term in getattr(knowledge.vocab, vocabulary):
            if term.code == code:
                found.setdefault("defined_in", []).append(
                    {vocabulary: term.model_dump(exclude_defaults=True)}
                )
    if code in knowledge.complications:
        found["complication"] = knowledge.complications[code].model_dump(mode="json")
    if code in knowledge.sources:
        found["source"] = knowledge.sources[code].model_dump(exclude_none=True)
    for kind, rules in (
        ("risk_rules", knowledge.risk_rules),
        ("contraindications", knowledge.contraindications),
        ("precautions", knowledge.precautions),
    ):
        for rule in rules:
            names = {c for _, c in predicate_codes(rule.when)}
            if (
                code == rule.id
                or code in names
                or getattr(rule, "code", None) == code
                or getattr(rule, "complication", None) == code
                or code in rule.sources
            ):
                found.setdefault(kind, []).append(rule.model_dump(mode="json", exclude_none=True))
    return found


def register(app: typer.Typer) -> None:
    from needlesafe.cli import review

    app.command("screen")(screen_command)
    review.register(knowledge_app)
    app.add_typer(knowledge_app, name="knowledge")
