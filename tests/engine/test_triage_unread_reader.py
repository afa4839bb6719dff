"""The optional reader of unread parts (the sentence-model layer) plugs into the engine as a
plain function: it sees only what the rules left unread, it can only add symptoms, and the
parts stay unread for the clinic. A fake stands in for the model here."""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from typer.testing import CliRunner

from needlesafe.cli import app
from needlesafe.engine.inputs import parse_checkin
from needlesafe.engine.models import Triage
from needlesafe.engine.triage import triage
from needlesafe.knowledge.base import Knowledge


class FakeReader:
    def __init__(self, answer: list[str]) -> None:
        self.answer = answer
        self.seen: list[list[str]] = []

    def __call__(self, parts: Sequence[str]) -> list[str]:
        self.seen.append(list(parts))
        return self.answer


def run(message: str, knowledge: Knowledge, reader: FakeReader, day: float = 0.5) -> Triage:
    checkin = parse_checkin({"days_since_treatment": day, "message": message}, knowledge)
    return triage(checkin, knowledge, unread_reader=reader)


def test_it_reads_only_the_unread_parts_and_its_symptoms_raise_the_answer(
    knowledge: Knowledge,
) -> None:
    reader = FakeReader(["chest_pain"])
    result = run("a bit red, my chest feels weird", knowledge, reader)
    assert reader.seen == [["my chest feels weird"]]
    assert result.disposition == "emergency"  # urgent without
    assert result.guessed == ["chest_pain"]
    assert result.unread == ["my chest feels weird"]


def test_it_is_not_asked_when_everything_was_read(knowledge: Knowledge) -> None:
    reader = FakeReader(["difficulty_breathing"])
    result = run("a bit red and puffy", knowledge, reader)
    assert reader.seen == []
    assert result.disposition == "self_care"


def test_what_it_returns_can_only_add_known_symptoms(knowledge: Knowledge) -> None:
    reader = FakeReader(["not_a_symptom", "redness"])
    result = run("red, and a funny whooshy feeling", knowledge, reader)
    assert result.guessed == []  # redness was read already
    assert result.disposition == "contact_clinic"  # still unread


def test_the_command_says_how_to_install_the_layer_when_it_is_missing() -> None:
    try:
        import sentence_transformers  # noqa: F401
    except ImportError:
        pass
    else:
        pytest.skip("the optional layer is installed here")
    result = CliRunner().invoke(
        app, ["triage", "--semantic", "-"], input='{"days_since_treatment": 1, "message": "x"}'
    )
    assert result.exit_code == 2
    assert "pip install 'needlesafe[semantic]'" in result.output
