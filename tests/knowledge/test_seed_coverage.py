"""Every seed sentence about a risk, a risk factor, a sign or a precaution, and what in the
knowledge base carries it. Quotes are verbatim; a test fails when a quote leaves the seed file or
when what carries it is gone or says something else."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from needlesafe.knowledge.base import Knowledge

SEEDS = Path(__file__).parents[2].parent / "shared" / "seeds"

# (quote, kind, id, what it must say). kind: risk (rule id: complication, level),
# ci (contraindication rule id: decision), precaution (code), complication (code: field, words)
TABLE: list[tuple[str, str, str, Any]] = [
    (
        "this irritation can lead to more severe inflammation or even infection "
        "if proper aftercare "
        "is not followed",
        "complication",
        "infection",
        ("patient_text.baseline", "Keep the skin clean"),
    ),
    (
        "keep the treated area clean and avoid touching it with unwashed hands",
        "complication",
        "infection",
        ("patient_text.baseline", "unwashed hands"),
    ),
    (
        "This can occur especially in individuals with darker skin tones",
        "risk",
        "hyperpig_skin_of_colour",
        ("hyperpigmentation", "elevated"),
    ),
    (
        "or those who do not protect their skin from the sun post-treatment",
        "precaution",
        "sun_protection",
        "sunscreen",
    ),
    (
        "Improper technique or using too aggressive a setting on the microneedling "
        "device can cause "
        "scarring",
        "risk",
        "scar_depth_above_area_cap",
        ("scarring", "elevated"),
    ),
    ("using too aggressive a setting", "risk", "scar_deep_needling", ("scarring", "elevated")),
    (
        "allergic reaction to the numbing cream or other products",
        "risk",
        "allergy_numbing_agent_ingredient",
        ("allergic_reaction", "high"),
    ),
    (
        "Patients should discuss any known allergies with their practitioner beforehand",
        "complication",
        "allergic_reaction",
        ("patient_text.baseline", "allergy"),
    ),
    (
        "This can manifest as redness, itching, or a burning sensation",
        "complication",
        "irritation",
        ("signs", "itching"),
    ),
    (
        "subsiding within a few hours to a couple of days",
        "complication",
        "irritation",
        ("duration", "a few hours to 3 days"),
    ),
    ("if the needles are not sterilized properly", "ci", "ci_non_sterile_needles", "do_not_treat"),
    (
        "if the needles are not sterilized properly",
        "risk",
        "infection_non_sterile_needles",
        ("infection", "high"),
    ),
    (
        "Signs of infection include increased redness, swelling, and pus",
        "complication",
        "infection",
        ("signs", "pus"),
    ),
    (
        "Deep microneedling can sometimes lead to the formation of small, permanent scars",
        "risk",
        "scar_deep_needling",
        ("scarring", "elevated"),
    ),
    (
        "This risk is higher in individuals with a history of keloid or hypertrophic scarring",
        "risk",
        "scar_keloid_history",
        ("scarring", "high"),
    ),
    (
        "This risk is higher in individuals with a history of keloid or hypertrophic scarring",
        "risk",
        "scar_hypertrophic_history",
        ("scarring", "elevated"),
    ),
    (
        "Some people may experience allergic reactions to the numbing creams or serums",
        "risk",
        "allergy_topical",
        ("allergic_reaction", "high"),
    ),
    (
        "more severe reactions like hives or difficulty breathing",
        "complication",
        "allergic_reaction",
        ("signs", "hives"),
    ),
    ("temporary redness and swelling", "complication", "irritation", ("signs", "swelling")),
    (
        "patients may experience more prolonged redness",
        "complication",
        "irritation",
        ("patient_text.elevated", "red"),
    ),
    (
        "there is always a possibility of bacterial or fungal infection",
        "complication",
        "infection",
        ("description", "fungi"),
    ),
    (
        "avoiding picking at scabs",
        "complication",
        "infection",
        ("patient_text.baseline", "do not pick at scabs"),
    ),
    (
        "It is essential to conduct a patch test before the treatment to identify any potential "
        "allergies",
        "precaution",
        "patch_test",
        "patch",
    ),
    (
        "It is essential to conduct a patch test",
        "risk",
        "allergy_untested_products",
        ("allergic_reaction", "elevated"),
    ),
    (
        "Patients with sensitive skin should be particularly cautious and may "
        "require adjustments in "
        "the treatment plan",
        "risk",
        "irritation_sensitive_skin",
        ("irritation", "elevated"),
    ),
    (
        "individuals with darker skin tones are at a higher risk of hyperpigmentation",
        "risk",
        "hyperpig_dark_skin_deep",
        ("hyperpigmentation", "high"),
    ),
    (
        "The procedure creates small wounds on the skin, which can become infected if proper "
        "sterilization and aftercare are not followed",
        "risk",
        "infection_home_setting",
        ("infection", "elevated"),
    ),
    (
        "This can manifest as itching, burning, or a stinging sensation",
        "complication",
        "irritation",
        ("signs", "stinging"),
    ),
    (
        "In rare cases, this sensitivity can last for several days or weeks",
        "complication",
        "irritation",
        ("duration", "days to weeks"),
    ),
    (
        "Hyper-pigmentation, where the skin becomes darker in certain areas, can occur due to the "
        "stimulation of melanocytes",
        "complication",
        "hyperpigmentation",
        ("description", "too much pigment"),
    ),
    (
        "hypo-pigmentation, where the skin becomes lighter, can happen if the procedure affects "
        "melanin production",
        "complication",
        "hypopigmentation",
        ("description", "loses"),
    ),
    (
        "These changes can be temporary or permanent, depending on the "
        "individual's skin type and the "
        "extent of the procedure",
        "risk",
        "hypopig_dark_skin_deep",
        ("hypopigmentation", "elevated"),
    ),
    (
        "or if the skin does not heal properly",
        "risk",
        "scar_poor_wound_healing",
        ("scarring", "elevated"),
    ),
    (
        "Some individuals may have allergic reactions to these products, leading to "
        "redness, rash, or "
        "other adverse effects",
        "complication",
        "allergic_reaction",
        ("signs", "rash"),
    ),
]


@pytest.fixture(scope="module")
def seed_text() -> str:
    return " ".join(p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt")))


@pytest.mark.parametrize(
    ("quote", "kind", "ident", "says"), TABLE, ids=[f"{k}:{i}" for _, k, i, _ in TABLE]
)
def test_seed_sentence_is_carried(
    seed_text: str, knowledge: Knowledge, quote: str, kind: str, ident: str, says: Any
) -> None:
    if not SEEDS.exists():
        pytest.skip("the seed articles are not beside this checkout")
    assert quote in seed_text, "the quote is not verbatim in the seeds"
    if kind == "risk":
        (rule,) = [r for r in knowledge.risk_rules if r.id == ident]
        assert (rule.complication, rule.level.value) == says
    elif kind == "ci":
        (ci,) = [c for c in knowledge.contraindications if c.id == ident]
        assert ci.decision.value == says
    elif kind == "precaution":
        rules = [p for p in knowledge.precautions if p.code == ident]
        assert rules and any(
            says.lower() in (p.patient_text + p.clinician_text).lower() for p in rules
        )
    else:
        field, words = says
        node: Any = knowledge.complications[ident]
        for part in field.split("."):
            node = getattr(node, part)
        text = " ".join(node) if isinstance(node, list) else str(node)
        assert words.lower() in text.lower()


def test_the_seed_articles_are_a_cited_source(knowledge: Knowledge) -> None:
    seeds = [s for s in knowledge.sources.values() if s.kind == "seed"]
    assert seeds and all(s.file for s in seeds)
