"""The treatment gate's clinical checks: a treatment as done against the screening it follows.

Pure, like the rest of the engine. What counts as an allergy to a numbing agent (by ingredient
and by cross-reacting class), an area's depth cap and a product's labelling for needled skin
are decided by the screening engine's own condition evaluator (`conditions.evaluate`) on the
screened patient with the plan as actually done, so the gate and the screening can never
disagree. Which codes exist and what they mean comes from the knowledge base.

Each conflict has a stable `code` (part of the API), the `field` of the treatment it is about
(a path such as `areas[1].depth_mm`) and a plain `message` for the practitioner.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from needlesafe.engine.conditions import evaluate
from needlesafe.engine.facts import Facts
from needlesafe.engine.models import Intake
from needlesafe.knowledge.base import Knowledge
from needlesafe.knowledge.schema import Predicate

# The screening's conditions the gate re-evaluates on the treatment as done.
_ALLERGY_INGREDIENT = Predicate.model_validate({"allergy_to_numbing_agent": "ingredient"})
_ALLERGY_CLASS = Predicate.model_validate({"allergy_to_numbing_agent": "class"})
_ALLERGY_TOPICAL = Predicate.model_validate({"allergy_to_topical": True})
_UNLABELED = Predicate.model_validate({"topical_unlabeled": True})
_OVER_CAP = Predicate.model_validate({"depth_above_area_cap": True})

# Stable conflict codes of the plan checks (the service adds the workflow ones).
PLAN_CONFLICT_CODES = (
    "allergy_numbing_agent",
    "allergy_topical",
    "depth_above_cap",
    "depth_above_screened",
    "area_not_screened",
    "device_not_screened",
    "numbing_agent_not_screened",
    "topical_not_screened",
    "product_unlabeled",
)


@dataclass(frozen=True)
class AreaDone:
    area: str
    depth_mm: float


@dataclass(frozen=True)
class TreatmentDone:
    """What was actually done, in the knowledge base's codes (already checked to exist)."""

    device: str
    areas: Sequence[AreaDone]
    numbing_agent: str = "none"
    topicals: Sequence[str] = ()


@dataclass(frozen=True)
class PlanConflict:
    code: str
    field: str
    message: str


def _as_done(
    screened: Intake,
    knowledge: Knowledge,
    *,
    areas: Sequence[str],
    depth: float,
    numbing_agent: str,
    topicals: Sequence[str],
    allergies: Sequence[str] | None = None,
) -> Facts:
    """The screened patient with (part of) the plan as done, as the screening engine sees it."""
    plan = screened.plan.model_copy(
        update={
            "areas": list(areas),
            "needle_depth_mm": depth,
            "numbing_agent": numbing_agent,
            "topicals": list(topicals),
        }
    )
    patient = screened.patient
    if allergies is not None:
        patient = patient.model_copy(update={"allergies": list(allergies)})
    return Facts(screened.model_copy(update={"patient": patient, "plan": plan}), knowledge)


def _fmt(depth: float) -> str:
    return f"{depth:g} mm"


def plan_conflicts(  # one block per check, in the order they are reported
    screened: Intake, done: TreatmentDone, knowledge: Knowledge
) -> list[PlanConflict]:
    """Every conflict between the treatment as done and the screened patient and plan."""
    found: list[PlanConflict] = []
    plan = screened.plan
    label = knowledge.label
    none_topicals: tuple[str, ...] = ()

    if done.device != plan.device:
        found.append(
            PlanConflict(
                "device_not_screened",
                "device",
                f"{label('devices', done.device).capitalize()} was not the screened device "
                f"({label('devices', plan.device)}).",
            )
        )
    for i, area in enumerate(done.areas):
        name = label("areas", area.area).capitalize()
        if area.area not in plan.areas:
            found.append(
                PlanConflict(
                    "area_not_screened",
                    f"areas[{i}].area",
                    f"{name} was not in the screened plan "
                    f"({', '.join(label('areas', a) for a in plan.areas)}).",
                )
            )
        facts = _as_done(
            screened,
            knowledge,
            areas=[area.area],
            depth=area.depth_mm,
            numbing_agent="none",
            topicals=none_topicals,
        )
        if evaluate(_OVER_CAP, facts) is not None:
            cap = knowledge.areas[area.area].max_depth_mm
            found.append(
                PlanConflict(
                    "depth_above_cap",
                    f"areas[{i}].depth_mm",
                    f"{name}: {_fmt(area.depth_mm)} is deeper than the {_fmt(cap)} "
                    "the knowledge base allows for this area.",
                )
            )
        if area.depth_mm > plan.needle_depth_mm:
            found.append(
                PlanConflict(
                    "depth_above_screened",
                    f"areas[{i}].depth_mm",
                    f"{name}: {_fmt(area.depth_mm)} is deeper than the screened "
                    f"{_fmt(plan.needle_depth_mm)}.",
                )
            )

    first_area = [done.areas[0].area] if done.areas else list(plan.areas)
    depth = plan.needle_depth_mm
    agent = done.numbing_agent
    if agent != "none":
        agent_name = label("numbing_agents", agent).capitalize()
        if agent != plan.numbing_agent:
            found.append(
                PlanConflict(
                    "numbing_agent_not_screened",
                    "numbing_agent",
                    f"{agent_name} was not the screened numbing cream "
                    f"({label('numbing_agents', plan.numbing_agent)}).",
                )
            )
        for allergy in sorted(screened.patient.allergies):
            facts = _as_done(
                screened,
                knowledge,
                areas=first_area,
                depth=depth,
                numbing_agent=agent,
                topicals=none_topicals,
                allergies=[allergy],
            )
            allergen = label("allergies", allergy)
            if evaluate(_ALLERGY_INGREDIENT, facts) is not None:
                found.append(
                    PlanConflict(
                        "allergy_numbing_agent",
                        "numbing_agent",
                        f"{agent_name} contains {allergen}, and the patient is allergic to it.",
                    )
                )
            elif evaluate(_ALLERGY_CLASS, facts) is not None:
                kind = knowledge.allergens[allergy].anaesthetic_class or "same"
                found.append(
                    PlanConflict(
                        "allergy_numbing_agent",
                        "numbing_agent",
                        f"{agent_name} cross-reacts with {allergen} ({kind} class), and the "
                        "patient is allergic to it.",
                    )
                )

    for i, code in enumerate(done.topicals):
        name = label("topicals", code).capitalize()
        where = f"topicals[{i}].code"
        if code not in plan.topicals:
            found.append(
                PlanConflict("topical_not_screened", where, f"{name}: not in the screened plan.")
            )
        facts = _as_done(
            screened,
            knowledge,
            areas=first_area,
            depth=depth,
            numbing_agent="none",
            topicals=[code],
        )
        if evaluate(_ALLERGY_TOPICAL, facts) is not None:
            found.append(
                PlanConflict(
                    "allergy_topical",
                    where,
                    f"{name}: the patient is allergic to {label('allergies', code)}.",
                )
            )
        if evaluate(_UNLABELED, facts) is not None:
            found.append(
                PlanConflict(
                    "product_unlabeled",
                    where,
                    f"{name}: not labelled for use on needled skin.",
                )
            )
    return found
