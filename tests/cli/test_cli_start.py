"""The CLI starts quickly: a command imports only what it uses, every command is reachable
through the lazy top-level group, and the knowledge cache is used when current and ignored
when it is not."""

from __future__ import annotations

import json
import os
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest
import typer.main

import needlesafe.cli as cli
from needlesafe.cli import COMMANDS, app, load_command

EXAMPLES = Path(__file__).parents[2] / "examples"
HEAVY = ("sqlalchemy", "alembic", "scipy", "weasyprint", "altair", "jinja2", "argon2", "duckdb")

# Runs one command in a fresh interpreter and prints the heavy modules it imported.
PROBE = """
import json, sys
from needlesafe.cli import app
try:
    app(sys.argv[1:])
except SystemExit:
    pass
heavy = sorted({m.split('.')[0] for m in sys.modules} & set(HEAVY))
sys.stderr.write('\\nIMPORTED ' + json.dumps(heavy) + '\\n')
"""


def _probe(args: list[str], cache_dir: str) -> tuple[str, list[str]]:
    env = {**os.environ, "NEEDLESAFE_CACHE_DIR": cache_dir}
    script = PROBE.replace("set(HEAVY)", repr(set(HEAVY)))
    done = subprocess.run(
        [sys.executable, "-c", script, *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    head, _, tail = done.stderr.rpartition("IMPORTED ")
    assert "IMPORTED " in done.stderr, done.stderr
    return done.stdout, json.loads(tail)


@pytest.mark.parametrize(
    "args",
    [
        ["screen", "--json", str(EXAMPLES / "intake-cold-sore.json")],
        ["screen", str(EXAMPLES / "intake-healthy.yaml")],
        ["triage", "--json", str(EXAMPLES / "checkin-day3.json")],
    ],
    ids=["screen-json", "screen-report", "triage-json"],
)
def test_an_engine_command_imports_no_database_statistics_or_pdf_library(
    args: list[str], tmp_path: Path
) -> None:
    for cache in ("", str(tmp_path)):  # without the knowledge cache, then writing and reading it
        for _ in range(2 if cache else 1):
            out, heavy = _probe(args, cache)
            assert out.strip(), "the command printed nothing"
            assert heavy == [], f"`needlesafe {args[0]}` imported {heavy}"


def test_the_knowledge_cache_gives_the_same_result_and_survives_a_corrupt_file(
    tmp_path: Path,
) -> None:
    args = ["screen", "--json", str(EXAMPLES / "intake-cold-sore.json")]
    fresh, _ = _probe(args, "")
    first, _ = _probe(args, str(tmp_path))  # writes the cache
    cached = list(tmp_path.glob("knowledge-*.pickle"))
    assert len(cached) == 1
    second, _ = _probe(args, str(tmp_path))  # reads it
    cached[0].write_bytes(b"not a pickle")
    third, _ = _probe(args, str(tmp_path))  # ignores it, loads the YAML, writes it again
    assert fresh == first == second == third
    assert json.loads(fresh)["decision"] == "defer"
    assert cached[0].read_bytes() != b"not a pickle"


def test_a_cache_file_others_can_write_is_not_read(tmp_path: Path) -> None:
    from needlesafe.cli import knowledge_cache

    path = tmp_path / f"knowledge-{knowledge_cache.cache_key()}.pickle"
    path.write_bytes(b"\x80\x04K\x01.")  # a valid pickle (the number 1), not a Knowledge
    os.chmod(path, 0o666)
    assert knowledge_cache._read(path) is None
    os.chmod(path, 0o600)
    assert knowledge_cache._read(path) is None  # readable, but not a Knowledge


def test_every_registered_command_is_named_in_the_lazy_table() -> None:
    for name in COMMANDS:
        assert load_command(name) is not None, name
    registered = set(typer.main.get_group(cli._registry).commands)
    assert registered == set(COMMANDS), "a module registers a command missing from COMMANDS"
    with_register = {
        info.name
        for info in pkgutil.iter_modules(cli.__path__)
        if "def register(" in Path(cli.__path__[0], f"{info.name}.py").read_text()
    }
    named = {module for modules in COMMANDS.values() for module in modules}
    assert with_register - named == {"review"}  # `knowledge review`: registered by screening


def test_help_lists_every_command_and_a_typo_gets_a_suggestion() -> None:
    from typer.testing import CliRunner

    runner = CliRunner()
    listed = runner.invoke(app, ["--help"])
    assert listed.exit_code == 0
    for name in COMMANDS:
        assert f" {name} " in listed.output, name
    typo = runner.invoke(app, ["scren", "x"])
    assert typo.exit_code == 2
    assert "Did you mean 'screen'?" in typo.output
