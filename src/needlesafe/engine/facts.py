"""The intake as the screening's conditions see it: its facts by path, read once per intake;
and a treatment as the aftercare plan's conditions see it (`AftercareFacts`).

A fact is an intake field named by its path (`patient.conditions`, `plan.needle_depth_mm`): a
list field gives its codes (medications: the ones taken now), any other field its value. The
few derived facts (a numbing cream's ingredients, the areas planned deeper than their cap ...)
come from the knowledge base and are worked out when a condition first asks for them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from operator import attrgetter
from typing import Any, Generic, TypeVar

from needlesafe.engine.models import Assessment, Intake, Plan
from needlesafe.knowledge.base import Knowledge
from needlesafe.knowledge.conditions import CONDITION_KEYS


def read_fact(intake: Any, path: str) -> Any:
    """The value of the field at `path`: a tuple of codes for a list (or tuple) field."""
    return _as_fact(_getter(path)(intake))


def _as_fact(value: Any) -> Any:
    if type(value) is list or type(value) is tuple:
        if not value or type(value[0]) is str:
            return tuple(value)  # a list of codes
        # a list of objects with a code (a medication: only while taken)
        return tuple(item.code for item in value if getattr(item, "current", True))
    return value


@lru_cache(maxsize=256)
def _getter(path: str) -> attrgetter[Any]:
    return attrgetter(path)


# the intake fields the condition table reads (every key's fact and the facts it needs)
TABLE_FACTS: tuple[str, ...] = tuple(
    dict.fromkeys(path for key in CONDITION_KEYS for path in (key.fact, *key.needs) if path)
)
_TABLE_GETTERS = tuple((path, _getter(path)) for path in TABLE_FACTS)


class FactValues(dict[str, Any]):
    """An intake's facts by path: those of `read_now` at once (by default the condition
    table's: the rule index looks at nearly all of them for every intake), any other on first
    use."""

    def __init__(self, intake: Any, read_now: tuple[tuple[str, Any], ...] = _TABLE_GETTERS) -> None:
        super().__init__()
        self.intake = intake
        for path, get in read_now:
            value = get(intake)
            self[path] = _as_fact(value) if type(value) is list else value

    def __missing__(self, path: str) -> Any:
        value = self[path] = read_fact(self.intake, path)
        return value


T = TypeVar("T")


class derived(Generic[T]):  # a decorator, named like cached_property
    """A derived fact: worked out on first use, then kept on the instance. This is
    `functools.cached_property` without the lock Python 3.11 takes on each first use, which
    showed in the screening profile (a Facts belongs to one screening, in one thread)."""

    def __init__(self, compute: Callable[[Any], T]) -> None:
        self.compute = compute
        self.__doc__ = compute.__doc__

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, facts: Any, owner: type | None = None) -> T:
        if facts is None:  # looked up on the class
            return self  # type: ignore[return-value]  # the descriptor itself
        value = facts.__dict__[self.name] = self.compute(facts)
        return value


class Facts:
    """One intake's facts, for evaluating conditions on it."""

    def __init__(self, intake: Intake, knowledge: Knowledge) -> None:
        self.intake = intake
        self.knowledge = knowledge
        # path -> value, e.g. facts.values["plan.areas"]
        self.values: dict[str, Any] = FactValues(intake)

    def fact(self, path: str) -> Any:
        """The intake's value at `path`."""
        return self.values[path]

    # ---------------------------------------------------------------- derived facts

    @derived
    def stopped_medications(self) -> dict[str, int]:
        """Medication code -> days since it was stopped (the most recent stop counts)."""
        stopped: dict[str, int] = {}
        for use in self.intake.patient.medications:
            if use.stopped_days_ago is not None:
                stopped[use.code] = min(use.stopped_days_ago, stopped.get(use.code, 36500))
        return stopped

    @derived
    def ingredients(self) -> tuple[str, ...]:
        """The anaesthetics (allergy codes) in the planned numbing cream."""
        return tuple(self.knowledge.numbing_agents[self.intake.plan.numbing_agent].ingredients)

    @derived
    def over_cap(self) -> tuple[tuple[str, float], ...]:
        """The planned areas the needle goes deeper than their cap, with the cap."""
        plan, areas = self.intake.plan, self.knowledge.areas
        caps = [(code, areas[code].cap_for(plan.device)) for code in plan.areas]
        return tuple((code, cap) for code, cap in caps if plan.needle_depth_mm > cap)

    @derived
    def unlabeled(self) -> tuple[str, ...]:
        """The planned topicals neither labelled for needled skin nor a biologic."""
        topicals = self.knowledge.topicals
        return tuple(
            code
            for code in self.intake.plan.topicals
            if not topicals[code].labeled_for_microneedling and not topicals[code].biologic
        )

    @derived
    def biologics(self) -> tuple[str, ...]:
        """The planned topicals that are biologics (PRP)."""
        return tuple(c for c in self.intake.plan.topicals if self.knowledge.topicals[c].biologic)

    @derived
    def numbing_area(self) -> float:
        """The skin a numbing cream covers (cm2): the planned areas' surfaces, each once."""
        if self.intake.plan.numbing_agent == "none":
            return 0.0
        areas = self.knowledge.areas
        return sum(areas[code].surface_cm2 or 0.0 for code in dict.fromkeys(self.intake.plan.areas))


# ---------------------------------------------------------------- a treatment, for aftercare


@dataclass(frozen=True)
class Treatment:
    """A treatment as the aftercare plan's conditions see it: the plan as done and its
    screening assessment (no patient: what aftercare needs of the patient is in the
    assessment)."""

    plan: Plan
    assessment: Assessment


class AftercareFacts(Facts):
    """One treatment's facts, for evaluating the aftercare plan's conditions: the plan's facts
    and derived facts are an intake's (the same keys mean the same), `assessment.*` are the
    screening's findings (`assessment.precautions`: their codes)."""

    def __init__(self, plan: Plan, assessment: Assessment, knowledge: Knowledge) -> None:
        # a treatment has the intake's plan, which is all the plan's facts read
        self.intake = Treatment(plan, assessment)  # type: ignore[assignment]  # a narrower intake
        self.knowledge = knowledge
        self.values = FactValues(self.intake, read_now=())  # each fact read on first use
