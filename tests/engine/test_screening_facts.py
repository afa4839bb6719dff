"""Issue 17, table by table: each corrected fact and each new intake code, through `screen`,
with the source the knowledge base now cites for it."""

from __future__ import annotations

from typing import Any

import pytest

from needlesafe.engine.inputs import parse_intake
from needlesafe.engine.models import Assessment, Contraindication, Precaution
from needlesafe.engine.screening import screen
from needlesafe.knowledge.base import Knowledge
from needlesafe.knowledge.schema import Decision


def assess(knowledge: Knowledge, patient: dict[str, Any] | None = None, **plan: Any) -> Assessment:
    data = {
        "patient": {"age": 35, "fitzpatrick": "II", **(patient or {})},
        "plan": {
            "areas": ["cheeks"],
            "needle_depth_mm": 1.0,
            "device": "pen",
            "patch_test_done": True,
            **plan,
        },
    }
    return screen(parse_intake(data, knowledge), knowledge)


def finding(result: Assessment, code: str) -> Any:
    findings: list[Precaution | Contraindication] = [*result.precautions, *result.contraindications]
    found = [f for f in findings if f.code == code]
    assert found, f"{code} missing: {[f.code for f in result.precautions]}"
    return found[0]


# ---------------------------------------------------------------- "not today"
@pytest.mark.parametrize(
    ("patient", "clearance"),
    [
        ({"conditions": ["bleeding_disorder"]}, "bleeding"),
        ({"medications": ["anticoagulant"]}, "bleeding"),
        ({"medications": ["antiplatelet"]}, "bleeding"),
        ({"conditions": ["immunosuppression"]}, "immune"),
        ({"conditions": ["uncontrolled_diabetes"]}, "immune"),
        ({"conditions": ["autoimmune_disease"]}, "immune"),
        ({"conditions": ["scleroderma"]}, "immune"),
        ({"medications": ["immunosuppressant"]}, "immune"),
        ({"medications": ["systemic_corticosteroid"]}, "immune"),
    ],
)
def test_a_fact_that_needs_clearance_defers_until_the_clearance_is_recorded(
    knowledge: Knowledge, patient: dict[str, Any], clearance: str
) -> None:
    waiting = assess(knowledge, patient)
    assert waiting.decision is Decision.defer
    assert finding(waiting, "medical_clearance_pending").decision is Decision.defer
    other = "immune" if clearance == "bleeding" else "bleeding"
    assert assess(knowledge, patient, medical_clearances=[other]).decision is Decision.defer
    cleared = assess(knowledge, patient, medical_clearances=[clearance])
    assert cleared.decision is Decision.proceed_with_precautions
    assert "medical_clearance" in {p.code for p in cleared.precautions}
    assert "medical_clearance_pending" not in {c.code for c in cleared.contraindications}


def test_every_medical_clearance_precaution_defers_without_a_clearance(
    knowledge: Knowledge,
) -> None:
    """No rule may ask for a doctor's OK while the decision says go ahead."""
    for rule in (r for r in knowledge.precautions if r.code == "medical_clearance"):
        # `any` is a field of the model built from the condition keys, unseen by mypy
        combined = rule.when.children() if rule.when.key() == "any" else []
        for clause in combined or [rule.when]:
            key = clause.key()
            for code in getattr(clause, key):
                patient = (
                    {"conditions": [code]} if key == "condition_any" else {"medications": [code]}
                )
                result = assess(knowledge, patient)
                assert result.decision.rank >= Decision.defer.rank, (rule.id, code)


@pytest.mark.parametrize(
    ("patient", "plan", "code"),
    [
        (
            {
                "conditions": ["active_cold_sore", "keloid_history"],
                "medications": ["anticoagulant"],
            },
            {"medical_clearances": ["bleeding"]},
            "several_high_risks",
        ),
        (
            {"fitzpatrick": "V", "conditions": ["keloid_history", "melasma"]},
            {},
            "permanent_mark_risks",
        ),
    ],
)
def test_combinations_of_high_risks_raise_the_decision(
    knowledge: Knowledge, patient: dict[str, Any], plan: dict[str, Any], code: str
) -> None:
    result = assess(knowledge, patient, **plan)
    escalation = finding(result, code)
    assert escalation.decision is Decision.defer
    assert all(f.startswith("risks.") and f.endswith("=high") for f in escalation.factors)
    assert "needlesafe_policy" in escalation.sources


# ---------------------------------------------------------------- numbing creams
@pytest.mark.parametrize(
    ("areas", "fires"),
    [
        (["hands"], False),  # about 300 cm2
        (["neck"], False),
        (["cheeks", "forehead", "perioral", "chin"], False),  # about 380 cm2
        (["forehead", "periorbital", "nose", "cheeks", "perioral", "chin", "jawline"], True),
        (["abdomen"], True),
        (["back"], True),
    ],
)
def test_the_numbing_area_precaution_fires_on_a_large_total_area_only(
    knowledge: Knowledge, areas: list[str], fires: bool
) -> None:
    result = assess(knowledge, areas=areas, needle_depth_mm=0.5, numbing_agent="lidocaine")
    codes = {p.code for p in result.precautions}
    assert ("limit_numbing_area" in codes) is fires
    if fires:
        precaution = finding(result, "limit_numbing_area")
        assert "pliaglis_label" in precaution.sources
        assert "never apply it to needled skin" in precaution.clinician_text


