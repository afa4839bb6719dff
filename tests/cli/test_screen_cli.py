"""`needlesafe screen`: bad input for every field (exit 2, one line naming the path, no
traceback), bulk JSON Lines, and `needlesafe knowledge show` for every kind of code."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from needlesafe.cli import app
from needlesafe.knowledge.base import Knowledge

runner = CliRunner()
GOOD: dict[str, Any] = {
    "patient": {
        "age": 35,
        "fitzpatrick": "IV",
        "pregnant": False,
        "breastfeeding": False,
        "conditions": ["cold_sore_history"],
        "medications": ["anticoagulant", {"code": "isotretinoin", "stopped_days_ago": 60}],
        "allergies": ["lidocaine"],
    },
    "plan": {
        "areas": ["cheeks"],
        "needle_depth_mm": 1.0,
        "device": "pen",
        "setting": "clinic",
        "numbing_agent": "lidocaine",
        "topicals": ["hyaluronic_acid"],
        "patch_test_done": False,
        "sterile_single_use_needles": True,
    },
}


def screen_stdin(data: Any, *args: str) -> Any:
    text = data if isinstance(data, str) else json.dumps(data)
    return runner.invoke(app, ["screen", *args, "-"], input=text)


def with_change(path: str, value: Any) -> dict[str, Any]:
    data = copy.deepcopy(GOOD)
    *parents, last = path.split(".")
    node: Any = data
    for part in parents:
        node = node[part]
    if value is DELETE:
        del node[last]
    else:
        node[last] = value
    return data


class _Delete:
    """Marks a field to remove; its repr names it (test ids must be the same in every process)."""

    def __repr__(self) -> str:
        return "DELETE"


DELETE = _Delete()

BAD = [
    ("patient.age", -1, "patient.age"),
    ("patient.age", 121, "patient.age"),
    ("patient.age", "thirty", "patient.age"),
    ("patient.age", 35.5, "patient.age"),
    ("patient.age", DELETE, "patient.age: required"),
    ("patient.fitzpatrick", "VII", "patient.fitzpatrick"),
    ("patient.fitzpatrick", DELETE, "patient.fitzpatrick: required"),
    ("patient.pregnant", "maybe", "patient.pregnant"),
    ("patient.breastfeeding", "often", "patient.breastfeeding"),
    ("patient.conditions", ["keloid_histroy"], "did you mean `keloid_history`"),
    ("patient.conditions", "keloid_history", "patient.conditions"),
    ("patient.medications", ["isotretinion"], "did you mean `isotretinoin`"),
    (
        "patient.medications",
        [{"code": "isotretinoin", "stopped_days_ago": -3}],
        "patient.medications[0].stopped_days_ago",
    ),
    (
        "patient.medications",
        [{"code": "isotretinoin", "stoped_days_ago": 3}],
        "did you mean `stopped_days_ago`",
    ),
    ("patient.allergies", ["lidocain"], "did you mean `lidocaine`"),
    ("patient.smoking", True, "unknown field `smoking`"),
    ("plan.areas", [], "plan.areas"),
    ("plan.areas", ["cheek"], "did you mean `cheeks`"),
    ("plan.areas", DELETE, "plan.areas: required"),
    ("plan.needle_depth_mm", 0, "plan.needle_depth_mm"),
    ("plan.needle_depth_mm", 4.5, "plan.needle_depth_mm"),
    ("plan.needle_depth_mm", "deep", "plan.needle_depth_mm"),
    ("plan.needle_depth_mm", DELETE, "plan.needle_depth_mm: required"),
    ("plan.device", "laser", "plan.device"),
    ("plan.device", DELETE, "plan.device: required"),
    ("plan.setting", "spa", "plan.setting"),
    ("plan.numbing_agent", "lidocaine_prilocain", "did you mean `lidocaine_prilocaine`"),
    ("plan.topicals", ["vitamin_e"], "did you mean `vitamin_c`"),
    ("plan.patch_test_done", "no idea", "plan.patch_test_done"),
    ("plan.sterile_single_use_needles", "sometimes", "plan.sterile_single_use_needles"),
    ("plan.needle_depth", 1.0, "did you mean `needle_depth_mm`"),
    ("patient", "Jane", "patient"),
    ("plan", DELETE, "plan: required"),
    # JSON can carry a lone surrogate, which no text holds: refused, not a traceback
    ("patient.fitzpatrick", "\ud800", "lone surrogate"),
]


@pytest.mark.parametrize(("path", "value", "expected"), BAD, ids=[f"{p}={v!r}" for p, v, _ in BAD])
def test_bad_input_exits_2_with_one_line_naming_the_field(
    path: str, value: Any, expected: str
) -> None:
    result = screen_stdin(with_change(path, value), "--json")
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, lines
    assert expected in lines[0]
    assert "Traceback" not in result.stderr + result.stdout
    assert result.stdout == ""


@pytest.mark.parametrize(
    ("text", "expected"),
    [("{not json", "not valid JSON"), ("[1, 2]", "JSON object"), ("", "JSON object")],
)
def test_unreadable_documents_exit_2(text: str, expected: str) -> None:
    result = screen_stdin(text)
    assert result.exit_code == 2
    assert expected in result.stderr and "Traceback" not in result.stderr


def test_a_missing_file_exits_2(tmp_path: Path) -> None:
    result = runner.invoke(app, ["screen", str(tmp_path / "nope.json")])
    assert result.exit_code == 2 and "no such file" in result.stderr


def test_json_output_is_one_object_with_the_contract_shape() -> None:
    result = screen_stdin(GOOD, "--json")
    assert result.exit_code == 0
    body = json.loads(result.stdout)
    assert set(body) >= {
        "decision",
        "risks",
        "contraindications",
        "precautions",
        "knowledge_version",
    }
    assert body["risks"]["herpes_reactivation"]["level"] == "elevated"


def test_yaml_file_and_readable_report(tmp_path: Path) -> None:
    import yaml

    path = tmp_path / "intake.yaml"
    path.write_text(yaml.safe_dump(GOOD))
    result = runner.invoke(app, ["screen", str(path)])
    assert result.exit_code == 0
    # an anticoagulant without a recorded clearance: not today (issue 17)
    assert "DEFER" in result.stdout
    assert "medical_clearance_pending" in result.stdout
    assert "antiviral_prophylaxis" in result.stdout


def test_a_recorded_clearance_turns_the_deferral_into_precautions(tmp_path: Path) -> None:
    cleared = with_change("plan.medical_clearances", ["bleeding"])
    result = screen_stdin(cleared, "--json")
    assert result.exit_code == 0
    body = json.loads(result.stdout)
    assert body["decision"] == "proceed_with_precautions"
    assert "medical_clearance" in {p["code"] for p in body["precautions"]}


def test_an_unknown_clearance_code_is_bad_input() -> None:
    result = screen_stdin(with_change("plan.medical_clearances", ["bleding"]), "--json")
    assert result.exit_code == 2
    assert "plan.medical_clearances[0]" in result.stderr and "bleeding" in result.stderr


def test_every_contract_code_is_accepted(knowledge: Knowledge) -> None:
    contract = {
        "conditions": "active_infection_in_area active_cold_sore cold_sore_history "
        "active_acne_in_area keloid_history hypertrophic_scar_history eczema_in_area "
        "psoriasis_in_area rosacea_flare vitiligo melasma pih_history bleeding_disorder "
        "immunosuppression uncontrolled_diabetes poor_wound_healing skin_cancer_in_area "
        "radiation_to_area sunburn_in_area recent_tan autoimmune_disease recent_filler_in_area "
        "smoker",
        "medications": "isotretinoin anticoagulant antiplatelet topical_retinoid "
        "immunosuppressant systemic_corticosteroid photosensitizing_drug chemotherapy",
        "allergies": "lidocaine prilocaine tetracaine benzocaine nickel latex chlorhexidine "
        "vitamin_c",
        "areas": "forehead periorbital nose cheeks perioral chin jawline neck chest scalp "
        "abdomen arms thighs buttocks back hands",
        "devices": "pen roller stamp radiofrequency",
        "settings": "clinic home",
        "numbing_agents": "none lidocaine prilocaine tetracaine benzocaine lidocaine_prilocaine "
        "lidocaine_tetracaine benzocaine_lidocaine_tetracaine",
        "topicals": "hyaluronic_acid vitamin_c prp growth_factors exosomes tranexamic_acid "
        "unlabeled_product",
        "fitzpatrick": "I II III IV V VI",
    }
    for vocabulary, codes in contract.items():
        assert set(codes.split()) <= knowledge.codes[vocabulary], vocabulary
    assert set(knowledge.complications) >= set(
        [
            "irritation",
            "infection",
            "herpes_reactivation",
            "hyperpigmentation",
            "hypopigmentation",
            "scarring",
            "allergic_reaction",
            "granuloma",
            "bruising",
            "acne_flare",
        ]
    )
    precaution_codes = {p.code for p in knowledge.precautions}
    assert precaution_codes >= set(
        [
            "patch_test",
            "antiviral_prophylaxis",
            "reduce_depth",
            "change_numbing_agent",
            "use_labeled_sterile_products",
            "sun_protection",
            "pause_retinoid",
            "medical_clearance",
            "guardian_consent",
        ]
    )
    # and one intake using every code of a vocabulary at once is accepted
    data = copy.deepcopy(GOOD)
    data["patient"]["conditions"] = contract["conditions"].split()
    data["patient"]["medications"] = contract["medications"].split()
    data["patient"]["allergies"] = contract["allergies"].split()
    data["plan"]["areas"] = contract["areas"].split()
    data["plan"]["topicals"] = contract["topicals"].split()
    assert screen_stdin(data, "--json").exit_code == 0
    for field, vocabulary in (
        ("device", "devices"),
        ("setting", "settings"),
        ("numbing_agent", "numbing_agents"),
    ):
        for code in contract[vocabulary].split():
            assert screen_stdin(with_change(f"plan.{field}", code), "--json").exit_code == 0
    for code in contract["fitzpatrick"].split():
        assert screen_stdin(with_change("patient.fitzpatrick", code), "--json").exit_code == 0


# ---------------------------------------------------------------- bulk
def test_bulk_jsonl_gives_one_result_per_line_in_order(tmp_path: Path) -> None:
    lines = [
        GOOD,
        with_change("patient.fitzpatrick", "II"),
        with_change("plan.device", "laser"),
        GOOD,
    ]
    path = tmp_path / "batch.jsonl"
    path.write_text("\n".join(json.dumps(x) for x in lines) + "\n\n")
    result = runner.invoke(app, ["screen", str(path)])
    assert result.exit_code == 2
    out = [json.loads(x) for x in result.stdout.splitlines()]
    assert len(out) == 4
    assert out[0]["decision"] == "defer"  # the anticoagulant has no recorded clearance
    assert out[2]["line"] == 3 and "plan.device" in out[2]["error"]
    assert out[3] == out[0]
    assert "1 bad line" in result.stderr and "Traceback" not in result.stderr


def test_bulk_with_only_good_lines_exits_0(tmp_path: Path) -> None:
    path = tmp_path / "batch.jsonl"
    path.write_text(json.dumps(GOOD) + "\n" + "{broken\n")
    result = runner.invoke(app, ["screen", str(path)])
    assert result.exit_code == 2
    assert "not valid JSON" in result.stdout.splitlines()[1]
    path.write_text(json.dumps(GOOD) + "\n")
    assert runner.invoke(app, ["screen", str(path)]).exit_code == 0


# ---------------------------------------------------------------- knowledge show
def every_code(knowledge: Knowledge) -> list[str]:
    codes: set[str] = set()
    for vocabulary in knowledge.labels:
        codes |= {t.code for t in getattr(knowledge.vocab, vocabulary)}
    codes |= set(knowledge.complications) | set(knowledge.sources)
    for rules in (knowledge.risk_rules, knowledge.contraindications, knowledge.precautions):
        codes |= {r.id for r in rules}
    codes |= {c.code for c in knowledge.contraindications} | {p.code for p in knowledge.precautions}
    return sorted(codes)


def test_knowledge_show_works_for_every_kind_of_code(knowledge: Knowledge) -> None:
    for code in every_code(knowledge):
        result = runner.invoke(app, ["knowledge", "show", code])
        assert result.exit_code == 0, (code, result.stderr)
        assert code in result.stdout


def test_knowledge_show_of_a_precaution_lists_its_rules() -> None:
    result = runner.invoke(app, ["knowledge", "show", "reduce_depth"])
    assert "pre_reduce_depth" in result.stdout and "max_depth_mm" in result.stdout


def test_knowledge_show_of_an_unknown_code_exits_2_with_a_suggestion() -> None:
    result = runner.invoke(app, ["knowledge", "show", "keloid_histroy"])
    assert result.exit_code == 2
    assert "keloid_history" in result.stderr
