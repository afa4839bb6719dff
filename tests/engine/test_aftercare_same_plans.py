"""The aftercare plan's conditions are evaluated by the rules' evaluator (issue 12): for a
spread of intakes, the same entries apply as did when aftercare had its own condition language.

`aftercare_same_plans.json` holds 160 intakes (random but fixed: every area, device, numbing
cream, topical, condition, medication and allergy, depths from 0.25 to 4 mm) and, for each,
what the hand-written evaluator it replaced selected: the depth band and band steps, the
items, follow-ups and red flags, and the check-in reminder days. Every entry with a `when`
applies to some of them and not to others.

When a change to aftercare.yaml is meant to change which entries apply, write the file again
from the current code (and read its diff):

    .venv/bin/python -m tests.engine.test_aftercare_same_plans
"""

from __future__ import annotations

import datetime as dt
import json
import random
from pathlib import Path
from typing import Any

import pytest

from needlesafe.engine.aftercare import (
    AftercareRequest,
    PlannedFollowUp,
    PlannedItem,
    PlannedRedFlag,
    checkin_reminder_days,
    plan_from_request,
)
from needlesafe.engine.inputs import parse
from needlesafe.engine.models import Intake
from needlesafe.engine.screening import screen
from needlesafe.knowledge.aftercare_schema import FollowUp, Item, RedFlag
from needlesafe.knowledge.base import Knowledge

GOLDEN = Path(__file__).with_name("aftercare_same_plans.json")
COUNT = 160
DEPTHS = (0.25, 0.5, 0.75, 1.0, 1.5, 1.6, 2.0, 2.5, 3.0, 3.5, 4.0)


def spread(knowledge: Knowledge, count: int, seed: int = 12) -> list[dict[str, Any]]:
    """`count` intakes drawn from the knowledge base's codes."""
    codes = {name: sorted(values) for name, values in knowledge.codes.items()}
    rng = random.Random(seed)

    def some(name: str, most: int) -> list[str]:
        return rng.sample(codes[name], rng.randint(0, most))

    def drop_empty(part: dict[str, Any]) -> dict[str, Any]:
        return {key: value for key, value in part.items() if value != []}

    return [
        {
            "patient": drop_empty(
                {
                    "age": rng.choice([16, 25, 40, 70]),
                    "fitzpatrick": rng.choice(codes["fitzpatrick"]),
                    "conditions": some("conditions", 3),
                    "medications": [
                        {"code": c, "stopped_days_ago": rng.choice([5, 60])}
                        if rng.random() < 0.3
                        else c
                        for c in some("medications", 2)
                    ],
                    "allergies": some("allergies", 2),
                }
            ),
            "plan": drop_empty(
                {
                    "areas": rng.sample(codes["areas"], rng.randint(1, 3)),
                    "needle_depth_mm": rng.choice(DEPTHS),
                    "device": rng.choice(codes["devices"]),
                    "numbing_agent": rng.choice(codes["numbing_agents"]),
                    "topicals": some("topicals", 2),
                    "patch_test_done": rng.random() < 0.7,
                }
            ),
        }
        for _ in range(count)
    ]


def selection(data: dict[str, Any], knowledge: Knowledge) -> dict[str, Any]:
    """What the aftercare conditions select for the intake `data`: the depth band, the band
    steps, the entries that apply (but those that apply to every plan: no `when`, replaced by
    none) and the check-in reminder days."""
    aftercare = knowledge.aftercare
    assert aftercare is not None
    request = parse(AftercareRequest, data, knowledge)
    plan = plan_from_request(request, knowledge, default_date=dt.date(2026, 3, 2))
    assessment = screen(Intake(patient=request.patient, plan=request.plan), knowledge)
    band, reminders = checkin_reminder_days(
        knowledge, depth_mm=request.plan.needle_depth_mm, screened=(request.plan, assessment)
    )
    entries: list[Item | FollowUp | RedFlag] = [
        *aftercare.items,
        *aftercare.follow_ups,
        *aftercare.red_flags,
    ]
    replaced = {ident for entry in entries for ident in entry.replaces}
    always = {e.id for e in entries if e.when is None and e.id not in replaced}
    applying: list[PlannedItem | PlannedFollowUp | PlannedRedFlag] = [
        *plan.items,
        *plan.follow_ups,
        *plan.red_flags,
    ]
    return {
        "band": plan.depth_band,
        "band_steps": plan.band_steps,
        "applies": sorted(e.id for e in applying if e.id not in always),
        "reminders": reminders,
    }


CASES: list[dict[str, Any]] = (
    json.loads(GOLDEN.read_text(encoding="utf-8")) if GOLDEN.exists() else []
)


@pytest.mark.parametrize("number", range(len(CASES)))
def test_the_same_entries_apply_as_before(number: int, knowledge: Knowledge) -> None:
    case = CASES[number]
    assert selection(case["intake"], knowledge) == case["selected"], case["intake"]


def test_the_spread_makes_every_condition_both_hold_and_fail(knowledge: Knowledge) -> None:
    aftercare = knowledge.aftercare
    assert aftercare is not None
    assert len(CASES) == COUNT
    applies = [case["selected"]["applies"] for case in CASES]
    entries: list[Item | FollowUp | RedFlag] = [
        *aftercare.items,
        *aftercare.follow_ups,
        *aftercare.red_flags,
    ]
    for entry in entries:
        if entry.when is not None:
            count = sum(entry.id in ids for ids in applies)
            assert 0 < count < COUNT, f"{entry.id} applies to {count} of {COUNT}"
    assert len({c["selected"]["band_steps"] == [] for c in CASES}) == 2
    assert len({tuple(c["selected"]["reminders"]) for c in CASES}) > 3


if __name__ == "__main__":  # write the file again from the current code
    from needlesafe.knowledge.loader import load_knowledge

    loaded = load_knowledge()
    written = [
        {"intake": intake, "selected": selection(intake, loaded)}
        for intake in spread(loaded, COUNT)
    ]
    GOLDEN.write_text(
        "[\n" + ",\n".join(json.dumps(c, separators=(",", ":")) for c in written) + "\n]\n",
        encoding="utf-8",
    )
    print(f"wrote {GOLDEN}: {len(written)} intakes")
