"""The schema of `aftercare.yaml`: the day-by-day course after a treatment, as data.

Every item (what is normal, what to do, what to avoid), follow-up and red flag is a small
record with a stable `id`, a plain-language `text`, the days it covers and its sources. Days
count from the treatment day (day 0). A day may be one number for every depth, or one number
per depth band (`{superficial: 1, medium: 2, deep: 3}`), so deeper treatments get longer
windows. A `when` condition selects items for some treatments only; an item may `replace`
others (a stricter sun rule replaces the standard one). A `when` is written in the condition
language of the rules (`needlesafe.knowledge.conditions`: one key per condition, `all` and
`any` to combine), with the keys of its aftercare table (`needlesafe knowledge keys`).

Like every knowledge file it forbids unknown keys. The codes and sources it names are checked
by the load's walk of every file (marked fields) and, for the codes of a `when`, by the
condition table (`conditions`); `check_aftercare` checks its own ids.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Literal

from pydantic import Field, model_validator

from needlesafe.knowledge.conditions import AftercarePredicate
from needlesafe.knowledge.schema import (
    MAX_NEEDLE_DEPTH_MM,
    Code,
    FileHeader,
    PatientText,
    PlainText,
    SourceIds,
    Strict,
)

DepthBandName = Literal["superficial", "medium", "deep"]
DEPTH_BANDS: tuple[DepthBandName, ...] = ("superficial", "medium", "deep")
ItemKind = Literal["normal", "do", "avoid"]
RedFlagAction = Literal["emergency", "urgent", "contact_clinic"]
FollowUpKind = Literal["visit", "call"]
Day = Annotated[int, Field(ge=0, le=365)]


class ByDepth(Strict):
    """A day that depends on the depth band; deeper bands never get a shorter window."""

    superficial: Day
    medium: Day
    deep: Day

    @model_validator(mode="after")
    def _deeper_is_not_shorter(self) -> ByDepth:
        if not self.superficial <= self.medium <= self.deep:
            raise ValueError(
                "deeper bands must not have earlier days (superficial <= medium <= deep)"
            )
        return self

    def at(self, band: DepthBandName) -> int:
        day: int = getattr(self, band)
        return day


DayOrByDepth = Day | ByDepth


def day_at(value: DayOrByDepth, band: DepthBandName) -> int:
    return value if isinstance(value, int) else value.at(band)


class Band(Strict):
    label: PlainText  # plain words, e.g. "light (0.5 mm or less)"
    up_to_mm: Annotated[float, Field(gt=0, le=MAX_NEEDLE_DEPTH_MM)]
    plan_days: Day  # the day-by-day plan runs from day 0 to this day
    reminder_days: Day  # daily calendar reminders from day 0 to this day
    sources: SourceIds


class DepthBands(Strict):
    superficial: Band
    medium: Band
    deep: Band

    @model_validator(mode="after")
    def _ordered_and_complete(self) -> DepthBands:
        if not self.superficial.up_to_mm < self.medium.up_to_mm < self.deep.up_to_mm:
            raise ValueError("up_to_mm must increase: superficial < medium < deep")
        if self.deep.up_to_mm != MAX_NEEDLE_DEPTH_MM:
            raise ValueError(
                f"deep.up_to_mm must be {MAX_NEEDLE_DEPTH_MM}, the deepest needle a plan may have"
            )
        return self

    def band_for(self, depth_mm: float) -> DepthBandName:
        for name in DEPTH_BANDS:
            if depth_mm <= getattr(self, name).up_to_mm:
                return name
        return "deep"


class BandStep(Strict):
    """Treat the plan as `steps` bands deeper when `when` holds (e.g. radiofrequency)."""

    id: Code
    when: AftercarePredicate
    steps: Annotated[int, Field(ge=1, le=2)]
    reason: PlainText  # clinician words
    sources: SourceIds


class Item(Strict):
    id: Code
    kind: ItemKind
    text: PatientText
    from_day: DayOrByDepth = 0
    to_day: DayOrByDepth  # the last day it applies (for `avoid`: the last day to avoid it)
    # for `avoid`: said on the day after `to_day` (a calendar milestone), e.g. "make-up is OK"
    resume_text: PatientText | None = None
    resume_label: PlainText | None = None  # its short calendar title, e.g. "Make-up is OK"
    when: AftercarePredicate | None = None
    replaces: list[Code] = []  # ids of items this one stands in for when it applies
    sources: SourceIds

    @model_validator(mode="after")
    def _window(self) -> Item:
        for band in DEPTH_BANDS:
            if day_at(self.from_day, band) > day_at(self.to_day, band):
                raise ValueError(f"from_day is after to_day for the {band} band")
        if self.resume_text is not None and self.kind != "avoid":
            raise ValueError("only an `avoid` item can have a resume_text")
        if (self.resume_text is None) != (self.resume_label is None):
            raise ValueError("resume_text and resume_label go together")
        return self


class FollowUp(Strict):
    id: Code
    kind: FollowUpKind
    day: DayOrByDepth
    text: PatientText
    when: AftercarePredicate | None = None
    replaces: list[Code] = []
    sources: SourceIds


class RedFlag(Strict):
    id: Code
    text: PatientText  # the sign
    action: RedFlagAction
    when: AftercarePredicate | None = None
    replaces: list[Code] = []
    sources: SourceIds


class ActionWords(Strict):
    """What to do for each red flag action; may name {clinic_phone} and {emergency_number}."""

    emergency: PatientText
    urgent: PatientText
    contact_clinic: PatientText


class Fallbacks(Strict):
    """Words put in place of a clinic's details the plan was not given."""

    clinic_phone: PlainText
    emergency_number: PlainText


