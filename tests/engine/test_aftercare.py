"""The aftercare plan: what changes with depth, device, areas, numbing cream, products and the
patient's risks; dates from the treatment date; plain language; bad input named by field."""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
from typing import Any

import pytest

from needlesafe.engine.aftercare import (
    AftercarePlan,
    AftercareRequest,
    plan_aftercare,
    plan_from_request,
)
from needlesafe.engine.inputs import parse, parse_intake
from needlesafe.engine.screening import screen
from needlesafe.errors import InputError
from needlesafe.knowledge.base import Knowledge
from needlesafe.knowledge.lint import patient_texts, unexplained_words
from needlesafe.knowledge.readability import MAX_GRADE, reading_grade

DAY0 = dt.date(2026, 3, 2)
HEALTHY: dict[str, Any] = {
    "patient": {"age": 40, "fitzpatrick": "II"},
    "plan": {
        "areas": ["cheeks"],
        "needle_depth_mm": 1.0,
        "device": "pen",
        "patch_test_done": True,
    },
    "treatment_date": DAY0.isoformat(),
}


def request(**changes: Any) -> dict[str, Any]:
    """HEALTHY with `patient.x` / `plan.x` / top-level keys changed."""
    data = copy.deepcopy(HEALTHY)
    for key, value in changes.items():
        part, _, field = key.partition("__")
        if field:
            data[part][field] = value
        else:
            data[part] = value
    return data


def plan_of(data: dict[str, Any], knowledge: Knowledge) -> AftercarePlan:
    return plan_from_request(
        parse(AftercareRequest, data, knowledge), knowledge, default_date=dt.date(2000, 1, 1)
    )


def windows(plan: AftercarePlan) -> dict[str, int]:
    return {item.id: item.to_day for item in plan.items}


def item_ids(plan: AftercarePlan) -> set[str]:
    return {item.id for item in plan.items}


def flags(plan: AftercarePlan) -> dict[str, str]:
    return {flag.id: flag.action for flag in plan.red_flags}


# ---------------------------------------------------------------- depth and device


def test_deeper_treatment_gets_longer_avoid_windows(knowledge: Knowledge) -> None:
    light, medium, deep = (
        windows(plan_of(request(plan__needle_depth_mm=d), knowledge)) for d in (0.25, 1.0, 2.0)
    )
    for ident in ("avoid_makeup", "avoid_actives", "avoid_sweat", "avoid_swim_sauna"):
        assert light[ident] < medium[ident] < deep[ident], ident
    for ident in set(light) & set(deep):
        assert light[ident] <= medium[ident] <= deep[ident], ident


def test_make_up_is_off_for_24_to_48_hours_and_actives_for_about_a_week(
    knowledge: Knowledge,
) -> None:
    light = plan_of(request(plan__needle_depth_mm=0.5), knowledge)
    medium = plan_of(request(plan__needle_depth_mm=1.5), knowledge)
    makeup = {
        p.depth_band: next(i for i in p.items if i.id == "avoid_makeup") for p in (light, medium)
    }
    assert makeup["superficial"].resume_date == DAY0 + dt.timedelta(days=1)
    assert makeup["medium"].resume_date == DAY0 + dt.timedelta(days=2)
    actives = {
        p.depth_band: next(i for i in p.items if i.id == "avoid_actives") for p in (light, medium)
    }
    days = [actives[band].resume_day for band in ("superficial", "medium")]
    assert all(day is not None and 5 <= day <= 7 for day in days)


def test_deeper_treatment_gets_a_longer_day_by_day_plan_and_more_reminders(
    knowledge: Knowledge,
) -> None:
    light, deep = (plan_of(request(plan__needle_depth_mm=d), knowledge) for d in (0.5, 2.0))
    assert (light.depth_band, deep.depth_band) == ("superficial", "deep")
    assert len(deep.days) > len(light.days)
    assert deep.reminder_days > light.reminder_days
    assert [d.day for d in light.days] == list(range(len(light.days)))


