"""The readable screening report: decision first, wrapped and indented, text printed as is."""

from __future__ import annotations

from rich.console import Console

from needlesafe.cli.screening import render_assessment
from needlesafe.engine.inputs import parse_intake
from needlesafe.engine.screening import screen
from needlesafe.knowledge.base import Knowledge

INTAKE = {
    "patient": {"age": 35, "fitzpatrick": "IV", "conditions": ["cold_sore_history"]},
    "plan": {"areas": ["perioral"], "needle_depth_mm": 1.0, "device": "pen"},
}


def _report(knowledge: Knowledge, width: int = 60, **changes: object) -> str:
    assessment = screen(parse_intake(INTAKE, knowledge), knowledge)
    if changes:
        assessment = assessment.model_copy(update=changes)
    console = Console(width=width, record=True, color_system=None)
    render_assessment(assessment, knowledge, console)
    return console.export_text()


def test_the_decision_comes_before_the_risks(knowledge: Knowledge) -> None:
    text = _report(knowledge)
    assert text.index("PROCEED WITH PRECAUTIONS") < text.index("Raised risks")
    assert "herpes_history_perioral" in text


def test_no_line_is_wider_than_the_terminal(knowledge: Knowledge) -> None:
    assert max(len(line.rstrip()) for line in _report(knowledge, width=60).splitlines()) <= 60


def test_brackets_in_knowledge_text_are_printed_not_read_as_markup(knowledge: Knowledge) -> None:
    assessment = screen(parse_intake(INTAKE, knowledge), knowledge)
    precaution = assessment.precautions[0].model_copy(
        update={"clinician_text": "Dose [bold]as prescribed[/bold]."}
    )
    text = _report(knowledge, width=100, precautions=[precaution])
    assert "Dose [bold]as prescribed[/bold]." in text


def test_contraindications_print_no_markup_tags(knowledge: Knowledge) -> None:
    deferred = {
        "patient": {"age": 35, "fitzpatrick": "II", "medications": ["anticoagulant"]},
        "plan": {"areas": ["cheeks"], "needle_depth_mm": 1.0, "device": "pen"},
    }
    assessment = screen(parse_intake(deferred, knowledge), knowledge)
    console = Console(width=100, record=True, color_system=None)
    render_assessment(assessment, knowledge, console)
    text = console.export_text()
    assert "DEFER" in text and "medical_clearance_pending" in text
    assert "[red]" not in text and "[dim]" not in text and "[/]" not in text
