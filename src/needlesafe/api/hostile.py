"""Input refused before any route sees it: control characters and out-of-range integers.

- Control characters (NUL and the rest of C0, DEL, C1) in any JSON string or key, form
  value or query parameter are refused with 422 naming the field; tab, newline and carriage
  return are ordinary text and kept. None is stripped: a NUL in clinical text is never
  harmless to guess about (PostgreSQL refuses it; a truncated string changes its meaning).
- A query parameter that is a whole number must fit the databases' 32-bit ids and offsets
  (at most 2,147,483,647 either way), else 422 naming it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qsl

from needlesafe.engine.inputs import format_path
from needlesafe.errors import CONTROL_CHARACTERS, InputProblem

CONTROL = CONTROL_CHARACTERS
WHOLE_NUMBER = re.compile(r"^[+-]?\d+$")
MAX_INT = 2_147_483_647
CONTROL_MESSAGE = "control characters (such as NUL) are not allowed"


def _json_problems(value: Any, path: tuple[str | int, ...]) -> Iterator[InputProblem]:
    if isinstance(value, str):
        if CONTROL.search(value):
            yield InputProblem(format_path(path), CONTROL_MESSAGE)
    elif isinstance(value, dict):
        for key, item in value.items():
            if CONTROL.search(key):
                yield InputProblem(format_path(path), "a field name has control characters")
            else:
                yield from _json_problems(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _json_problems(item, (*path, index))


def query_problems(query: bytes) -> list[InputProblem]:
    problems = []
    for name, value in parse_qsl(query.decode("latin-1"), keep_blank_values=True):
        if CONTROL.search(name) or CONTROL.search(value):
            problems.append(InputProblem(name, CONTROL_MESSAGE))
        elif WHOLE_NUMBER.match(value.strip()) and abs(int(value)) > MAX_INT:
            problems.append(InputProblem(name, f"should be at most {MAX_INT}"))
    return problems


def body_problems(content_type: str, body: bytes) -> list[InputProblem]:
    """Problems in a JSON or form body; a body that does not parse is the route's to refuse."""
    if not body:
        return []
    if content_type.startswith("application/json"):
        try:
            data = json.loads(body)
        except UnicodeDecodeError:
            return [InputProblem("", "not valid JSON: the body is not UTF-8 text")]
        except (ValueError, RecursionError):
            return []
        return list(_json_problems(data, ()))[:20]
    if content_type.startswith("application/x-www-form-urlencoded"):
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            return []
        return [
            InputProblem(name, CONTROL_MESSAGE)
            for name, value in parse_qsl(text, keep_blank_values=True)
            if CONTROL.search(name) or CONTROL.search(value)
        ][:20]
    return []