@pytest.mark.parametrize(
    ("depth", "band"),
    [
        (0.1, "superficial"),
        (0.5, "superficial"),
        (0.51, "medium"),
        (1.5, "medium"),
        (1.6, "deep"),
        (2.0, "deep"),
    ],
)
def test_the_depth_band_follows_the_needle_depth(
    depth: float, band: str, knowledge: Knowledge
) -> None:
    assert plan_of(request(plan__needle_depth_mm=depth), knowledge).depth_band == band


def test_radiofrequency_heals_like_one_band_deeper(knowledge: Knowledge) -> None:
    pen = plan_of(request(plan__needle_depth_mm=0.5), knowledge)
    rf = plan_of(request(plan__needle_depth_mm=0.5, plan__device="radiofrequency"), knowledge)
    assert (pen.depth_band, rf.depth_band) == ("superficial", "medium")
    assert rf.band_steps == ["radiofrequency_heals_deeper"]
    assert windows(rf)["avoid_makeup"] > windows(pen)["avoid_makeup"]
    assert "normal_radiofrequency_marks" in item_ids(rf) - item_ids(pen)
    assert "early_call" in {f.id for f in rf.follow_ups}
    deepest = plan_of(request(plan__needle_depth_mm=2.0, plan__device="radiofrequency"), knowledge)
    assert deepest.depth_band == "deep"  # capped


# ---------------------------------------------------------------- the patient's risks


def test_cold_sore_history_adds_the_antiviral_course_and_a_faster_blister_warning(
    knowledge: Knowledge,
) -> None:
    plain = plan_of(request(), knowledge)
    cold_sores = plan_of(request(patient__conditions=["cold_sore_history"]), knowledge)
    assert "herpes_reactivation" in cold_sores.raised_risks
    assert {"do_antiviral", "avoid_lip_contact"} <= item_ids(cold_sores)
    assert not {"do_antiviral", "avoid_lip_contact"} & item_ids(plain)
    assert flags(plain)["cold_sore"] == "contact_clinic"
    assert flags(cold_sores)["cold_sore_history"] == "urgent"
    assert "cold_sore" not in flags(cold_sores)  # replaced
    day1 = cold_sores.days[1]
    assert any("cold sore medicine" in i.text for i in day1.do)
    intake = parse_intake(
        without_date(request(patient__conditions=["cold_sore_history"])), knowledge
    )
    assert "antiviral_prophylaxis" in {p.code for p in screen(intake, knowledge).precautions}


def without_date(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if k != "treatment_date"}


@pytest.mark.parametrize(
    "patient",
    [
        {"fitzpatrick": "IV"},
        {"fitzpatrick": "V"},
        {"fitzpatrick": "VI"},
        {"fitzpatrick": "II", "conditions": ["melasma"]},
        {"fitzpatrick": "I", "conditions": ["pih_history"]},
    ],
)
def test_hyperpigmentation_risk_gets_the_stricter_sun_rule(
    patient: dict[str, Any], knowledge: Knowledge
) -> None:
    standard = plan_of(request(), knowledge)
    strict = plan_of(request(patient={"age": 40, **patient}), knowledge)
    assert "hyperpigmentation" in strict.raised_risks
    assert {"avoid_sun_strict", "do_sunscreen_strict"} <= item_ids(strict)
    assert not {"avoid_sun", "do_sunscreen"} & item_ids(strict)
    assert {"avoid_sun", "do_sunscreen"} <= item_ids(standard)
    assert windows(strict)["avoid_sun_strict"] > windows(standard)["avoid_sun"]
    assert windows(strict)["do_sunscreen_strict"] > windows(standard)["do_sunscreen"]
    assert "SPF 50" in next(i.text for i in strict.items if i.id == "do_sunscreen_strict")
    assert "early_visit" in {f.id for f in strict.follow_ups}


