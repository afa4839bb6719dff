"""Reads the YAML files of the knowledge base into a validated `Knowledge`.

The only I/O of the knowledge layer. Errors name the file and the path inside it, with the id
of the rule when the path runs through a list of rules.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from needlesafe.knowledge.aftercare_schema import AftercareFile
from needlesafe.knowledge.base import Knowledge, KnowledgeError, build_knowledge
from needlesafe.knowledge.code_map_schema import CodeMapFile
from needlesafe.knowledge.consent_schema import ConsentFile
from needlesafe.knowledge.forms import CtcaeGradesFile, FitzpatrickQuizFile
from needlesafe.knowledge.glossary import GlossaryFile
from needlesafe.knowledge.schema import (
    ComplicationsFile,
    ContraindicationsFile,
    FileHeader,
    PrecautionsFile,
    RiskRulesFile,
    SourcesFile,
    Vocabularies,
)
from needlesafe.knowledge.surveillance_schema import SurveillanceFile
from needlesafe.knowledge.triage_schema import ReaderFile, SymptomsFile, TriageRulesFile
from needlesafe.knowledge.words_schema import WordsFile

DEFAULT_DIRECTORY = Path(__file__).parent
FileModel = TypeVar("FileModel", bound=BaseModel)


def _describe_location(data: Any, loc: tuple[int | str, ...]) -> str:
    """`rules[3] (id=keloid_scarring).level` from a pydantic error location."""
    parts: list[str] = []
    node = data
    for step in loc:
        if isinstance(step, int):
            label = f"[{step}]"
            if isinstance(node, list) and step < len(node):
                node = node[step]
                if isinstance(node, dict):
                    ident = node.get("id") or node.get("code")
                    if ident:
                        label += f" ({ident})"
            parts.append(label)
        else:
            parts.append(("." if parts else "") + str(step))
            node = node.get(step) if isinstance(node, dict) else None
    return "".join(parts) or "(top)"


# libyaml's parser when it is installed (about 10x faster than pure Python on these files)
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _UniqueKeysLoader(_SAFE_LOADER):  # type: ignore[misc,valid-type]
    """A safe loader that refuses a key written twice in one mapping: YAML keeps the last one
    silently, so a reviewer who corrects the first would change nothing."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> Any:
        lines: dict[tuple[str, str], int] = {}
        for key, _ in node.value:
            if isinstance(key, yaml.ScalarNode):
                line = key.start_mark.line + 1
                first = lines.get((key.tag, key.value))
                if first is not None:
                    raise yaml.constructor.ConstructorError(
                        None,
                        None,
                        f"key {key.value!r} is written twice (lines {first} and {line}): keep one",
                        key.start_mark,
                    )
                lines[(key.tag, key.value)] = line
        return super().construct_mapping(node, deep)


def load_yaml(raw: bytes | str) -> Any:
    """YAML text as Python data, safely (no tags that build objects, no key written twice)."""
    return yaml.load(raw, Loader=_UniqueKeysLoader)  # a safe loader


def _read(directory: Path, name: str, model: type[FileModel]) -> tuple[FileModel, bytes]:
    path = directory / name
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise KnowledgeError([f"{name}: file is missing from {directory}"]) from None
    try:
        data = load_yaml(raw)
    except yaml.YAMLError as error:
        raise KnowledgeError([f"{name}: not valid YAML: {error}"]) from None
    if not isinstance(data, dict):
        raise KnowledgeError([f"{name}: expected a mapping with a header (id, version, ...)"])
    try:
        return model.model_validate(data), raw
    except ValidationError as error:
        raise KnowledgeError(
            [
                f"{name}: {_describe_location(data, e['loc'])}: {e['msg']}"
                for e in error.errors(include_url=False)
            ]
        ) from None


def load_knowledge(directory: Path | None = None) -> Knowledge:
    """Load and check every file; raise `KnowledgeError` listing what is wrong."""
    directory = directory or DEFAULT_DIRECTORY
    digest = hashlib.sha256()
    problems: list[str] = []
    parts: dict[str, Any] = {}
    files: list[tuple[str, str, type[BaseModel]]] = [
        ("meta", "meta.yaml", FileHeader),
        ("sources", "sources.yaml", SourcesFile),
        ("vocab", "vocabularies.yaml", Vocabularies),
        ("complications", "complications.yaml", ComplicationsFile),
        ("risk_rules", "risk_rules.yaml", RiskRulesFile),
        ("contraindications", "contraindications.yaml", ContraindicationsFile),
        ("precautions", "precautions.yaml", PrecautionsFile),
        ("consent", "consent.yaml", ConsentFile),
        ("aftercare", "aftercare.yaml", AftercareFile),
        ("symptoms", "symptoms.yaml", SymptomsFile),
        ("triage_rules", "triage_rules.yaml", TriageRulesFile),
        ("reader", "reader.yaml", ReaderFile),
        ("surveillance", "surveillance.yaml", SurveillanceFile),
        ("code_map", "code_map.yaml", CodeMapFile),
        ("words", "words.yaml", WordsFile),
        ("fitzpatrick_quiz", "fitzpatrick_quiz.yaml", FitzpatrickQuizFile),
        ("ctcae_grades", "ctcae_grades.yaml", CtcaeGradesFile),
        ("glossary", "glossary.yaml", GlossaryFile),
    ]
    for key, name, model in files:
        try:
            parts[key], raw = _read(directory, name, model)
        except KnowledgeError as error:
            problems.extend(error.problems)
            continue
        digest.update(name.encode() + b"\0" + raw + b"\0")
    if problems:
        raise KnowledgeError(problems)
    meta: FileHeader = parts.pop("meta")
    version = f"{meta.version}.{meta.reviewed:%Y%m%d}+{digest.hexdigest()[:12]}"
    return build_knowledge(version=version, **parts)


@lru_cache(maxsize=1)
def default_knowledge() -> Knowledge:
    """The packaged knowledge base, loaded once per process."""
    return load_knowledge()
