"""Every precaution and contraindication in an assessment carries its plain label."""

from __future__ import annotations

from needlesafe.engine.inputs import parse_intake
from needlesafe.engine.models import Contraindication, Precaution
from needlesafe.engine.screening import screen
from needlesafe.knowledge.base import Knowledge

INTAKE = {
    "patient": {
        "age": 30,
        "fitzpatrick": "V",
        "conditions": ["cold_sore_history", "active_infection_in_area"],
    },
    "plan": {"areas": ["perioral", "neck"], "needle_depth_mm": 1.5, "device": "pen"},
}


def test_findings_carry_the_knowledge_base_label_of_their_code(knowledge: Knowledge) -> None:
    assessment = screen(parse_intake(INTAKE, knowledge), knowledge)
    findings: list[Precaution | Contraindication] = [
        *assessment.precautions,
        *assessment.contraindications,
    ]
    assert {f.code for f in findings} >= {"antiviral_prophylaxis", "reduce_depth"}
    assert any(c.code == "active_infection" for c in assessment.contraindications)
    for p in assessment.precautions:
        assert p.label == knowledge.label("precautions", p.code)
    for c in assessment.contraindications:
        assert c.label == knowledge.label("contraindications", c.code)
    assert '"label":' in assessment.model_dump_json()