def test_a_healthy_patient_has_one_follow_up_at_four_weeks(knowledge: Knowledge) -> None:
    plan = plan_of(request(), knowledge)
    assert [(f.id, f.kind, f.day, f.date) for f in plan.follow_ups] == [
        ("review_visit", "visit", 28, DAY0 + dt.timedelta(days=28))
    ]


def test_higher_risk_patients_are_followed_up_earlier(knowledge: Knowledge) -> None:
    plan = plan_of(request(patient__conditions=["keloid_history"]), knowledge)
    days = [f.day for f in plan.follow_ups]
    assert days == sorted(days)
    assert days[0] < 28
    assert {"early_visit", "review_visit"} <= {f.id for f in plan.follow_ups}


# ---------------------------------------------------------------- areas, numbing, products


def test_numbing_cream_is_normal_on_day_0_and_blue_lips_is_an_emergency_for_some_creams(
    knowledge: Knowledge,
) -> None:
    none = plan_of(request(), knowledge)
    lidocaine = plan_of(request(plan__numbing_agent="lidocaine"), knowledge)
    prilocaine = plan_of(request(plan__numbing_agent="lidocaine_prilocaine"), knowledge)
    benzocaine = plan_of(request(plan__numbing_agent="benzocaine"), knowledge)
    assert "normal_numb" not in item_ids(none)
    assert [d.day for d in lidocaine.days if any(i.id == "normal_numb" for i in d.normal)] == [0]
    assert "blue_lips" not in flags(lidocaine)
    assert flags(prilocaine)["blue_lips"] == flags(benzocaine)["blue_lips"] == "emergency"


def test_numbing_around_the_mouth_warns_about_hot_drinks(knowledge: Knowledge) -> None:
    mouth = plan_of(request(plan__areas=["perioral"], plan__numbing_agent="lidocaine"), knowledge)
    mouth_no_cream = plan_of(request(plan__areas=["perioral"]), knowledge)
    cheeks = plan_of(request(plan__numbing_agent="lidocaine"), knowledge)
    assert "do_careful_hot_food" in item_ids(mouth)
    assert "do_careful_hot_food" not in item_ids(mouth_no_cream) | item_ids(cheeks)


def test_areas_change_the_plan(knowledge: Knowledge) -> None:
    face = plan_of(request(), knowledge)
    body = plan_of(request(plan__areas=["back"]), knowledge)
    eyes = plan_of(request(plan__areas=["periorbital"], plan__needle_depth_mm=0.5), knowledge)
    scalp = plan_of(request(plan__areas=["scalp"]), knowledge)
    assert "avoid_makeup" in item_ids(face) and "avoid_makeup" not in item_ids(body)
    assert {"do_loose_clothes", "avoid_shaving"} <= item_ids(body)
    assert {"normal_eye_swelling", "do_head_raised"} <= item_ids(eyes)
    assert "avoid_hair_products" in item_ids(scalp)
    assert flags(face)["eyes"] == "emergency"


def test_products_on_the_skin_add_the_lump_warning(knowledge: Knowledge) -> None:
    assert "lumps" not in flags(plan_of(request(), knowledge))
    with_serum = plan_of(request(plan__topicals=["hyaluronic_acid"]), knowledge)
    assert flags(with_serum)["lumps"] == "contact_clinic"


def test_more_risk_factors_never_shorten_a_window_or_drop_a_red_flag(
    knowledge: Knowledge,
) -> None:
    base = plan_of(request(), knowledge)
    more = plan_of(
        request(
            patient={
                "age": 40,
                "fitzpatrick": "V",
                "conditions": ["cold_sore_history", "keloid_history"],
            },
            plan__numbing_agent="lidocaine_prilocaine",
        ),
        knowledge,
    )
    ends = windows(more)
    replaced_by = {"avoid_sun": "avoid_sun_strict", "do_sunscreen": "do_sunscreen_strict"}
    for ident, day in windows(base).items():
        assert ends[replaced_by.get(ident, ident)] >= day, ident
    rank = {"emergency": 0, "urgent": 1, "contact_clinic": 2}
    for ident, action in flags(base).items():
        stronger = flags(more).get(ident) or flags(more)["cold_sore_history"]
        assert rank[stronger] <= rank[action], ident


