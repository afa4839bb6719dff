"""The engine, the knowledge base and the interop mappings import nothing of the outer layers
(DESIGN.md)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).parents[1] / "src" / "needlesafe"
OUTER = ("store", "api", "web", "services", "cli", "documents", "surveillance")


@pytest.mark.parametrize("layer", ["engine", "knowledge", "interop"])
def test_inner_layers_import_nothing_from_outer_layers(layer: str) -> None:
    offenders = []
    for path in sorted((SRC / layer).rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for name in names:
                parts = name.split(".")
                if parts[0] == "needlesafe" and len(parts) > 1 and parts[1] in OUTER:
                    offenders.append(f"{path.relative_to(SRC)}: {name}")
                if parts[0] in ("sqlalchemy", "fastapi", "typer", "rich", "jinja2", "httpx"):
                    offenders.append(f"{path.relative_to(SRC)}: {name}")
    assert offenders == []
