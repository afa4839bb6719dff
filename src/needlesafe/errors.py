"""Domain errors shared by every layer. The CLI maps them to exit codes, the API to HTTP."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class InputProblem:
    path: str  # e.g. "plan.needle_depth_mm" or "patient.conditions[0]"
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class InputError(ValueError):
    """Bad input from a user. `problems` name each field that is wrong."""

    def __init__(self, problems: list[InputProblem]) -> None:
        self.problems = problems
        super().__init__("; ".join(str(p) for p in problems))

    @property
    def first_line(self) -> str:
        """One clear line for a terminal: the first problem, and how many more."""
        more = len(self.problems) - 1
        return str(self.problems[0]) + (f" (and {more} more)" if more > 0 else "")


class InputConflict(InputError):
    """Well-formed input whose values conflict with each other, with stored records or with
    today's date (an onset after today, a resolution before the onset): HTTP 409 with the
    fields named, where 422 is input the API's schema itself refuses. The CLI treats both as
    bad input."""


# Refused in any input (api/hostile.py): C0 but tab, newline and carriage return; DEL; C1
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
REFUSED_INPUT = "refused_input"  # the request state's key for what the middleware refused


def answers_refused_input(endpoint: Any) -> Any:
    """Mark a page handler that answers refused characters in its own form (the patient's
    check-in keeps the patient's form, with a plain message by the field): the service
    middleware hands it the problems in `request.state.refused_input` instead of answering
    422 itself. Such a handler must store nothing when there are any."""
    endpoint.answers_refused_input = True
    return endpoint
