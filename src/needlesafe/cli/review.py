"""`needlesafe knowledge review --out FILE.html`: the sheet a clinic's clinical lead signs."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
import yaml

from needlesafe.cli.common import fail
from needlesafe.knowledge.base import KnowledgeError
from needlesafe.knowledge.loader import DEFAULT_DIRECTORY, load_knowledge

if TYPE_CHECKING:
    from needlesafe.knowledge.review import ReviewSheet

TEMPLATES = Path(__file__).parents[1] / "documents" / "templates"


def render_review(sheet: ReviewSheet) -> str:
    from jinja2 import Environment, FileSystemLoader, StrictUndefined

    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=True,  # knowledge text is shown as text, never as markup
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return env.get_template("knowledge_review.html").render(sheet=sheet)


def knowledge_review(
    out: Annotated[str, typer.Option("--out", help="Where to write the sheet (.html).")],
    directory: Annotated[
        str | None, typer.Option(help="A knowledge directory (default: the packaged one).")
    ] = None,
) -> None:
    """Write the clinician review sheet: every rule in words, with texts, sources, tick boxes."""
    from needlesafe.knowledge.review import build_review

    folder = Path(directory) if directory else DEFAULT_DIRECTORY
    try:
        knowledge = load_knowledge(folder)
    except KnowledgeError as error:
        fail("the knowledge base does not load; run `needlesafe knowledge check`:\n" + str(error))
    meta = yaml.safe_load((folder / "meta.yaml").read_text(encoding="utf-8")) or {}
    sheet = build_review(
        knowledge,
        {
            "reviewed": str(meta.get("reviewed", "")),
            "reviewed_by": str(meta.get("reviewed_by", "")),
        },
    )
    path = Path(out)
    try:
        path.write_text(render_review(sheet), encoding="utf-8")
    except OSError as error:
        fail(f"--out {out}: cannot write it ({error.strerror})")
    typer.echo(
        f"wrote {path}: {sheet.item_count} items in {len(sheet.groups)} groups, "
        f"{len(sheet.sources)} sources, knowledge {sheet.version}"
    )


def knowledge_keys() -> None:
    """List the keys a condition (`when`) may use, table by table (the screening rules', the
    aftercare plan's): what each tests, on which fact, its value, and whether that fact holds
    one value or several."""
    from needlesafe.knowledge.conditions import CONDITION_TABLES

    for number, (rules, table) in enumerate(CONDITION_TABLES):
        if number:
            typer.echo("")
        typer.echo(f"# the keys of the {rules}")
        typer.echo("all: [conditions]   every condition holds")
        typer.echo("any: [conditions]   at least one condition holds")
        for key in table:
            fact = f"{key.fact} ({'several values' if key.multi else 'one value'})"
            typer.echo(f"\n{key.name}: {key.value_type}")
            typer.echo(f"    {key.description}")
            typer.echo(f"    fact: {fact}; test: {key.test}")


def register(knowledge_app: typer.Typer) -> None:
    knowledge_app.command("review")(knowledge_review)
    knowledge_app.command("keys")(knowledge_keys)