# ---------------------------------------------------------------- dates, structure, wording


def test_days_and_milestones_are_dated_from_the_treatment_date(knowledge: Knowledge) -> None:
    plan = plan_of(request(treatment_date="2026-12-30"), knowledge)
    start = dt.date(2026, 12, 30)
    assert plan.treatment_date == start
    assert [d.date for d in plan.days] == [start + dt.timedelta(days=d.day) for d in plan.days]
    assert plan.days[0].title == "Treatment day" and plan.days[2].title == "Day 2"
    for milestone in plan.milestones:
        item = next(i for i in plan.items if i.id == milestone.id)
        assert milestone.date == start + dt.timedelta(days=item.to_day + 1)
    assert [m.day for m in plan.milestones] == sorted(m.day for m in plan.milestones)


def test_the_first_days_say_what_is_normal_what_to_do_and_what_to_avoid(
    knowledge: Knowledge,
) -> None:
    plan = plan_of(request(), knowledge)
    day0 = plan.days[0]
    normal = {i.id for i in day0.normal}
    assert {"normal_redness_swelling", "normal_pinpoint_bleeding"} <= normal
    assert {"do_clean_hands", "do_gentle_cleanser", "do_moisturiser", "do_clean_pillowcase"} <= {
        i.id for i in day0.do
    }
    assert {
        "avoid_makeup",
        "avoid_actives",
        "avoid_sun",
        "avoid_sweat",
        "avoid_swim_sauna",
        "avoid_picking",
    } <= {i.id for i in day0.avoid}
    assert "normal_pinpoint_bleeding" not in {i.id for i in plan.days[1].normal}
    assert "normal_dry_flaky" in {i.id for i in plan.days[4].normal}  # week 1
    assert "normal_dry_flaky" not in normal
    assert any(i.id == "do_sunscreen" for i in plan.days[1].do)
    for day in plan.days:
        for entry in day.avoid:
            assert entry.until_date >= day.date


def test_every_text_a_patient_reads_in_a_plan_is_plain_language(knowledge: Knowledge) -> None:
    glossary = knowledge.glossary  # loaded with the knowledge base, as the lint reads it
    assert glossary is not None
    for data in (
        request(),
        request(
            patient={"age": 30, "fitzpatrick": "VI", "conditions": ["cold_sore_history"]},
            plan={
                "areas": ["periorbital", "perioral", "neck", "scalp"],
                "needle_depth_mm": 0.5,
                "device": "radiofrequency",
                "numbing_agent": "benzocaine",
                "topicals": ["prp"],
            },
        ),
    ):
        plan = plan_of(data, knowledge)
        texts = [plan.intro]
        texts += [i.text for d in plan.days for i in (*d.normal, *d.do, *d.avoid)]
        texts += [m.text for m in plan.milestones] + [f.text for f in plan.follow_ups]
        texts += [f"{f.text} {f.action_text}" for f in plan.red_flags]
        for text in texts:
            assert reading_grade(text) <= MAX_GRADE, text
            assert not unexplained_words(text, glossary), text


def test_every_aftercare_text_in_the_knowledge_base_reads_at_grade_8_or_lower(
    knowledge: Knowledge,
) -> None:
    texts = [(w, t) for w, t in patient_texts(knowledge) if w.startswith("aftercare.yaml")]
    assert len(texts) > 40
    too_hard = [(w, round(reading_grade(t), 1)) for w, t in texts if reading_grade(t) > MAX_GRADE]
    assert not too_hard