def test_a_healthy_adult_with_a_small_body_plan_and_numbing_cream_proceeds(
    knowledge: Knowledge,
) -> None:
    result = assess(knowledge, areas=["hands"], needle_depth_mm=0.5, numbing_agent="lidocaine")
    assert result.decision is Decision.proceed


def test_a_compounded_three_agent_cream_gets_a_strength_limit(knowledge: Knowledge) -> None:
    result = assess(
        knowledge,
        areas=["forehead", "cheeks", "perioral", "chin"],
        needle_depth_mm=0.5,
        numbing_agent="benzocaine_lidocaine_tetracaine",
    )
    assert "fda_2007_anaesthetics" in finding(result, "approved_numbing_strength").sources


def test_amide_allergy_advice_never_sends_the_patient_to_an_ester(knowledge: Knowledge) -> None:
    result = assess(knowledge, {"allergies": ["prilocaine"]}, numbing_agent="lidocaine")
    change = finding(result, "change_numbing_agent")
    assert "another class" not in change.clinician_text
    assert "Do not switch an amide-allergic patient to an ester" in change.clinician_text
    assert "bhole_2012" in change.sources


def test_g6pd_deficiency_changes_an_oxidising_numbing_cream(knowledge: Knowledge) -> None:
    result = assess(knowledge, {"conditions": ["g6pd_deficiency"]}, numbing_agent="prilocaine")
    assert "G6PD" in finding(result, "change_numbing_agent").clinician_text
    plain = assess(knowledge, {"conditions": ["g6pd_deficiency"]}, numbing_agent="lidocaine")
    assert plain.decision is Decision.proceed


# ---------------------------------------------------------------- corrected facts
def test_patch_tests_are_read_days_before_not_hours(knowledge: Knowledge) -> None:
    result = assess(knowledge, numbing_agent="lidocaine", patch_test_done=False)
    patch = finding(result, "patch_test")
    assert "at least 4 days (ideally 7)" in patch.clinician_text
    assert "24-48" not in patch.clinician_text
    assert "johansen_2015_escd" in patch.sources
    assert "4 days" in patch.patient_text


def test_the_home_depth_limit_is_not_presented_as_fdas(knowledge: Knowledge) -> None:
    result = assess(knowledge, setting="home", needle_depth_mm=0.5)
    home = finding(result, "home_depth_beyond_0_3_mm")
    assert home.decision is Decision.do_not_treat
    assert "FDA has authorised no home microneedling device" in home.clinician_text
    assert "needlesafe_policy" in home.sources
    reasons = {r.rule: r for r in result.risks["scarring"].reasons}
    assert "needlesafe_policy" in reasons["scar_home_beyond_0_3"].sources
    assert "outside FDA's cleared use" not in reasons["scar_home_beyond_0_3"].clinician_text


def test_prp_is_a_biologic_with_blood_borne_controls_not_a_labelled_product(
    knowledge: Knowledge,
) -> None:
    assert knowledge.topicals["prp"].labeled_for_microneedling is False
    assert knowledge.topicals["prp"].biologic is True
    result = assess(knowledge, topicals=["prp"])
    controls = finding(result, "blood_borne_controls")
    assert "mmwr_2024_prp_hiv" in controls.sources
    for words in ("closed", "one patient", "never reuse"):
        assert words in controls.clinician_text
    assert result.risks["granuloma"].level.value == "baseline"  # not an implanted product
    assert result.risks["infection"].level.value == "elevated"
    assert "use_labeled_sterile_products" not in {p.code for p in result.precautions}


def test_isotretinoin_is_not_attributed_to_a_study_of_microneedling(knowledge: Knowledge) -> None:
    now = assess(knowledge, {"medications": ["isotretinoin"]})
    assert "not microneedling" in finding(now, "isotretinoin_current").clinician_text
    assert "skinpen_den160029" in finding(now, "isotretinoin_current").sources
    recent = assess(knowledge, {"medications": [{"code": "isotretinoin", "stopped_days_ago": 60}]})
    assert "not microneedling" in finding(recent, "isotretinoin_caution").clinician_text


def test_the_keloid_depth_threshold_says_it_is_a_policy_default(knowledge: Knowledge) -> None:
    result = assess(knowledge, {"conditions": ["keloid_history"]}, needle_depth_mm=1.5)
    deferral = finding(result, "keloid_history_deep_needling")
    assert "needlesafe_policy" in deferral.sources
    assert "no study sets a safe depth" in deferral.clinician_text


def test_breastfeeding_defers_as_the_device_labels_say(knowledge: Knowledge) -> None:
    result = assess(knowledge, {"breastfeeding": True})
    assert result.decision is Decision.defer
    assert "skinpen_den160029" in finding(result, "breastfeeding").sources