class Labels(Strict):
    """Short labels (not prose) for the printed plan and the calendar."""

    title: PlainText
    treatment_day: PlainText
    day: PlainText  # names {day}
    normal: PlainText
    do: PlainText
    avoid: PlainText
    until: PlainText  # names {date}
    follow_ups: PlainText
    red_flags: PlainText
    reminder: PlainText  # calendar event title, names {day}
    milestone: PlainText  # calendar event title prefix
    visit: PlainText
    call: PlainText


class CalendarSettings(Strict):
    reminder_hour: Annotated[int, Field(ge=0, le=23)]
    reminder_minutes: Annotated[int, Field(ge=1, le=240)]  # how long each reminder event lasts
    alarm_minutes_before: Annotated[int, Field(ge=0, le=1440)]
    follow_up_alarm_days_before: Annotated[int, Field(ge=0, le=14)]
    calendar_name: PlainText


DayList = Annotated[list[Day], Field(min_length=1)]


class DaysByDepth(Strict):
    """Check-in reminder days per depth band (days after the treatment, day 0 excluded)."""

    superficial: DayList
    medium: DayList
    deep: DayList

    @model_validator(mode="after")
    def _increasing(self) -> DaysByDepth:
        for band in DEPTH_BANDS:
            days = getattr(self, band)
            if days != sorted(set(days)) or days[0] < 1:
                raise ValueError(f"{band}: days must be 1 or later, increasing, each once")
        return self

    def at(self, band: DepthBandName) -> list[int]:
        days: list[int] = getattr(self, band)
        return days


class ReminderSchedule(Strict):
    """The days a patient is asked to check in; `when` and `replaces` as for items."""

    id: Code
    days: DaysByDepth
    when: AftercarePredicate | None = None
    replaces: list[Code] = []
    sources: SourceIds


class ReminderTexts(Strict):
    """Patient words of the reminder messages and of what the clinic was told. They may name
    {clinic}, {day}, {link}, {stop_link}, {emergency_number} and {time}."""

    email_subject: PatientText
    email_body: PatientText
    resend_subject: PatientText
    resend_body: PatientText
    sms: PatientText
    resend_sms: PatientText
    stop_line: PatientText  # the opt-out line at the end of every message
    clinic_alert_sending: PatientText  # an urgent or emergency check-in, alert on its way
    clinic_alert_sent: PatientText  # ... sent at {time}
    clinic_alert_failed: PatientText  # ... could not be sent
    clinic_not_alerted: PatientText  # the clinic has no alert address
    clinic_sees_list: PatientText  # other answers: in the clinic's list, no alert
    stop_question: PatientText
    stopped: PatientText
    # SMS replies (the provider's inbound webhook): the opt-out line of a text, and the answers
    sms_stop_line: PatientText
    sms_stopped: PatientText  # STOP
    sms_started: PatientText  # START
    sms_help: PatientText  # HELP
    sms_not_read: PatientText  # any other reply: it is not read, so where to go instead


class CheckinReminders(Strict):
    """When reminders go out (the clinic's local time), the quiet hours in which none do, the
    re-send of an unanswered one and when it counts as missed."""

    send_hour: Annotated[int, Field(ge=0, le=23)]
    quiet_start_hour: Annotated[int, Field(ge=0, le=23)]
    quiet_end_hour: Annotated[int, Field(ge=0, le=23)]
    resend_after_hours: Annotated[int, Field(ge=1, le=96)]
    missed_after_hours: Annotated[int, Field(ge=1, le=96)]
    schedules: Annotated[list[ReminderSchedule], Field(min_length=1)]
    texts: ReminderTexts
    sources: SourceIds  # for the times and the re-send

    @model_validator(mode="after")
    def _send_outside_quiet_hours(self) -> CheckinReminders:
        start, end, hour = self.quiet_start_hour, self.quiet_end_hour, self.send_hour
        quiet = (start <= hour or hour < end) if start > end else (start <= hour < end)
        if quiet:
            raise ValueError("send_hour falls in the quiet hours")
        return self