def test_red_flags_say_who_to_call_with_the_clinic_numbers(knowledge: Knowledge) -> None:
    plan = plan_of(request(clinic_phone="555-0100", emergency_number="112"), knowledge)
    actions = [f.action for f in plan.red_flags]
    rank = {"emergency": 0, "urgent": 1, "contact_clinic": 2}
    assert actions == sorted(actions, key=rank.__getitem__)
    assert {"emergency", "urgent", "contact_clinic"} == set(actions)
    by_id = {f.id: f for f in plan.red_flags}
    assert by_id["anaphylaxis"].action_text == "Call 112 now."
    assert "555-0100" in by_id["local_infection"].action_text
    assert "555-0100" in by_id["long_redness"].action_text
    fallback = plan_of(request(), knowledge)
    assert all("{" not in f.action_text for f in fallback.red_flags)
    assert "your emergency number" in fallback.red_flags[0].action_text


def test_every_entry_cites_known_sources(knowledge: Knowledge) -> None:
    plan = plan_of(request(patient__conditions=["cold_sore_history"]), knowledge)
    cited = [s for i in plan.items for s in i.sources]
    cited += [s for f in plan.follow_ups for s in f.sources]
    cited += [s for f in plan.red_flags for s in f.sources]
    assert cited and set(cited) <= set(knowledge.sources)


def test_the_plan_is_deterministic_and_round_trips_through_json(knowledge: Knowledge) -> None:
    first, second = plan_of(request(), knowledge), plan_of(request(), knowledge)
    assert first == second
    assert AftercarePlan.model_validate_json(first.model_dump_json()) == first


def test_without_a_date_the_caller_chooses_it(knowledge: Knowledge) -> None:
    data = request()
    data.pop("treatment_date")
    parsed = parse(AftercareRequest, data, knowledge)
    plan = plan_from_request(parsed, knowledge, default_date=dt.date(2027, 1, 5))
    assert plan.treatment_date == dt.date(2027, 1, 5)


def test_plan_aftercare_works_from_a_stored_plan_and_assessment(knowledge: Knowledge) -> None:
    data = request(patient__conditions=["cold_sore_history"])
    data.pop("treatment_date")
    intake = parse_intake(data, knowledge)
    plan = plan_aftercare(intake.plan, screen(intake, knowledge), knowledge, treatment_date=DAY0)
    assert plan == plan_of(request(patient__conditions=["cold_sore_history"]), knowledge)
    assert plan.screening_decision == screen(intake, knowledge).decision


def test_a_knowledge_base_without_aftercare_is_refused(knowledge: Knowledge) -> None:
    bare = dataclasses.replace(knowledge, aftercare=None)
    intake = parse_intake({k: v for k, v in HEALTHY.items() if k != "treatment_date"}, knowledge)
    with pytest.raises(ValueError, match="aftercare"):
        plan_aftercare(intake.plan, screen(intake, knowledge), bare, treatment_date=DAY0)


# ---------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("data", "path", "message"),
    [
        (request(treatment_date="2026-02-30"), "treatment_date", "date"),
        (request(treatment_date="soon"), "treatment_date", "date"),
        (request(treatment_day="2026-03-02"), "treatment_day", "did you mean `treatment_date`"),
        (request(plan__areas=["cheek"]), "plan.areas[0]", "did you mean `cheeks`"),
        (request(plan__needle_depth_mm=5), "plan.needle_depth_mm", "less than or equal"),
        (request(clinic_phone=""), "clinic_phone", "at least 1"),
        ({k: v for k, v in HEALTHY.items() if k != "plan"}, "plan", "missing"),
    ],
)
def test_bad_input_names_the_field(
    data: dict[str, Any], path: str, message: str, knowledge: Knowledge
) -> None:
    with pytest.raises(InputError) as caught:
        parse(AftercareRequest, data, knowledge)
    problem = caught.value.problems[0]
    assert problem.path == path
    assert message in problem.message
