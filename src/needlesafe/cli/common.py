"""What every engine command shares: reading an input file, bulk mode and exit statuses.

Exit status: 0 success, 2 bad input (one clear line on stderr naming the field), 1 a bug.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn

import typer
import yaml
from pydantic import BaseModel
from rich.console import Console

from needlesafe.errors import InputError, InputProblem
from needlesafe.knowledge.base import Knowledge, KnowledgeError

EXIT_BAD_INPUT = 2
stderr = Console(stderr=True, highlight=False, soft_wrap=True)


def fail(message: str, code: int = EXIT_BAD_INPUT) -> NoReturn:
    stderr.print(f"[bold red]error:[/] {message}", markup=True)
    raise typer.Exit(code)


def knowledge_or_exit() -> Knowledge:
    from needlesafe.cli.knowledge_cache import cached_knowledge

    try:
        return cached_knowledge()
    except KnowledgeError as error:
        fail("the knowledge base is broken; run `needlesafe knowledge check`:\n" + str(error), 1)


def read_text(file: str) -> str:
    if file == "-":
        return sys.stdin.read()
    path = Path(file)
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        fail(f"{file}: no such file")
    except IsADirectoryError:
        fail(f"{file}: is a directory, not a file")
    except UnicodeDecodeError:
        fail(f"{file}: not UTF-8 text")
    except OSError as error:
        fail(f"{file}: cannot read it ({error.strerror})")


def parse_document(text: str, file: str) -> Any:
    """A JSON or YAML document (YAML is a superset of JSON, but JSON errors read better)."""
    if file.endswith(".json") or text.lstrip().startswith("{"):
        try:
            return json.loads(text)
        except json.JSONDecodeError as error:
            raise InputError(
                [InputProblem("", f"not valid JSON: {error.msg} (line {error.lineno})")]
            ) from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark else ""
        raise InputError([InputProblem("", f"not valid YAML{where}")]) from None


def run_engine(
    *,
    file: str,
    as_json: bool,
    compute: Callable[[Any, Knowledge], BaseModel],
    render: Callable[[BaseModel, Knowledge, Console], None],
    compute_line: Callable[[str, Knowledge], BaseModel] | None = None,
) -> None:
    """Read FILE (or stdin), run `compute` on each request, print results, exit 0/2.
    `compute_line`: for a .jsonl batch, the computation from one line's JSON text (by default
    the line is read with `json_line` and given to `compute`)."""
    knowledge = knowledge_or_exit()
    text = read_text(file)
    if file.endswith(".jsonl"):
        run_bulk(text, knowledge, compute, compute_line=compute_line)
        return
    try:
        result = compute(parse_document(text, file), knowledge)
    except InputError as error:
        fail(error.first_line)
    if as_json:
        sys.stdout.write(result.model_dump_json() + "\n")
    else:
        render(result, knowledge, Console(highlight=False))


def json_line(line: str) -> Any:
    """One line of a JSON Lines batch, parsed (an InputError when it is not JSON)."""
    try:
        return json.loads(line)
    except json.JSONDecodeError as error:
        raise InputError([InputProblem("", f"not valid JSON: {error.msg}")]) from None


def _on_parsed_line(
    compute: Callable[[Any, Knowledge], BaseModel],
) -> Callable[[str, Knowledge], BaseModel]:
    def on_line(line: str, knowledge: Knowledge) -> BaseModel:
        return compute(json_line(line), knowledge)

    return on_line


def run_bulk(
    text: str,
    knowledge: Knowledge,
    compute: Callable[[Any, Knowledge], BaseModel],
    *,
    compute_line: Callable[[str, Knowledge], BaseModel] | None = None,
) -> None:
    """One JSON result per input line, in order; bad lines give {"error": ...} and exit 2.
    Each line is `compute_line(line)`, or `compute(json_line(line))` without one.

    benchmarks/screening.py measures this loop, so keep it the one the CLI runs."""
    per_line = compute_line or _on_parsed_line(compute)
    bad = 0
    out = sys.stdout
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            out.write(per_line(line, knowledge).model_dump_json() + "\n")
        except InputError as error:
            bad += 1
            out.write(json.dumps({"error": error.first_line, "line": number}) + "\n")
    if bad:
        stderr.print(f'error: {bad} bad line(s); see the "error" results', markup=False)
        raise typer.Exit(EXIT_BAD_INPUT)
