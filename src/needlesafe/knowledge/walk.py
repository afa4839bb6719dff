"""Field markers and the one generic walker over the knowledge files' models.

A field typed with a marked alias (`SourceIds` in `needlesafe.knowledge.schema`) carries the
marker in its metadata; `walk` finds every such field in a file's model, at any depth, with
its path (`rules[3] (keloid_scarring).sources`). The source checks (a cited source must exist,
a source must be cited) walk the files instead of keeping lists of where sources are, so a new
field typed `SourceIds` is checked the moment it is typed.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel


@dataclass(frozen=True)
class Marker:
    """What a marked field holds (e.g. "source_ids")."""

    kind: str


SOURCE_IDS = Marker("source_ids")


def walk(node: Any, marker: Marker, path: str = "") -> Iterator[tuple[str, Any]]:
    """Every value of a field marked `marker` inside `node`, with its path."""
    if isinstance(node, BaseModel):
        for name, info in type(node).model_fields.items():
            value = getattr(node, name)
            where = f"{path}.{name}" if path else name
            if marker in info.metadata:
                yield where, value
            elif value is not None:
                yield from walk(value, marker, where)
    elif isinstance(node, list | tuple):
        for index, item in enumerate(node):
            ident = getattr(item, "id", None) or getattr(item, "code", None)
            label = f"[{index}] ({ident})" if isinstance(ident, str) else f"[{index}]"
            yield from walk(item, marker, f"{path}{label}")
    elif isinstance(node, dict):
        for key, item in node.items():
            yield from walk(item, marker, f"{path}.{key}" if path else str(key))
