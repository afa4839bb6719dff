"""`needlesafe knowledge check` on small broken copies of the knowledge base: each error names
the file, the rule id and the field."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from needlesafe.cli import app
from needlesafe.knowledge.loader import DEFAULT_DIRECTORY

runner = CliRunner()


@pytest.fixture
def kb_dir(tmp_path: Path) -> Path:
    target = tmp_path / "knowledge"
    shutil.copytree(DEFAULT_DIRECTORY, target, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    return target


def replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def check(directory: Path) -> tuple[int, str]:
    result = runner.invoke(app, ["knowledge", "check", "--directory", str(directory)])
    return result.exit_code, result.stderr


def test_the_packaged_copy_is_clean(kb_dir: Path) -> None:
    code, err = check(kb_dir)
    assert (code, err) == (0, "")


CASES = [
    (
        "risk_rules.yaml",
        "    level: high\n    when: {condition_any: [melasma]}",
        "    level: high\n    when: {condition_any: [melasma]}\n    levle: high",
        ["risk_rules.yaml", "hyperpig_melasma", "levle"],
    ),
    (
        "risk_rules.yaml",
        "when: {condition_any: [melasma]}",
        "when: {condition_any: [melasmaa]}",
        ["risk_rules.yaml", "hyperpig_melasma", "when", "melasmaa"],
    ),
    (
        "risk_rules.yaml",
        "    sources: [cohen_elbuluk_2016]\n  - id: hyperpig_pih_history",
        "    sources: [nobody_2099]\n  - id: hyperpig_pih_history",
        ["risk_rules.yaml", "hyperpig_melasma", "sources", "nobody_2099"],
    ),
    (
        "risk_rules.yaml",
        "when: {condition_any: [melasma]}",
        "when: {all: [{setting: home}, {setting: clinic}]}",
        ["risk_rules.yaml", "hyperpig_melasma", "when", "never be true"],
    ),
    (
        "risk_rules.yaml",
        "when: {condition_any: [melasma]}",
        "when: {depth_above_mm: 4.0}",
        ["risk_rules.yaml", "hyperpig_melasma", "when", "never be true"],
    ),
    (
        "risk_rules.yaml",
        "when: {condition_any: [melasma]}",
        "when: {all: [{fitzpatrick_in: [I]}, {fitzpatrick_in: [VI]}]}",
        ["risk_rules.yaml", "hyperpig_melasma", "never be true"],
    ),
    (
        "risk_rules.yaml",
        "when: {condition_any: [melasma]}",
        "when: {condition_any: []}",
        ["risk_rules.yaml", "hyperpig_melasma", "empty list"],
    ),
    (
        "risk_rules.yaml",
        "when: {condition_any: [melasma]}",
        "when: {condition_any: [pih_history]}",
        ["risk_rules.yaml", "hyperpig_pih_history", "same condition as rule hyperpig_melasma"],
    ),
    (
        "risk_rules.yaml",
        'patient_text: "Melasma (brown patches on the face) can get darker',
        'patient_text: "Melasma can get darker',
        ["risk_rules.yaml", "hyperpig_melasma): patient_text", "melasma", "not explained"],
    ),
    (
        "risk_rules.yaml",
        'patient_text: "Deep needles raise the chance of scars."',
        'patient_text: "Considerable intradermal penetration substantially increases '
        'cicatricial complications."',
        ["risk_rules.yaml", "scar_deep_needling): patient_text", "reading grade"],
    ),
    (
        "precautions.yaml",
        "params: {max_depth_mm: 1.0}",
        "params: {max_depth_mm: [1]}",
        ["precautions.yaml", "pre_reduce_depth_keloid", "params"],
    ),
]


@pytest.mark.parametrize(("file", "old", "new", "expected"), CASES)
def test_a_broken_copy_fails_naming_file_rule_and_field(
    kb_dir: Path, file: str, old: str, new: str, expected: list[str]
) -> None:
    replace(kb_dir / file, old, new)
    code, err = check(kb_dir)
    assert code == 1
    lines = [line for line in err.splitlines() if all(e in line for e in expected)]
    assert lines, err


def test_an_unused_condition_code_is_reported(kb_dir: Path) -> None:
    replace(
        kb_dir / "vocabularies.yaml",
        '  - {code: smoker, label: "smoking"}',
        '  - {code: smoker, label: "smoking"}\n  - {code: gardener, label: "gardening"}',
    )
    code, err = check(kb_dir)
    assert code == 1 and "conditions code 'gardener' is used by no rule" in err


def test_an_uncited_source_is_reported(kb_dir: Path) -> None:
    with (kb_dir / "sources.yaml").open("a") as f:
        f.write('  - {id: orphan_2020, kind: literature, citation: "Nobody. Nothing. 2020."}\n')
    code, err = check(kb_dir)
    assert code == 1 and "source 'orphan_2020' is cited by nothing" in err
