"""The direction of the imports (DESIGN.md): dependencies point inwards, and the two
transports (the API in `api/`, the pages in `web/`) are siblings that never import each other.
The composition root (`needlesafe.app`) is the one module that imports both."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).parents[1] / "src" / "needlesafe"
OUTER = ("store", "api", "web", "services", "cli", "documents", "surveillance")
# the composition root and what only the transports share
ROOT = ("app", "deps", "state")
# modules that read or write the world (files, network, processes, clocks of other machines)
IO_MODULES = (
    "sqlalchemy",
    "fastapi",
    "starlette",
    "httpx",
    "requests",
    "urllib",
    "socket",
    "sqlite3",
    "psycopg",
    "subprocess",
    "shutil",
    "typer",
    "rich",
    "jinja2",
)


def _imports(path: Path, package: str | None = None) -> list[tuple[str, int, bool]]:
    """(module, line, inside a function) for every import in `path`, relative ones resolved
    against its package."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    if package is None:
        package = ".".join(("needlesafe", *path.relative_to(SRC).with_suffix("").parts[:-1]))
    found: list[tuple[str, int, bool]] = []

    def visit(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            inner = in_function or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef)
            if isinstance(child, ast.Import):
                found.extend((a.name, child.lineno, in_function) for a in child.names)
            elif isinstance(child, ast.ImportFrom):
                if child.level:
                    base = package.split(".")
                    base = base[: len(base) - child.level + 1]
                    module = ".".join([*base, child.module] if child.module else base)
                else:
                    module = child.module or ""
                found.append((module, child.lineno, in_function))
                for alias in child.names:  # `from needlesafe import api`
                    found.append((f"{module}.{alias.name}", child.lineno, in_function))
            visit(child, inner)

    visit(tree, False)
    return found


def _offending(
    names: list[tuple[str, int, bool]], forbidden: tuple[str, ...], external: tuple[str, ...]
) -> list[tuple[int, str]]:
    found = []
    for name, line, _ in names:
        parts = name.split(".")
        inner = parts[0] == "needlesafe" and len(parts) > 1 and parts[1] in forbidden
        if inner or parts[0] in external:
            found.append((line, name))
    return found


def _offenders(
    layer: str, forbidden: tuple[str, ...], *, external: tuple[str, ...] = ()
) -> list[str]:
    paths = [SRC / f"{layer}.py"] if (SRC / f"{layer}.py").exists() else []
    paths += sorted((SRC / layer).rglob("*.py")) if (SRC / layer).is_dir() else []
    offenders = [
        f"{path.relative_to(SRC)}:{line}: {name}"
        for path in paths
        for line, name in _offending(_imports(path), forbidden, external)
    ]
    return sorted(set(offenders))


@pytest.mark.parametrize("layer", ["engine", "knowledge", "interop"])
def test_inner_layers_import_nothing_from_outer_layers(layer: str) -> None:
    assert _offenders(layer, OUTER + ROOT, external=IO_MODULES) == []


def test_the_engine_does_no_io() -> None:
    """No imports of the store, the services or I/O libraries, and no `open(...)`."""
    assert _offenders("engine", OUTER + ROOT, external=IO_MODULES) == []
    opened = []
    for path in sorted((SRC / "engine").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                name = getattr(node.func, "id", getattr(node.func, "attr", ""))
                if name in ("open", "read_text", "read_bytes", "write_text", "write_bytes"):
                    opened.append(f"{path.relative_to(SRC)}:{node.lineno}: {name}()")
    assert opened == []


def test_the_api_never_imports_the_pages() -> None:
    assert _offenders("api", ("web", "app", "cli")) == []


def test_the_pages_never_import_the_api() -> None:
    assert _offenders("web", ("api", "app", "cli")) == []


@pytest.mark.parametrize("layer", ["services", "store", "documents", "surveillance"])
def test_services_and_below_import_no_transport(layer: str) -> None:
    """Services (and what they use) know nothing of HTTP, pages or the command line."""
    forbidden: tuple[str, ...] = ("api", "web", "cli", *ROOT)
    if layer == "store":
        forbidden += ("services", "documents", "surveillance")
    assert _offenders(layer, forbidden, external=("fastapi", "starlette", "typer")) == []


def test_what_the_transports_share_imports_neither() -> None:
    for module in ROOT[1:]:
        assert _offenders(module, ("api", "web", "cli", "app")) == []


def test_the_cli_imports_the_api_only_to_serve() -> None:
    offenders = [
        o for o in _offenders("cli", ("api", "app", "web")) if not o.startswith("cli/server.py")
    ]
    assert offenders == []
    for name, _line, in_function in _imports(SRC / "cli" / "server.py"):
        if name.startswith(("needlesafe.api", "needlesafe.app")):
            assert in_function, f"cli/server.py imports {name} at import time"


def test_only_the_composition_root_imports_both_transports() -> None:
    both = []
    for path in sorted(SRC.rglob("*.py")):
        names = {n.split(".")[1] for n, _, _ in _imports(path) if n.startswith("needlesafe.")}
        if {"api", "web"} <= names:
            both.append(str(path.relative_to(SRC)))
    assert both == ["app.py"]


def test_the_rule_finds_a_back_import(tmp_path: Path) -> None:
    """The walker sees absolute, relative and `from needlesafe import x` imports."""
    probe = tmp_path / "probe.py"
    probe.write_text(
        "from needlesafe import web\nfrom ..web import render\nimport needlesafe.web.forms\n"
        "def later():\n    import needlesafe.web.pages\n",
        encoding="utf-8",
    )
    names = _imports(probe, package="needlesafe.api")
    lines = {line for line, _ in _offending(names, ("web",), ())}
    assert lines == {1, 2, 3, 5}
    assert [inside for name, _, inside in names if name == "needlesafe.web.pages"] == [True]
