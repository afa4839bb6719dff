"""Domain errors shared by every layer. The CLI maps them to exit codes, the API to HTTP."""

from __future__ import annotations

from dataclasses import dataclass


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
