"""The aftercare plan as an iCalendar file (RFC 5545) that a phone calendar imports.

Three kinds of events, each with a reminder (VALARM):
- a daily skin-care reminder on days 1 to the plan's `reminder_days`, listing what to do and
  what to avoid that day;
- a milestone the day an avoid window ends ("Make-up is OK again", "Restart retinoid ...");
- each follow-up (a visit or the clinic's call), with its alarm the day before.

Times are floating (no time zone): a phone shows 09:00 as 09:00 wherever the patient is.
UIDs are stable: the same plan (and `uid_key`) gives the same UIDs, so importing an updated
file replaces events instead of doubling them. Pass the treatment's id as `uid_key` when there
is one. The wording and times come from `aftercare.yaml` (labels, calendar).
"""

from __future__ import annotations

import datetime as dt
import hashlib

from icalendar import Alarm, Calendar, Event

from needlesafe.engine.aftercare import AftercarePlan, aftercare_of
from needlesafe.knowledge.base import Knowledge

PRODID = "-//needlesafe//aftercare//EN"
UID_DOMAIN = "needlesafe"


def _uid_key(plan: AftercarePlan) -> str:
    return hashlib.sha256(plan.model_dump_json().encode()).hexdigest()[:16]


def aftercare_calendar(
    plan: AftercarePlan,
    knowledge: Knowledge,
    *,
    uid_key: str | None = None,
    stamp: dt.datetime | None = None,
) -> bytes:
    """The plan's reminders as .ics bytes.

    `stamp` is the DTSTAMP of every event (default: midnight UTC of the treatment day, so the
    same plan always gives the same bytes).
    """
    aftercare = aftercare_of(knowledge)
    labels, settings = aftercare.labels, aftercare.calendar
    key = uid_key or _uid_key(plan)
    stamp = stamp or dt.datetime.combine(plan.treatment_date, dt.time(0, 0), tzinfo=dt.UTC)
    at = dt.time(settings.reminder_hour, 0)
    length = dt.timedelta(minutes=settings.reminder_minutes)

    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", settings.calendar_name)

    def event(kind: str, ident: str, day: dt.date, summary: str, description: str) -> Event:
        start = dt.datetime.combine(day, at)
        item = Event()
        item.add("uid", f"{kind}-{ident}-{day:%Y%m%d}-{key}@{UID_DOMAIN}")
        item.add("dtstamp", stamp)
        item.add("dtstart", start)
        item.add("dtend", start + length)
        item.add("summary", summary)
        item.add("description", description)
        item.add("categories", [settings.calendar_name])
        item.add("transp", "TRANSPARENT")
        calendar.add_component(item)
        return item

    def alarm(item: Event, before: dt.timedelta, text: str) -> None:
        reminder = Alarm()
        reminder.add("action", "DISPLAY")
        reminder.add("description", text)
        reminder.add("trigger", -before)
        item.add_component(reminder)

    for day in plan.days:
        if not 1 <= day.day <= plan.reminder_days:
            continue
        lines = [f"{labels.do}:", *(f"- {i.text}" for i in day.do)]
        lines += [f"{labels.avoid}:", *(f"- {i.text}" for i in day.avoid)]
        lines += [f"{labels.normal}:", *(f"- {i.text}" for i in day.normal)]
        summary = labels.reminder.replace("{day}", str(day.day))
        item = event("day", str(day.day), day.date, summary, "\n".join(lines))
        alarm(item, dt.timedelta(minutes=settings.alarm_minutes_before), summary)

    for milestone in plan.milestones:
        summary = f"{labels.milestone}: {milestone.label}"
        item = event("milestone", milestone.id, milestone.date, summary, milestone.text)
        alarm(item, dt.timedelta(minutes=settings.alarm_minutes_before), summary)

    for follow_up in plan.follow_ups:
        summary = labels.visit if follow_up.kind == "visit" else labels.call
        item = event("follow-up", follow_up.id, follow_up.date, summary, follow_up.text)
        alarm(item, dt.timedelta(days=settings.follow_up_alarm_days_before), summary)

    ical: bytes = calendar.to_ical()
    return ical