def test_the_antiviral_course_is_the_same_in_the_precaution_and_the_aftercare_plan(
    knowledge: Knowledge,
) -> None:
    result = assess(knowledge, {"conditions": ["cold_sore_history"]})
    text = finding(result, "antiviral_prophylaxis").clinician_text
    assert "from 1 day before to 5 days after" in text
    assert knowledge.aftercare is not None
    (item,) = [i for i in knowledge.aftercare.items if i.id == "do_antiviral"]
    assert item.to_day == 5


@pytest.mark.parametrize(
    ("complication", "code"),
    [("bruising", "S00.83XA"), ("scarring", "L91.0"), ("hypopigmentation", "L81.5")],
)
def test_icd10cm_codes_are_the_specific_ones(
    knowledge: Knowledge, complication: str, code: str
) -> None:
    assert knowledge.complications[complication].icd10cm.code == code


def test_infection_onset_includes_late_mycobacterial_infection(knowledge: Knowledge) -> None:
    infection = knowledge.complications["infection"]
    assert "mycobacteria" in infection.onset and "weeks" in infection.onset
    assert "kennedy_2012_ntm" in infection.sources


@pytest.mark.parametrize(
    ("area", "cap", "source"),
    [
        ("cheeks", 2.5, "skinpen_den160029"),
        ("scalp", 1.5, "dhurat_2013"),
        ("neck", 1.0, "needlesafe_policy"),
        ("chest", 1.0, "needlesafe_policy"),
        ("periorbital", 0.5, "skinpen_den160029"),
    ],
)
def test_depth_caps_come_with_their_reason_and_source(
    knowledge: Knowledge, area: str, cap: float, source: str
) -> None:
    entry = knowledge.areas[area]
    assert entry.max_depth_mm == cap
    assert entry.cap_reason and source in entry.sources
    result = assess(knowledge, areas=[area], needle_depth_mm=cap + 0.25)
    reduce = finding(result, "reduce_depth")
    assert reduce.params["max_depth_mm"] == cap
    assert entry.cap_reason in reduce.clinician_text


def test_periorbital_plans_carry_the_orbital_rim_exclusion(knowledge: Knowledge) -> None:
    result = assess(knowledge, areas=["periorbital"], needle_depth_mm=0.5)
    rim = finding(result, "orbital_rim_exclusion")
    assert "orbital rim" in rim.clinician_text and "skinpen_den160029" in rim.sources


# ---------------------------------------------------------------- new intake codes
@pytest.mark.parametrize(
    ("patient", "plan", "decision", "code"),
    [
        (
            {"conditions": ["pacemaker_or_icd"]},
            {"device": "radiofrequency"},
            "do_not_treat",
            "radiofrequency_with_implanted_device",
        ),
        ({"conditions": ["pacemaker_or_icd"]}, {}, "proceed", None),
        (
            {"conditions": ["metal_implant_in_area"]},
            {"device": "radiofrequency"},
            "do_not_treat",
            "radiofrequency_over_metal",
        ),
        (
            {"conditions": ["gold_threads_in_area"]},
            {"device": "radiofrequency"},
            "do_not_treat",
            "radiofrequency_over_metal",
        ),
        (
            {"conditions": ["permanent_filler_in_area"]},
            {"device": "radiofrequency"},
            "do_not_treat",
            "radiofrequency_over_permanent_filler",
        ),
        (
            {"conditions": ["tattoo_in_area"]},
            {"device": "radiofrequency"},
            "do_not_treat",
            "radiofrequency_over_tattoo",
        ),
        (
            {"allergies": ["gold"]},
            {"device": "radiofrequency"},
            "do_not_treat",
            "radiofrequency_gold_allergy",
        ),
        ({"allergies": ["gold"]}, {}, "proceed_with_precautions", "allergen_free_supplies"),
        ({"conditions": ["active_vitiligo"]}, {}, "defer", "active_koebner_disease"),
        (
            {"conditions": ["active_psoriasis"]},
            {"areas": ["back"]},
            "defer",
            "active_koebner_disease",
        ),
        ({"conditions": ["recent_botulinum_in_area"]}, {}, "defer", "recent_injectable_in_area"),
        ({"conditions": ["recent_filler_in_area"]}, {}, "defer", "recent_injectable_in_area"),
        ({"conditions": ["recent_surgery_in_area"]}, {}, "defer", "recent_surgery_or_resurfacing"),
        ({"conditions": ["recent_deep_peel"]}, {}, "defer", "recent_surgery_or_resurfacing"),
        (
            {"conditions": ["g6pd_deficiency"]},
            {"numbing_agent": "benzocaine"},
            "proceed_with_precautions",
            "change_numbing_agent",
        ),
        ({"conditions": ["scleroderma"]}, {}, "defer", "medical_clearance_pending"),
        ({"conditions": ["warts_in_area"]}, {}, "defer", "warts_in_area"),
    ],
)
def test_new_intake_codes(
    knowledge: Knowledge,
    patient: dict[str, Any],
    plan: dict[str, Any],
    decision: str,
    code: str | None,
) -> None:
    result = assess(knowledge, patient, **plan)
    assert result.decision.value == decision
    if code is not None:
        found = finding(result, code)
        assert found.sources and all(s in knowledge.sources for s in found.sources)
