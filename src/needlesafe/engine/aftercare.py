"""The aftercare plan: a pure function from a treatment and its assessment to a day-by-day plan.

Every clinical fact (what is normal on which day, what to do, what to avoid and until when,
the follow-ups and the warning signs) comes from `aftercare.yaml`; this module only picks the
entries whose conditions hold for the treatment and the patient's risks (evaluated like the
rules' conditions, by `needlesafe.engine.conditions`), applies the replacements, turns day
numbers into dates and lays the entries out day by day.

No clock: the treatment date is an input. `plan_aftercare` is what services call with a stored
treatment and its assessment; `plan_from_request` runs screening first, for the CLI.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Annotated, Literal, TypeVar

from pydantic import Field

from needlesafe.engine.conditions import holds
from needlesafe.engine.facts import AftercareFacts
from needlesafe.engine.models import Assessment, Input, Intake, Output, Patient, Plan
from needlesafe.engine.screening import screen
from needlesafe.knowledge.aftercare_schema import (
    DEPTH_BANDS,
    AftercareFile,
    DepthBandName,
    FollowUp,
    Item,
    RedFlag,
    day_at,
)
from needlesafe.knowledge.base import Knowledge
from needlesafe.knowledge.schema import Decision, Level

ItemKind = Literal["normal", "do", "avoid"]
RedFlagAction = Literal["emergency", "urgent", "contact_clinic"]
ACTION_ORDER: dict[str, int] = {"emergency": 0, "urgent": 1, "contact_clinic": 2}

# ---------------------------------------------------------------- input


class AftercareRequest(Input):
    """An intake plus when the treatment is (or was) done, and the clinic's numbers.

    `treatment_date` may be left out: the caller (not the engine) then decides, e.g. today.
    """

    patient: Patient
    plan: Plan
    treatment_date: dt.date | None = None
    clinic_phone: Annotated[str, Field(min_length=1, max_length=40)] | None = None
    emergency_number: Annotated[str, Field(min_length=1, max_length=20)] | None = None


# ---------------------------------------------------------------- output


class PlannedItem(Output):
    """One instruction with its window: from `from_date` to `to_date`, both included."""

    id: str
    kind: ItemKind
    text: str
    from_day: int
    to_day: int
    from_date: dt.date
    to_date: dt.date
    # for `avoid`: the first day it is fine again, and what to say then
    resume_day: int | None = None
    resume_date: dt.date | None = None
    resume_text: str | None = None
    resume_label: str | None = None
    sources: list[str]


class DayItem(Output):
    id: str
    text: str
    until_date: dt.date  # the last day this applies
    sources: list[str]


class AftercareDay(Output):
    day: int  # 0 is the treatment day
    date: dt.date
    title: str
    normal: list[DayItem]
    do: list[DayItem]
    avoid: list[DayItem]


class Milestone(Output):
    """The day an `avoid` window ends: "make-up is OK again"."""

    id: str  # the avoid item's id
    day: int
    date: dt.date
    label: str
    text: str


class PlannedFollowUp(Output):
    id: str
    kind: Literal["visit", "call"]
    day: int
    date: dt.date
    text: str
    sources: list[str]


class PlannedRedFlag(Output):
    id: str
    text: str
    action: RedFlagAction
    action_text: str  # what to do, with the clinic's or the fallback numbers filled in
    sources: list[str]


class AftercarePlan(Output):
    treatment_date: dt.date
    intro: str
    depth_band: DepthBandName  # after any band steps (e.g. radiofrequency heals deeper)
    depth_band_label: str
    band_steps: list[str]  # ids of the band steps that applied
    screening_decision: Decision
    raised_risks: list[str]  # complication codes above baseline
    days: list[AftercareDay]  # day 0 to the band's plan_days
    items: list[PlannedItem]  # every instruction that applies, with its full window
    milestones: list[Milestone]
    follow_ups: list[PlannedFollowUp]
    red_flags: list[PlannedRedFlag]  # emergency first
    reminder_days: int  # daily calendar reminders up to this day
    knowledge_version: str

    def avoid_windows(self) -> list[PlannedItem]:
        return [item for item in self.items if item.kind == "avoid"]


# ---------------------------------------------------------------- conditions


Entry = TypeVar("Entry", Item, FollowUp, RedFlag)


def _select(entries: Sequence[Entry], facts: AftercareFacts) -> list[Entry]:
    """The entries whose condition holds, minus those an applying entry replaces."""
    applying = [e for e in entries if holds(e.when, facts)]
    replaced = {ident for e in applying for ident in e.replaces}
    return [e for e in applying if e.id not in replaced]


def _band(
    aftercare: AftercareFile, depth: float, facts: AftercareFacts
) -> tuple[DepthBandName, list[str]]:
    band = aftercare.depth_bands.band_for(depth)
    steps = [s for s in aftercare.band_steps if holds(s.when, facts)]
    if not steps:
        return band, []
    index = min(DEPTH_BANDS.index(band) + max(s.steps for s in steps), len(DEPTH_BANDS) - 1)
    return DEPTH_BANDS[index], [s.id for s in steps]


# ---------------------------------------------------------------- the plan


def aftercare_of(knowledge: Knowledge) -> AftercareFile:
    if knowledge.aftercare is None:
        raise ValueError("this knowledge base has no aftercare.yaml")
    return knowledge.aftercare


def plan_aftercare(
    plan: Plan,
    assessment: Assessment,
    knowledge: Knowledge,
    *,
    treatment_date: dt.date,
    clinic_phone: str | None = None,
    emergency_number: str | None = None,
) -> AftercarePlan:
    """The day-by-day aftercare plan for `plan`, done on `treatment_date`, given its assessment."""
    aftercare = aftercare_of(knowledge)
    facts = AftercareFacts(plan, assessment, knowledge)
    band, band_steps = _band(aftercare, plan.needle_depth_mm, facts)
    settings = getattr(aftercare.depth_bands, band)

    def date(day: int) -> dt.date:
        return treatment_date + dt.timedelta(days=day)

    items: list[PlannedItem] = []
    for item in _select(aftercare.items, facts):
        start, end = day_at(item.from_day, band), day_at(item.to_day, band)
        resumes = item.kind == "avoid"
        items.append(
            PlannedItem(
                id=item.id,
                kind=item.kind,
                text=item.text,
                from_day=start,
                to_day=end,
                from_date=date(start),
                to_date=date(end),
                resume_day=end + 1 if resumes else None,
                resume_date=date(end + 1) if resumes else None,
                resume_text=item.resume_text,
                resume_label=item.resume_label,
                sources=list(item.sources),
            )
        )

    labels = aftercare.labels
    days: list[AftercareDay] = []
    for day in range(settings.plan_days + 1):
        on_day = {
            kind: [
                DayItem(id=i.id, text=i.text, until_date=i.to_date, sources=i.sources)
                for i in items
                if i.kind == kind and i.from_day <= day <= i.to_day
            ]
            for kind in ("normal", "do", "avoid")
        }
        days.append(
            AftercareDay(
                day=day,
                date=date(day),
                title=labels.treatment_day if day == 0 else labels.day.replace("{day}", str(day)),
                normal=on_day["normal"],
                do=on_day["do"],
                avoid=on_day["avoid"],
            )
        )

    milestones = sorted(
        (
            Milestone(
                id=i.id,
                day=i.resume_day,
                date=i.resume_date,
                label=i.resume_label,
                text=i.resume_text,
            )
            for i in items
            if i.resume_day is not None
            and i.resume_date is not None
            and i.resume_text is not None
            and i.resume_label is not None
        ),
        key=lambda m: (m.day, m.id),
    )
    follow_ups = sorted(
        (
            PlannedFollowUp(
                id=f.id,
                kind=f.kind,
                day=day_at(f.day, band),
                date=date(day_at(f.day, band)),
                text=f.text,
                sources=list(f.sources),
            )
            for f in _select(aftercare.follow_ups, facts)
        ),
        key=lambda f: (f.day, f.id),
    )
    phone = clinic_phone or aftercare.fallbacks.clinic_phone
    emergency = emergency_number or aftercare.fallbacks.emergency_number
    red_flags = sorted(
        (
            PlannedRedFlag(
                id=flag.id,
                text=flag.text,
                action=flag.action,
                action_text=getattr(aftercare.action_words, flag.action)
                .replace("{clinic_phone}", phone)
                .replace("{emergency_number}", emergency),
                sources=list(flag.sources),
            )
            for flag in _select(aftercare.red_flags, facts)
        ),
        key=lambda f: ACTION_ORDER[f.action],
    )
    return AftercarePlan(
        treatment_date=treatment_date,
        intro=aftercare.intro,
        depth_band=band,
        depth_band_label=settings.label,
        band_steps=band_steps,
        screening_decision=assessment.decision,
        raised_risks=[c for c, r in assessment.risks.items() if r.level is not Level.baseline],
        days=days,
        items=items,
        milestones=milestones,
        follow_ups=follow_ups,
        red_flags=red_flags,
        reminder_days=settings.reminder_days,
        knowledge_version=knowledge.version,
    )


def plan_from_request(
    request: AftercareRequest, knowledge: Knowledge, *, default_date: dt.date
) -> AftercarePlan:
    """Screen the intake, then plan its aftercare (on `default_date` if the request has none)."""
    assessment = screen(Intake(patient=request.patient, plan=request.plan), knowledge)
    return plan_aftercare(
        request.plan,
        assessment,
        knowledge,
        treatment_date=request.treatment_date or default_date,
        clinic_phone=request.clinic_phone,
        emergency_number=request.emergency_number,
    )


# ---------------------------------------------------------------- check-in reminders


def checkin_reminder_days(
    knowledge: Knowledge,
    *,
    depth_mm: float,
    screened: tuple[Plan, Assessment] | None = None,
) -> tuple[DepthBandName, list[int]]:
    """The depth band and the days after the treatment on which the patient is asked to check
    in (`aftercare.yaml: checkin_reminders`), for the plan as done and its assessment. Without
    them (a treatment recorded with no screening) only the schedules without a condition
    apply, at `depth_mm`."""
    aftercare = aftercare_of(knowledge)
    reminders = aftercare.checkin_reminders
    if screened is None:
        band = aftercare.depth_bands.band_for(depth_mm)
        applying = [s for s in reminders.schedules if s.when is None] if reminders else []
    else:
        facts = AftercareFacts(*screened, knowledge)
        band, _ = _band(aftercare, depth_mm, facts)
        applying = [s for s in reminders.schedules if holds(s.when, facts)] if reminders else []
    replaced = {ident for s in applying for ident in s.replaces}
    return band, sorted({day for s in applying if s.id not in replaced for day in s.days.at(band)})


def normal_redness_until(knowledge: Knowledge, band: DepthBandName) -> int | None:
    """The last day redness is expected (`photo_redness.normal_item`), for the photo finding."""
    aftercare = aftercare_of(knowledge)
    if aftercare.photo_redness is None:
        return None
    for item in aftercare.items:
        if item.id == aftercare.photo_redness.normal_item:
            return day_at(item.to_day, band)
    return None
