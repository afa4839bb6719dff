"""The consent sheet's content: this patient's risks, why, what to do, who signs."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from pydantic import ValidationError

from needlesafe.documents.consent import (
    AftercareSummary,
    ClinicDetails,
    ConsentSheet,
    Explainer,
    Item,
    WarningSign,
)
from needlesafe.engine.aftercare import AftercarePlan
from needlesafe.knowledge.base import Knowledge
from needlesafe.knowledge.consent_schema import ConsentFile
from needlesafe.knowledge.glossary import GlossaryTerm
from needlesafe.knowledge.schema import Level


def test_raised_risks_are_listed_most_first_and_baseline_ones_are_not(
    sheets: dict[str, ConsentSheet],
) -> None:
    sheet = sheets["cold_sore"]
    codes = [risk.code for risk in sheet.risks]
    levels = [risk.level.rank for risk in sheet.risks]
    assert levels == sorted(levels, reverse=True)
    assert {"herpes_reactivation", "bruising", "allergic_reaction", "hyperpigmentation"} <= set(
        codes
    )
    assert all(risk.level != Level.baseline for risk in sheet.risks)
    for absent in ("granuloma", "hypopigmentation", "acne_flare"):
        assert absent not in codes
        assert absent not in [risk.code for risk in sheet.other_risks]


def test_among_equal_levels_the_risk_with_more_reasons_comes_first(
    sheets: dict[str, ConsentSheet],
) -> None:
    high = [risk for risk in sheets["cold_sore"].risks if risk.level == Level.high]
    counts = [len(risk.why) for risk in high]
    assert counts == sorted(counts, reverse=True)


def test_each_raised_risk_says_why_in_the_patients_words(sheets: dict[str, ConsentSheet]) -> None:
    herpes = next(r for r in sheets["cold_sore"].risks if r.code == "herpes_reactivation")
    assert any("You have had cold sores" in why for why in herpes.why)
    assert all(risk.why for risk in sheets["cold_sore"].risks)


def test_a_healthy_adult_has_no_raised_risks_but_still_reads_the_rare_ones(
    sheets: dict[str, ConsentSheet], knowledge: Knowledge
) -> None:
    sheet = sheets["healthy"]
    assert sheet.risks == []
    assert knowledge.consent is not None
    assert [r.code for r in sheet.other_risks] == knowledge.consent.always_mention
    assert sheet.signable


def test_precautions_split_into_what_the_clinic_does_and_what_the_patient_does(
    sheets: dict[str, ConsentSheet],
) -> None:
    sheet = sheets["cold_sore"]
    assert any("medicine against cold sores" in text_of(e) for e in sheet.you_should)
    assert any("different numbing cream" in text_of(e) for e in sheet.clinic_will)
    assert not any("medicine against cold sores" in text_of(e) for e in sheet.clinic_will)


def text_of(entry: str | Item) -> str:
    return entry if isinstance(entry, str) else entry.value


def test_each_precaution_and_contraindication_is_led_by_its_plain_label(
    sheets: dict[str, ConsentSheet], knowledge: Knowledge
) -> None:
    sheet = sheets["cold_sore"]
    labels = {e.label for e in [*sheet.clinic_will, *sheet.you_should] if isinstance(e, Item)}
    assert {"Cold sore medicine before treatment", "A different numbing cream"} <= labels
    assert all("_" not in label for label in labels)
    deferred = sheets["deferred"].before_we_treat
    assert [e.label for e in deferred if isinstance(e, Item)] == [
        knowledge.label("contraindications", "active_cold_sore")
    ]
    assert knowledge.label("contraindications", "active_cold_sore") == "Cold sore now"
    duties = [e for e in sheet.you_should if isinstance(e, str)]
    assert duties and duties[-1].startswith("Follow the care steps")  # no label of their own


def test_alternatives_include_not_treating(sheets: dict[str, ConsentSheet]) -> None:
    assert any(item.label == "Not treating" for item in sheets["healthy"].alternatives)


def test_warning_signs_carry_the_clinic_phone_and_the_emergency_number(
    sheets: dict[str, ConsentSheet],
) -> None:
    signs = sheets["healthy"].warning_signs
    emergency = [s for s in signs if s.action == "emergency"]
    clinic = [s for s in signs if s.action in ("urgent", "contact_clinic")]
    assert emergency and clinic
    assert all("999" in s.call for s in emergency)
    assert all("020\u00a07946\u00a00100" in s.call for s in clinic)
    assert signs[: len(emergency)] == emergency  # the most urgent first


@pytest.mark.parametrize("name", ["cold_sore", "deferred", "healthy", "teen_with_keloids"])
def test_the_warning_signs_are_the_aftercare_plans_with_the_same_urgency(
    plan_of: Callable[[str], AftercarePlan], sheets: dict[str, ConsentSheet], name: str
) -> None:
    plan = plan_of(name)
    on_sheet = [(s.text, s.action) for s in sheets[name].warning_signs]
    assert on_sheet == [(f.text, f.action) for f in plan.red_flags]


def test_a_change_in_sight_is_an_emergency_on_the_sheet_as_in_the_plan_and_triage(
    sheets: dict[str, ConsentSheet],
) -> None:
    sight = [s for s in sheets["healthy"].warning_signs if "how well you see" in s.text]
    assert [s.action for s in sight] == ["emergency"]
    assert "999" in sight[0].call


def test_the_aftercare_steps_are_the_plans_with_how_long_each_lasts(
    plan_of: Callable[[str], AftercarePlan], sheets: dict[str, ConsentSheet]
) -> None:
    plan = plan_of("cold_sore")
    steps = sheets["cold_sore"].aftercare
    for item in plan.items:
        found = [step for step in steps if step.startswith(item.text.split(" (")[0][:30])]
        assert bool(found) == (item.kind in ("do", "avoid")), item.id
    makeup = next(i for i in plan.items if i.id == "avoid_makeup")
    assert f"For the first {makeup.to_day + 1} days." in " ".join(steps)
    sunscreen = next(i for i in plan.items if i.id.startswith("do_sunscreen"))
    assert f"From day 1 to day {sunscreen.to_day} after the treatment." in " ".join(steps)
    assert any(f.text in steps for f in plan.follow_ups)


def test_a_given_aftercare_summary_is_what_the_sheet_shows(
    knowledge: Knowledge, make_sheet: Callable[..., ConsentSheet]
) -> None:
    summary = AftercareSummary(
        steps=["Keep the skin clean."],
        warning_signs=[
            WarningSign(text="A fever.", action="urgent", call="Call us at {clinic_phone}."),
            WarningSign(text="Fainting.", action="emergency", call="Call {emergency_number}."),
        ],
    )
    sheet = make_sheet(knowledge, "healthy", aftercare=summary)
    assert sheet.aftercare == ["Keep the skin clean."]
    assert [s.action for s in sheet.warning_signs] == ["emergency", "urgent"]
    assert sheet.warning_signs[1].call == "Call us at 020\u00a07946\u00a00100."


@pytest.mark.parametrize("key", ["aftercare", "red_flags", "action_words"])
def test_consent_yaml_keeps_no_aftercare_or_warning_signs_of_its_own(
    knowledge: Knowledge, key: str
) -> None:
    assert key not in ConsentFile.model_fields
    assert knowledge.consent is not None
    data = knowledge.consent.model_dump(mode="json")
    data[key] = []
    with pytest.raises(ValidationError, match=key):
        ConsentFile.model_validate(data)


def test_under_18_gets_a_guardian_signature_line_and_adults_do_not(
    sheets: dict[str, ConsentSheet],
) -> None:
    assert [line.role for line in sheets["teen_with_keloids"].signatures] == [
        "patient",
        "guardian",
        "practitioner",
    ]
    assert sheets["teen_with_keloids"].guardian_required
    assert [line.role for line in sheets["cold_sore"].signatures] == ["patient", "practitioner"]


def test_a_deferred_treatment_gives_a_sheet_that_is_not_for_signing(
    sheets: dict[str, ConsentSheet],
) -> None:
    sheet = sheets["deferred"]
    assert not sheet.signable
    assert sheet.not_ready and "do not sign" in sheet.not_ready
    assert any("cold sore" in text_of(e) for e in sheet.before_we_treat)


def test_the_footer_names_the_knowledge_and_wording_versions(
    sheets: dict[str, ConsentSheet], knowledge: Knowledge
) -> None:
    sheet = sheets["healthy"]
    assert sheet.knowledge_version == knowledge.version
    assert sheet.wording_version.startswith("1 (")
    assert sheet.sources  # citations of what is on it


def test_the_sheet_version_is_stable_and_changes_with_the_content(
    knowledge: Knowledge,
    sheets: dict[str, ConsentSheet],
    make_sheet: Callable[..., ConsentSheet],
) -> None:
    again = make_sheet(knowledge, "healthy")
    assert again.version == sheets["healthy"].version
    renamed = make_sheet(knowledge, "healthy", patient_name="Sam")
    assert renamed.version != sheets["healthy"].version


@pytest.mark.parametrize(
    ("field", "value"),
    [("name", ""), ("name", "a\nb"), ("phone", ""), ("name", "x" * 121)],
)
def test_clinic_details_refuse_empty_or_multiline_values(field: str, value: str) -> None:
    details = {"name": "Clinic", "phone": "555"}
    details[field] = value
    with pytest.raises(ValidationError, match=field):
        ClinicDetails.model_validate(details)


def test_explainer_adds_the_plain_words_only_the_first_time() -> None:
    explain = Explainer([GlossaryTerm(term="keloid", plain="a thick scar", forms=["keloids"])])
    assert explain("You have keloids.") == "You have keloids (a thick scar)."
    assert explain("Keloids can come back.") == "Keloids can come back."


@pytest.mark.parametrize(
    "text",
    ["keloids (thick, raised scars) are likely", "Hard bumps (keloids) can form"],
)
def test_explainer_leaves_a_word_that_already_has_its_brackets(text: str) -> None:
    explain = Explainer([GlossaryTerm(term="keloid", plain="a thick scar", forms=["keloids"])])
    assert explain(text) == text
    assert explain("keloid again") == "keloid again"


def test_explainer_matches_whole_words_only() -> None:
    explain = Explainer([GlossaryTerm(term="laser", plain="a beam of light")])
    assert explain("lasers") == "lasers"
    assert explain("A laser.") == "A laser (a beam of light)."
