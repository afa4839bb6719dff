"""The screening's matched facts in clinician words (vocabularies.yaml `fact_words`).

The engine reports each fact a rule matched in a fixed notation (`patient.fitzpatrick=V`,
`plan.needle_depth_mm=2.5 > cheeks cap 1.5`, `patient.allergies=lidocaine;
plan.numbing_agent=lidocaine`); the assessment page shows it as "skin type V", "2.5 mm, over
the cheeks limit of 1.5 mm". The words come from the knowledge base; this module only knows the
notation's grammar.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from needlesafe.knowledge.base import Knowledge

_PART = re.compile(
    r"^(?P<path>(?:patient|plan|risks)\.[a-z_]+)"
    r"(?:=(?P<value>[^\s;]+)| lacks (?P<lacks>\S+))(?P<tail>.*)$"
)
_OVER_CAP = re.compile(r"^ > (?P<area>\w+) cap (?P<cap>[\d.]+)$")
_HAS = re.compile(r"^ has=(?P<code>\w+)$")
_SAME_CLASS = re.compile(r"^ has (?P<code>\w+) \(same (?P<kind>[\w-]+) class\)$")
_AREA = re.compile(r"^ over about (?P<cm2>[\d.]+) cm2 of skin$")


def _words(knowledge: Knowledge, path: str, value: str) -> str:
    entries = {e.fact: e for e in knowledge.vocab.fact_words}
    if path.startswith("risks."):  # a raised risk that escalates the decision: risks.x=high
        code = path.removeprefix("risks.")
        complication = knowledge.complications.get(code)
        name = complication.label if complication else code.replace("_", " ")
        template = entries["risks"].words if "risks" in entries else "{value} risk of {label}"
        return template.format(value=value, decimal=value, label=name.lower())
    entry = entries.get(f"{path}={value}") or entries.get(path)
    if entry is None:  # a fact the knowledge base has no words for: its value, tidied
        return value.replace("_", " ")
    labels = [
        knowledge.label(entry.vocabulary, code) if entry.vocabulary else code
        for code in value.split(",")
    ]
    try:
        decimal = f"{float(value):.1f}"
    except ValueError:
        decimal = value
    return entry.words.format(value=value, decimal=decimal, label=", ".join(labels))


def _tail(knowledge: Knowledge, tail: str) -> str:
    if not tail:
        return ""
    if found := _OVER_CAP.match(tail):
        area = knowledge.label("areas", found["area"])
        return f", over the {area} limit of {float(found['cap']):.1f} mm"
    if found := _HAS.match(tail):
        return f", which contains {knowledge.label('allergies', found['code'])}"
    if found := _SAME_CLASS.match(tail):
        ingredient = knowledge.label("allergies", found["code"])
        return f", which contains {ingredient} (the same {found['kind']} class)"
    if found := _AREA.match(tail):
        return f" over about {found['cm2']} cm² of skin"
    return tail.replace("_", " ")  # "(stopped 30 days ago)" reads as it is


def fact_in_words(knowledge: Knowledge, fact: str) -> str:
    parts = []
    for part in fact.split("; "):
        found = _PART.match(part)
        if found is None:
            parts.append(part.replace("_", " "))
            continue
        if found["lacks"]:
            words = _words(knowledge, found["path"], found["lacks"])
        else:
            words = _words(knowledge, found["path"], found["value"])
        parts.append(words + _tail(knowledge, found["tail"]))
    return " and ".join(parts)


def facts_in_words(knowledge: Knowledge, facts: Iterable[str]) -> str:
    """Several facts in one phrase: "skin type V, 2.0 mm"."""
    return ", ".join(fact_in_words(knowledge, fact) for fact in facts)
