"""The code map (`knowledge/code_map.yaml`) is checked like every knowledge file: a target code
that is not in the contract, an unknown source, a code mapped twice or a local code used
without being defined fails `needlesafe knowledge check`, naming the entry."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

import pytest
import yaml
from typer.testing import CliRunner

from needlesafe.cli import app
from needlesafe.interop.cds import code_map_of
from needlesafe.knowledge.base import Knowledge, KnowledgeError, build_knowledge
from needlesafe.knowledge.code_map_schema import CodeMapFile
from needlesafe.knowledge.loader import DEFAULT_DIRECTORY
from needlesafe.knowledge.schema import (
    ComplicationsFile,
    ContraindicationsFile,
    PrecautionsFile,
    RiskRulesFile,
    SourcesFile,
    Vocabularies,
)


def _changed(tmp_path: Path, change: Callable[[dict[str, Any]], object]) -> Path:
    target = tmp_path / "kb"
    shutil.copytree(DEFAULT_DIRECTORY, target, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    path = target / "code_map.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return target


def test_the_packaged_map_loads_with_the_issue_examples(knowledge: Knowledge) -> None:
    code_map = code_map_of(knowledge)
    snomed, rxnorm = code_map.url("snomed"), code_map.url("rxnorm")
    assert code_map.by_code[(snomed, "1475003")].to.conditions == ["cold_sore_history"]
    assert code_map.by_code[(snomed, "33659008")].to.conditions == ["keloid_history"]
    assert code_map.by_code[(rxnorm, "6387")].to.allergies == ["lidocaine"]
    assert code_map.by_code[(rxnorm, "6064")].to.medications == ["isotretinoin"]


def test_codes_without_a_standard_code_live_only_in_the_local_system(knowledge: Knowledge) -> None:
    code_map = code_map_of(knowledge)
    local = {c.code for c in code_map.file.local_codes}
    assert {"microneedling", "pih_history", "fitzpatrick_skin_type"} <= local
    for entry in code_map.file.mappings:
        if entry.system != "local":
            assert entry.code not in local, entry  # a local code never in a standard system


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda d: d["mappings"][0]["to"].update(conditions=["cold_sores"]),
            "mappings (snomed 1475003): unknown conditions code 'cold_sores'",
        ),
        (
            lambda d: d["mappings"][1].update(sources=["no_such_source"]),
            "mappings (snomed 33659008): sources: unknown source 'no_such_source'",
        ),
        (
            lambda d: d["mappings"].append(dict(d["mappings"][0])),
            "mappings (snomed 1475003): mapped twice",
        ),
        (
            lambda d: d["mappings"].append(
                {
                    "system": "local",
                    "code": "made_up",
                    "display": "x",
                    "to": {"conditions": ["smoker"]},
                    "sources": ["seed_articles"],
                }
            ),
            "mappings (local made_up): not in local_codes",
        ),
        (
            lambda d: d["suggestions"][0].update(precaution="patch_tests"),
            "suggestions (patch_tests): unknown precaution code 'patch_tests'",
        ),
        (lambda d: d.update(assumed_fitzpatrick="VII"), "unknown fitzpatrick code 'VII'"),
        (
            lambda d: d["complications"][0].update(complication="cold_sores"),
            "complications (cold_sores): unknown complication 'cold_sores'",
        ),
    ],
)
def test_a_broken_map_is_refused_naming_the_entry(
    knowledge: Knowledge, change: Callable[[dict[str, Any]], object], message: str
) -> None:
    data = yaml.safe_load((DEFAULT_DIRECTORY / "code_map.yaml").read_text(encoding="utf-8"))
    change(data)
    files = knowledge.files  # the packaged files, with this map: checked as the load checks it
    with pytest.raises(KnowledgeError) as refused:
        build_knowledge(
            version="test",
            sources=cast(SourcesFile, files["sources.yaml"]),
            vocab=cast(Vocabularies, files["vocabularies.yaml"]),
            complications=cast(ComplicationsFile, files["complications.yaml"]),
            risk_rules=cast(RiskRulesFile, files["risk_rules.yaml"]),
            contraindications=cast(ContraindicationsFile, files["contraindications.yaml"]),
            precautions=cast(PrecautionsFile, files["precautions.yaml"]),
            code_map=CodeMapFile.model_validate(data),
        )
    problems = refused.value.problems
    assert any(message in problem for problem in problems), problems


def test_knowledge_check_reports_a_broken_map(tmp_path: Path) -> None:
    """Through the loader and the command a clinician runs."""
    directory = _changed(
        tmp_path, lambda d: d["mappings"][0].update(when_active={"flags": ["smoking"]})
    )
    result = CliRunner().invoke(app, ["knowledge", "check", "--directory", str(directory)])
    assert result.exit_code == 1
    assert "code_map.yaml" in result.output
