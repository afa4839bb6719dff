"""The assessment in clinician words: each reason's facts said as words from the knowledge
base ("skin type V, 2.5 mm"), never the engine's notation; sources as numbered links to a
reference list whose citations come from sources.yaml (never a file path)."""

from __future__ import annotations

import re
from html import unescape

import pytest

from needlesafe.engine.inputs import parse_intake
from needlesafe.engine.screening import screen as run_screening
from needlesafe.knowledge.base import Knowledge
from needlesafe.web.facts import fact_in_words, facts_in_words
from tests.web.pagekit import add_patient, screen
from tests.web.webkit import Browser

NOTATION = re.compile(r"\b(patient|plan)\.[a-z_]+|=|\b[a-z]+_[a-z_]+\b")

# an intake that fires many kinds of rule: skin type, depth over an area's cap, a condition,
# a medication stopped lately, an allergy to the planned numbing cream, no patch test
BUSY: dict[str, str | list[str]] = {
    "age": "34",
    "fitzpatrick": "V",
    "conditions": ["cold_sore_history", "keloid_history"],
    "medications": ["isotretinoin"],
    "stopped.isotretinoin": "60",
    "allergies": ["lidocaine", "nickel"],
    "areas": ["cheeks", "perioral"],
    "needle_depth_mm": "2.5",
    "device": "pen",
    "numbing_agent": "lidocaine_prilocaine",
    "topicals": ["hyaluronic_acid"],
}


@pytest.mark.parametrize(
    ("fact", "words"),
    [
        ("patient.fitzpatrick=V", "skin type V"),
        ("plan.needle_depth_mm=2", "2.0 mm"),
        ("plan.needle_depth_mm=2.5 > perioral cap 1.5", "2.5 mm, over the"),
        ("patient.conditions=keloid_history", "keloid"),
        ("patient.medications=isotretinoin (stopped 60 days ago)", "(stopped 60 days ago)"),
        ("patient.pregnant=true", "pregnant"),
        ("plan.patch_test_done=false", "no patch test done"),
        ("patient.allergies=lidocaine; plan.numbing_agent=lidocaine", "allergic to lidocaine"),
        ("plan.medical_clearances lacks bleeding", "no record of a doctor's OK about bleeding"),
        ("plan.numbing_agent=lidocaine over about 320 cm2 of skin", "320 cm² of skin"),
    ],
)
def test_a_fact_reads_as_words(knowledge: Knowledge, fact: str, words: str) -> None:
    said = fact_in_words(knowledge, fact)
    assert words in said
    assert not NOTATION.search(said), said


def test_every_fact_of_a_busy_screening_reads_as_words(knowledge: Knowledge) -> None:
    from needlesafe.web.forms import intake_from_form
    from needlesafe.web.render import FormValues

    intake, problems = intake_from_form(
        FormValues({k: v if isinstance(v, list) else [v] for k, v in BUSY.items()}),
        knowledge.clinic_forms(),
    )
    assert not problems
    result = run_screening(parse_intake(intake, knowledge), knowledge)
    facts = [w.factor for r in result.risks.values() for w in r.reasons]
    facts += [f for c in result.contraindications for f in c.factors]
    facts += [f for p in result.precautions for f in p.factors]
    assert len(set(facts)) >= 8
    for fact in set(facts):
        said = facts_in_words(knowledge, [fact])
        assert not NOTATION.search(said), (fact, said)


def test_the_assessment_page_gives_reasons_in_words_and_sources_as_links(
    staff: Browser, knowledge: Knowledge
) -> None:
    patient = add_patient(staff, "Morgan Vale")
    response = screen(staff, patient, BUSY)
    assert response.status_code == 303, response.text
    page = unescape(staff.client.get(response.headers["location"]).text)
    body = page.split('<main id="main"', 1)[1]
    reasons = re.findall(r'<span class="reason-facts">\((.*?)\)</span>', body)
    assert reasons and any("skin type V" in r for r in reasons)
    assert any("2.5 mm" in r for r in reasons)
    visible = re.sub(r"<[^>]+>", " ", body)
    assert not re.search(r"\b(patient|plan)\.[a-z_]+", visible), "engine notation on the page"
    assert "seeds" not in visible and ".txt" not in visible and "<abbr" not in body
    # every source link goes to an entry of the reference list, which cites sources.yaml
    targets = set(re.findall(r'<a href="#ref-([a-z0-9_]+)" class="ref-link">', body))
    entries = dict(re.findall(r'<li id="ref-([a-z0-9_]+)" tabindex="-1">(.*?)</li>', body, re.S))
    assert targets and targets == set(entries)
    for source, text in entries.items():
        assert text.startswith(knowledge.sources[source].citation)
