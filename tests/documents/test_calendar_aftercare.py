"""The aftercare calendar: it parses back with icalendar, has the events a phone needs (daily
reminders, milestones, follow-ups, each with an alarm) on the right dates, and stable UIDs."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from icalendar import Calendar

from needlesafe.documents.calendar import aftercare_calendar
from needlesafe.engine.aftercare import AftercarePlan, AftercareRequest, plan_from_request
from needlesafe.engine.inputs import parse
from needlesafe.knowledge.base import Knowledge

DAY0 = dt.date(2026, 3, 2)


def plan_for(knowledge: Knowledge, depth: float = 1.0, **patient: Any) -> AftercarePlan:
    data = {
        "patient": {"age": 40, "fitzpatrick": "II", **patient},
        "plan": {"areas": ["cheeks"], "needle_depth_mm": depth, "device": "pen"},
        "treatment_date": DAY0.isoformat(),
    }
    request = parse(AftercareRequest, data, knowledge)
    return plan_from_request(request, knowledge, default_date=DAY0)


def events(ics: bytes) -> list[Any]:
    calendar = Calendar.from_ical(ics)
    assert calendar["VERSION"] == "2.0"
    assert "needlesafe" in str(calendar["PRODID"])
    return list(calendar.walk("VEVENT"))


def starts(found: list[Any], prefix: str) -> list[dt.datetime]:
    return sorted(e.decoded("DTSTART") for e in found if str(e["UID"]).startswith(prefix))


def test_the_calendar_has_one_event_per_reminder_day_milestone_and_follow_up(
    knowledge: Knowledge,
) -> None:
    plan = plan_for(knowledge)
    found = events(aftercare_calendar(plan, knowledge))
    assert plan.reminder_days == 3
    assert len(found) == 3 + len(plan.milestones) + len(plan.follow_ups)
    assert starts(found, "day-") == [
        dt.datetime.combine(DAY0 + dt.timedelta(days=d), dt.time(9, 0)) for d in (1, 2, 3)
    ]
    assert starts(found, "follow-up-") == [dt.datetime(2026, 3, 30, 9, 0)]


def test_milestones_fall_on_the_day_after_each_avoid_window(knowledge: Knowledge) -> None:
    plan = plan_for(knowledge)
    found = {str(e["SUMMARY"]): e for e in events(aftercare_calendar(plan, knowledge))}
    makeup = found["Aftercare: Make-up is OK again"]
    assert makeup.decoded("DTSTART") == dt.datetime(2026, 3, 4, 9, 0)  # 48 h at 1.0 mm
    retinoid = found["Aftercare: Restart retinoid and acid products"]
    assert retinoid.decoded("DTSTART") == dt.datetime(2026, 3, 9, 9, 0)  # day 7
    assert "retinoid" in str(retinoid["DESCRIPTION"])


def test_every_event_has_the_required_properties_and_an_alarm(knowledge: Knowledge) -> None:
    plan = plan_for(knowledge, fitzpatrick="V", conditions=["cold_sore_history"])
    found = events(aftercare_calendar(plan, knowledge))
    for event in found:
        for prop in ("UID", "DTSTAMP", "DTSTART", "DTEND", "SUMMARY", "DESCRIPTION"):
            assert prop in event, (prop, event)
        assert event.decoded("DTEND") > event.decoded("DTSTART")
        assert event.decoded("DTSTART").tzinfo is None  # floating: the phone's local time
        alarms = list(event.walk("VALARM"))
        assert len(alarms) == 1
        assert alarms[0]["ACTION"] == "DISPLAY"
        assert "DESCRIPTION" in alarms[0] and "TRIGGER" in alarms[0]
        assert alarms[0].decoded("TRIGGER") <= dt.timedelta(0)
    follow_ups = [e for e in found if str(e["UID"]).startswith("follow-up-")]
    assert len(follow_ups) == 3  # early call, early visit, 4-week review
    for event in follow_ups:
        assert list(event.walk("VALARM"))[0].decoded("TRIGGER") == -dt.timedelta(days=1)


def test_daily_reminders_list_the_days_instructions(knowledge: Knowledge) -> None:
    plan = plan_for(knowledge)
    found = events(aftercare_calendar(plan, knowledge))
    day1 = next(e for e in found if str(e["SUMMARY"]) == "Skin care, day 1")
    text = str(day1["DESCRIPTION"])
    for item in (*plan.days[1].do, *plan.days[1].avoid):
        assert item.text in text


@pytest.mark.parametrize(("depth", "reminders"), [(0.5, 2), (1.0, 3), (2.0, 5)])
def test_deeper_treatments_get_more_daily_reminders(
    depth: float, reminders: int, knowledge: Knowledge
) -> None:
    found = events(aftercare_calendar(plan_for(knowledge, depth), knowledge))
    assert len(starts(found, "day-")) == reminders


def test_uids_are_unique_and_stable(knowledge: Knowledge) -> None:
    plan = plan_for(knowledge)
    first = aftercare_calendar(plan, knowledge)
    assert first == aftercare_calendar(plan_for(knowledge), knowledge)  # same bytes
    uids = [str(e["UID"]) for e in events(first)]
    assert len(set(uids)) == len(uids)
    assert all(uid.endswith("@needlesafe") for uid in uids)
    keyed = [str(e["UID"]) for e in events(aftercare_calendar(plan, knowledge, uid_key="t42"))]
    assert all("-t42@" in uid for uid in keyed)
    assert keyed == [
        str(e["UID"]) for e in events(aftercare_calendar(plan, knowledge, uid_key="t42"))
    ]


def test_dtstamp_can_be_given(knowledge: Knowledge) -> None:
    stamp = dt.datetime(2026, 3, 1, 12, 30, tzinfo=dt.UTC)
    found = events(aftercare_calendar(plan_for(knowledge), knowledge, stamp=stamp))
    assert {e.decoded("DTSTAMP") for e in found} == {stamp}
