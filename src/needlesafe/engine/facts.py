"""The intake as the screening's conditions see it: its facts by path, read once per intake.

A fact is an intake field named by its path (`patient.conditions`, `plan.needle_depth_mm`): a
list field gives its codes (medications: the ones taken now), any other field its value. The
few derived facts (a numbing cream's ingredients, the areas planned deeper than their cap ...)
come from the knowledge base and are worked out when a condition first asks for them.
"""

from __future__ import annotations

from functools import cached_property, lru_cache
from operator import attrgetter
from typing import Any

from needlesafe.engine.models import Intake
from needlesafe.knowledge.base import Knowledge


def read_fact(intake: Intake, path: str) -> Any:
    """The value of the intake field at `path`: a tuple of codes for a list field."""
    value = _getter(path)(intake)
    if isinstance(value, list):
        if not value or isinstance(value[0], str):
            return tuple(value)  # a list of codes
        # a list of objects with a code (a medication: only while taken)
        return tuple(item.code for item in value if getattr(item, "current", True))
    return value


@lru_cache(maxsize=256)
def _getter(path: str) -> attrgetter[Any]:
    return attrgetter(path)


class FactValues(dict[str, Any]):
    """An intake's facts by path, each read on first use."""

    def __init__(self, intake: Intake) -> None:
        super().__init__()
        self.intake = intake

    def __missing__(self, path: str) -> Any:
        value = self[path] = read_fact(self.intake, path)
        return value


class Facts:
    """One intake's facts, for evaluating conditions on it."""

    def __init__(self, intake: Intake, knowledge: Knowledge) -> None:
        self.intake = intake
        self.knowledge = knowledge
        self.values = FactValues(intake)  # path -> value, e.g. facts.values["plan.areas"]

    def fact(self, path: str) -> Any:
        """The intake's value at `path`."""
        return self.values[path]

    # ---------------------------------------------------------------- derived facts

    @cached_property
    def stopped_medications(self) -> dict[str, int]:
        """Medication code -> days since it was stopped (the most recent stop counts)."""
        stopped: dict[str, int] = {}
        for use in self.intake.patient.medications:
            if use.stopped_days_ago is not None:
                stopped[use.code] = min(use.stopped_days_ago, stopped.get(use.code, 36500))
        return stopped

    @cached_property
    def ingredients(self) -> tuple[str, ...]:
        """The anaesthetics (allergy codes) in the planned numbing cream."""
        return tuple(self.knowledge.numbing_agents[self.intake.plan.numbing_agent].ingredients)

    @cached_property
    def over_cap(self) -> tuple[tuple[str, float], ...]:
        """The planned areas the needle goes deeper than their cap, with the cap."""
        plan, areas = self.intake.plan, self.knowledge.areas
        caps = [(code, areas[code].cap_for(plan.device)) for code in plan.areas]
        return tuple((code, cap) for code, cap in caps if plan.needle_depth_mm > cap)

    @cached_property
    def unlabeled(self) -> tuple[str, ...]:
        """The planned topicals neither labelled for needled skin nor a biologic."""
        topicals = self.knowledge.topicals
        return tuple(
            code
            for code in self.intake.plan.topicals
            if not topicals[code].labeled_for_microneedling and not topicals[code].biologic
        )

    @cached_property
    def biologics(self) -> tuple[str, ...]:
        """The planned topicals that are biologics (PRP)."""
        return tuple(c for c in self.intake.plan.topicals if self.knowledge.topicals[c].biologic)

    @cached_property
    def numbing_area(self) -> float:
        """The skin a numbing cream covers (cm2): the planned areas' surfaces, each once."""
        if self.intake.plan.numbing_agent == "none":
            return 0.0
        areas = self.knowledge.areas
        return sum(areas[code].surface_cm2 or 0.0 for code in dict.fromkeys(self.intake.plan.areas))
