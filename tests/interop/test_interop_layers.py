"""The interop mapping code is pure: it imports nothing of the store, the services or the
interfaces (the database and the network are the services' job)."""

from __future__ import annotations

import ast
from pathlib import Path

INTEROP = Path(__file__).parents[2] / "src" / "needlesafe" / "interop"
OUTER = ("store", "api", "web", "services", "cli", "documents", "surveillance")


def test_interop_imports_nothing_from_outer_layers_nor_io_libraries() -> None:
    offenders = []
    for path in sorted(INTEROP.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for name in names:
                parts = name.split(".")
                if parts[0] == "needlesafe" and len(parts) > 1 and parts[1] in OUTER:
                    offenders.append(f"{path.name}: {name}")
                if parts[0] in ("sqlalchemy", "fastapi", "httpx", "requests", "typer"):
                    offenders.append(f"{path.name}: {name}")
    assert offenders == []
