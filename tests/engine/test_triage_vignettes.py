"""The check-in vignettes, scored like a triage study: exact agreement, under-triage (must be
zero) and over-triage (reported). Each vignette also pins what the reader must find."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from needlesafe.engine.inputs import parse_checkin
from needlesafe.engine.models import Triage
from needlesafe.engine.triage import disposition_rank, triage
from needlesafe.knowledge.base import Knowledge
from needlesafe.knowledge.readability import MAX_GRADE, reading_grade

VIGNETTES: list[dict[str, Any]] = yaml.safe_load(
    (Path(__file__).parent / "vignettes" / "triage.yaml").read_text(encoding="utf-8")
)
IDS = [v["name"] for v in VIGNETTES]


def run(vignette: dict[str, Any], knowledge: Knowledge) -> Triage:
    return triage(parse_checkin(vignette["checkin"], knowledge), knowledge)


def score(knowledge: Knowledge) -> dict[str, Any]:
    agree = under = over = 0
    under_names: list[str] = []
    for v in VIGNETTES:
        got = disposition_rank(run(v, knowledge).disposition)
        want = disposition_rank(v["expect"])
        if got == want:
            agree += 1
        elif got < want:
            under += 1
            under_names.append(v["name"])
        else:
            over += 1
    n = len(VIGNETTES)
    return {
        "n": n,
        "agreement": agree / n,
        "under": under,
        "under_names": under_names,
        "over": over,
        "over_rate": over / n,
    }


def test_there_are_at_least_eighty_vignettes_with_unique_names() -> None:
    assert len(VIGNETTES) >= 80
    assert len(set(IDS)) == len(IDS)


def test_the_suite_covers_every_symptom_code_every_disposition_and_days_0_to_90(
    knowledge: Knowledge,
) -> None:
    seen: set[str] = set()
    structured: set[str] = set()
    from_message: set[str] = set()
    for v in VIGNETTES:
        result = run(v, knowledge)
        seen.update(result.symptoms)
        for f in result.findings:
            (structured if f.origin == "structured" else from_message).add(f.symptom)
    assert seen == set(knowledge.codes["symptoms"])
    assert structured and from_message
    assert {v["expect"] for v in VIGNETTES} == {
        "self_care",
        "contact_clinic",
        "urgent",
        "emergency",
    }
    days = [v["checkin"]["days_since_treatment"] for v in VIGNETTES]
    assert min(days) == 0 and max(days) >= 90
    assert sum("message" in v["checkin"] for v in VIGNETTES) >= 40
    assert sum("message" not in v["checkin"] for v in VIGNETTES) >= 25


@pytest.mark.parametrize("vignette", VIGNETTES, ids=IDS)
def test_vignette_is_never_under_triaged_and_reads_what_it_must(
    vignette: dict[str, Any], knowledge: Knowledge
) -> None:
    result = run(vignette, knowledge)
    assert disposition_rank(result.disposition) >= disposition_rank(vignette["expect"]), (
        f"under-triage: {result.disposition} < {vignette['expect']}"
    )
    if "symptoms" in vignette:
        assert sorted(result.symptoms) == sorted(vignette["symptoms"])
    for absent in vignette.get("absent", []):
        assert absent not in result.symptoms, f"{absent} was negated in the message"
    if "temperature_c" in vignette:
        assert result.temperature_c == pytest.approx(vignette["temperature_c"], abs=0.05)


@pytest.mark.parametrize("vignette", VIGNETTES, ids=IDS)
def test_every_patient_text_of_a_vignette_reads_at_grade_8_or_lower(
    vignette: dict[str, Any], knowledge: Knowledge
) -> None:
    result = run(vignette, knowledge)
    texts = [result.patient_text, *(f.patient_text for f in result.findings)]
    for text in texts:
        assert reading_grade(text) <= MAX_GRADE, text


def test_the_suite_scores_zero_under_triage_and_reports_agreement_and_over_triage(
    knowledge: Knowledge, capsys: pytest.CaptureFixture[str]
) -> None:
    s = score(knowledge)
    with capsys.disabled():
        print(
            f"\ntriage vignettes: n={s['n']} exact agreement={s['agreement']:.1%} "
            f"under-triage={s['under']} over-triage={s['over']} ({s['over_rate']:.1%})"
        )
    assert s["under"] == 0, s["under_names"]
    assert s["agreement"] >= 0.9