class PhotoRedness(Strict):
    """When photo-measured redness counts as not settling: the treated area still redder than
    the untreated reference by more than `min_delta_a` (CIELAB a*) after the day normal
    redness ends (the `normal_item` of the plan), and not falling."""

    normal_item: Code
    min_delta_a: Annotated[float, Field(gt=0, le=50)]
    agreement_note: PlainText  # clinician words: how far phone photos can be trusted
    sources: SourceIds


class AftercareFile(FileHeader):
    intro: PatientText
    depth_bands: DepthBands
    band_steps: list[BandStep]
    items: Annotated[list[Item], Field(min_length=1)]
    follow_ups: Annotated[list[FollowUp], Field(min_length=1)]
    red_flags: Annotated[list[RedFlag], Field(min_length=1)]
    action_words: ActionWords
    fallbacks: Fallbacks
    labels: Labels
    calendar: CalendarSettings
    checkin_reminders: CheckinReminders | None = None  # none: no reminders are sent
    photo_redness: PhotoRedness | None = None


def check_aftercare(aftercare: AftercareFile) -> list[str]:
    """Problems no single file can see: ids defined twice and replaced ids that are not there.
    (The codes and sources it names are checked by the load's walk of every file.)"""
    problems: list[str] = []
    where_file = "aftercare.yaml"
    groups: list[tuple[str, list[Item] | list[FollowUp] | list[RedFlag]]] = [
        ("items", aftercare.items),
        ("follow_ups", aftercare.follow_ups),
        ("red_flags", aftercare.red_flags),
    ]
    for group, entries in groups:
        ids = [entry.id for entry in entries]
        seen: set[str] = set()
        for ident in ids:
            if ident in seen:
                problems.append(f"{where_file}: {group}: id {ident!r} is defined twice")
            seen.add(ident)
        for entry in entries:
            where = f"{where_file}: {group} ({entry.id})"
            for replaced in entry.replaces:
                if replaced not in seen or replaced == entry.id:
                    problems.append(f"{where}: replaces: no other {group} entry {replaced!r}")
            if entry.replaces and entry.when is None:
                problems.append(f"{where}: replaces others but has no `when`, so they never apply")
    if aftercare.checkin_reminders is not None:
        schedule_ids = [s.id for s in aftercare.checkin_reminders.schedules]
        for schedule in aftercare.checkin_reminders.schedules:
            where = f"{where_file}: checkin_reminders.schedules ({schedule.id})"
            if schedule_ids.count(schedule.id) > 1:
                problems.append(f"{where}: id is defined twice")
            for replaced in schedule.replaces:
                if replaced not in schedule_ids or replaced == schedule.id:
                    problems.append(f"{where}: replaces: no other schedule {replaced!r}")
    redness = aftercare.photo_redness
    if redness is not None and redness.normal_item not in {i.id for i in aftercare.items}:
        problems.append(
            f"{where_file}: photo_redness: normal_item: no item {redness.normal_item!r}"
        )
    for item in aftercare.items:
        if item.replaces:
            kinds = {i.kind for i in aftercare.items if i.id in item.replaces}
            if kinds - {item.kind}:
                problems.append(
                    f"{where_file}: items ({item.id}): replaces: an item of another kind"
                )
    return problems


def conditions(aftercare: AftercareFile) -> Iterator[tuple[str, AftercarePredicate]]:
    """Every `when` of the file with where it is (`items (avoid_sun_strict)`)."""
    groups: list[tuple[str, list[BandStep] | list[Item] | list[FollowUp] | list[RedFlag]]] = [
        ("band_steps", aftercare.band_steps),
        ("items", aftercare.items),
        ("follow_ups", aftercare.follow_ups),
        ("red_flags", aftercare.red_flags),
    ]
    for group, entries in groups:
        for entry in entries:
            if entry.when is not None:
                yield f"{group} ({entry.id})", entry.when
    if aftercare.checkin_reminders is not None:
        for schedule in aftercare.checkin_reminders.schedules:
            if schedule.when is not None:
                yield f"checkin_reminders.schedules ({schedule.id})", schedule.when
