"""The check-in list's groups live in symptoms.yaml and are checked on load: a symptom that
needs care today from its first report is a warning sign (and only such a symptom is one),
"usual healing" holds only self-care, and the warning signs come first."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from needlesafe.knowledge.base import KnowledgeError
from needlesafe.knowledge.loader import DEFAULT_DIRECTORY, load_knowledge


def _changed(tmp_path: Path, change: Callable[[dict[str, Any]], None]) -> Path:
    target = tmp_path / "knowledge"
    shutil.copytree(DEFAULT_DIRECTORY, target, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    path = target / "symptoms.yaml"
    data = yaml.safe_load(path.read_text())
    change(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))
    return target


def _symptom(data: dict[str, Any], code: str) -> dict[str, Any]:
    return next(s for s in data["symptoms"] if s["code"] == code)


def test_every_group_is_listed_and_the_warning_signs_come_first() -> None:
    knowledge = load_knowledge()
    assert knowledge.triage is not None
    assert [g.code for g in knowledge.triage.groups] == ["warning", "tell_us", "usual"]
    warning = {c for c, e in knowledge.triage.symptoms.items() if e.group == "warning"}
    assert {"difficulty_breathing", "lip_tongue_swelling", "pus", "fever"} <= warning
    assert "redness" not in warning


@pytest.mark.parametrize(
    ("change", "message"),
    [
        # an emergency filed under usual healing
        (lambda d: _symptom(d, "difficulty_breathing").update(group="usual"), "group 'usual'"),
        # a self-care symptom called a warning sign
        (lambda d: _symptom(d, "redness").update(group="warning"), "group 'warning'"),
        # usual healing for a symptom the clinic must hear about
        (lambda d: _symptom(d, "chills").update(group="usual"), "needs a base rule of self_care"),
        (lambda d: d["groups"].reverse(), "warning signs come first"),
    ],
)
def test_a_wrong_group_fails_to_load_naming_it(
    tmp_path: Path, change: Callable[[dict[str, Any]], None], message: str
) -> None:
    with pytest.raises(KnowledgeError, match=message):
        load_knowledge(_changed(tmp_path, change))
