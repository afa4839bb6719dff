"""`needlesafe knowledge check`: what loading cannot catch but a reviewer must hear about.

Loading already rejects unknown keys, keys written twice, dangling codes and unknown sources.
The lint adds: codes no rule uses, sources no one cites, patient texts above reading grade 8 or
with medical words left unexplained (glossary.yaml), rules (and aftercare entries) whose
condition can never be true, and rules that repeat another rule's condition for the same
outcome. The patient texts and the citations are found by the generic walker: every field
typed `PatientText` or `SourceIds` in every file.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from needlesafe.knowledge.aftercare_schema import conditions as aftercare_conditions
from needlesafe.knowledge.base import Knowledge, predicate_codes
from needlesafe.knowledge.conditions import COMBINATORS, PredicateBase, atoms, codes_of
from needlesafe.knowledge.glossary import GlossaryFile, unexplained
from needlesafe.knowledge.loader import load_yaml
from needlesafe.knowledge.readability import MAX_GRADE, reading_grade
from needlesafe.knowledge.schema import (
    MAX_NEEDLE_DEPTH_MM,
    ContraindicationRule,
    PrecautionRule,
    RiskRule,
)
from needlesafe.knowledge.walk import SOURCE_IDS, marked, patient_texts_of

# Vocabularies whose every code must change some rule's outcome. The others (areas, devices,
# settings, numbing agents, topicals, symptoms ...) are used through their attributes, and so
# are the allergies a numbing agent or topical carries (matched by ingredient and class).
MUST_BE_USED = ("conditions", "medications", "allergies", "clearances")


# Example words for the placeholders of patient texts, so a text is measured as it is read
# ({clinic_phone} and {emergency_number} take the aftercare plan's fallbacks when it has them).
_EXAMPLES = {
    "clinic": "Demo Clinic",
    "clinic_name": "Demo Clinic",
    "day": "3",
    "link": "https://clinic.example/checkin/abc",
    "stop_link": "https://clinic.example/checkin/abc/reminders",
    "time": "14:05",
}
_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")


def patient_texts(knowledge: Knowledge) -> Iterator[tuple[str, str]]:
    """Every patient-facing text (a field typed `PatientText` in any file) with where it lives,
    as a patient reads it: after its entry's label, its placeholders filled with examples."""
    examples = dict(_EXAMPLES)
    if knowledge.aftercare is not None:
        examples |= knowledge.aftercare.fallbacks.model_dump()
    for name, model in knowledge.files.items():
        for where, text in patient_texts_of(model):
            filled = _PLACEHOLDER.sub(lambda m: examples.get(m.group(1), m.group(0)), text)
            yield f"{name}: {where}", filled


def lint(knowledge: Knowledge, directory: Path | None = None) -> list[str]:
    """Every problem, one line each. `directory` holds glossary.yaml, read when `knowledge` was
    built without it (default: the packaged one)."""
    problems: list[str] = []
    problems.extend(lint_rules(knowledge))
    problems.extend(lint_jargon(knowledge, directory))
    problems.extend(lint_reader(knowledge))
    rules: list[RiskRule | ContraindicationRule | PrecautionRule] = [
        *knowledge.risk_rules,
        *knowledge.contraindications,
        *knowledge.precautions,
    ]
    used: set[tuple[str, str]] = set()
    for rule in rules:
        used.update(predicate_codes(rule.when))
    keys = {key.name for rule in rules for key, _ in atoms(rule.when)}
    for allergen in knowledge.allergens.values():
        if f"allergy_to_{allergen.exposure}" in keys:
            used.add(("allergies", allergen.code))
    for vocabulary in MUST_BE_USED:
        for code in sorted(knowledge.codes[vocabulary]):
            if (vocabulary, code) not in used:
                problems.append(f"vocabularies.yaml: {vocabulary} code {code!r} is used by no rule")

    # every field typed SourceIds in every file, found by the walker
    cited = {
        source
        for model in knowledge.files.values()
        for _, sources, _ in marked(model, SOURCE_IDS.kind)
        for source in sources
    }
    for source in sorted(set(knowledge.sources) - cited):
        problems.append(f"sources.yaml: source {source!r} is cited by nothing")

    for where, text in patient_texts(knowledge):
        grade = reading_grade(text)
        if grade > MAX_GRADE:
            problems.append(f"{where}: reading grade {grade:.1f} is above {MAX_GRADE:g}: {text!r}")
    return problems


# ---------------------------------------------------------------- rules that cannot be right

RuleAny = RiskRule | ContraindicationRule | PrecautionRule


def _rule_files(knowledge: Knowledge) -> Iterator[tuple[str, RuleAny]]:
    for rule in knowledge.risk_rules:
        yield "risk_rules.yaml", rule
    for ci in knowledge.contraindications:
        yield "contraindications.yaml", ci
    for pr in knowledge.precautions:
        yield "precautions.yaml", pr


def _conjuncts(predicate: PredicateBase) -> Iterator[PredicateBase]:
    """The atoms and `any`s that must all hold, through nested `all`s."""
    key, value = predicate.condition
    if key == "all":
        for child in value:
            yield from _conjuncts(child)
    else:
        yield predicate


def never_true(predicate: PredicateBase, knowledge: Knowledge) -> str | None:
    """Why no intake can make `predicate` true, or None when some intake can (as far as these
    checks see: empty lists, contradictory facts of one intake, impossible values)."""
    key, value = predicate.condition
    if key == "any":
        if not value:
            return "`any` has no conditions"
        reasons = [never_true(c, knowledge) for c in value]
        return None if any(r is None for r in reasons) else "; ".join(r for r in reasons if r)
    if key == "all":
        if not value:
            return None  # always true; reported by lint_rules as an empty `all`
        atoms = list(_conjuncts(predicate))
        for atom in atoms:
            reason = never_true(atom, knowledge)
            if reason:
                return reason
        return _contradiction(atoms, knowledge)
    spec = type(predicate).keys_table[key]
    if (isinstance(value, list) or spec.vocabulary is not None) and not codes_of(value):
        return f"`{key}` has an empty list"
    if (
        spec.test == "above"
        and spec.fact == "plan.needle_depth_mm"
        and value >= MAX_NEEDLE_DEPTH_MM
    ):
        return f"{key} {value:g}: no plan is deeper than {MAX_NEEDLE_DEPTH_MM:g} mm"
    if spec.test == "below" and value <= 0:
        return f"{key} {value}: no value is below it"
    if key == "numbing_agent_contains":
        carried = {i for agent in knowledge.numbing_agents.values() for i in agent.ingredients}
        if not set(value) & carried:
            return f"numbing_agent_contains {value}: no numbing agent contains any of them"
    if key == "allergy_to_topical":
        topical = {a.code for a in knowledge.allergens.values() if a.exposure == "topical"}
        if not topical & set(knowledge.topicals):
            return "allergy_to_topical: no topical is also an allergy code"
    if key == "area_region" and not any(a.region == value for a in knowledge.areas.values()):
        return f"area_region {value}: no area is in that region"
    if key == "numbing_area_above_cm2":
        most = sum(a.surface_cm2 or 0.0 for a in knowledge.areas.values())
        if most <= value:
            return (
                f"numbing_area_above_cm2 {value:g}: all areas together cover {most:g} cm2 "
                "(areas without surface_cm2 count as 0)"
            )
    if key == "topical_biologic" and not any(t.biologic for t in knowledge.topicals.values()):
        return "topical_biologic: no topical is a biologic"
    return None


def _contradiction(conjuncts: list[PredicateBase], knowledge: Knowledge) -> str | None:
    """Tests that must all hold but cannot for one intake, as the condition table sees them:
    two `any_of` tests of a one-valued fact with no code in common, two `is` tests of one fact
    with different values, a fact required to be absent and used at once."""
    allowed: dict[str, set[str]] = {}  # one-valued fact -> the values still allowed
    required: dict[str, Any] = {}  # fact -> the value an `is` test requires
    absent: set[str] = set()  # facts a `present: false` test requires to be absent
    needed: dict[str, str] = {}  # fact -> a key that needs it given
    for conjunct in conjuncts:
        key, value = conjunct.condition
        if key in COMBINATORS:
            continue
        spec = type(conjunct).keys_table[key]
        if spec.test == "any_of" and not spec.multi:
            left = set(value) & allowed.get(spec.fact, set(value))
            if not left:
                return f"`{key}` conditions exclude each other (an intake has one value)"
            allowed[spec.fact] = left
        elif spec.test == "is":
            if spec.fact in required and required[spec.fact] != value:
                return f"`{key}` is required to be both {required[spec.fact]!r} and {value!r}"
            required[spec.fact] = value
        elif spec.test == "present":
            if value is False:
                absent.add(spec.fact)
            else:
                needed.setdefault(spec.fact, key)
        for fact in spec.needs:
            needed.setdefault(fact, key)
        if spec.test == "any_of" and spec.multi:
            needed.setdefault(spec.fact, key)
    for fact in sorted(absent & set(needed)):
        return f"needs `{fact}` given (`{needed[fact]}`) and not given at once"
    return None


def _canonical(predicate: PredicateBase) -> str:
    """The condition as text, with list order ignored (for finding duplicates)."""

    def norm(node: Any) -> Any:
        if isinstance(node, dict):
            return {k: norm(v) for k, v in node.items()}
        if isinstance(node, list):
            items = [norm(v) for v in node]
            return sorted(items, key=lambda v: json.dumps(v, sort_keys=True))
        return node

    return json.dumps(norm(predicate.model_dump(exclude_none=True)), sort_keys=True)


def lint_rules(knowledge: Knowledge) -> list[str]:
    problems: list[str] = []
    first: dict[tuple[str, str, str], str] = {}
    for file, rule in _rule_files(knowledge):
        where = f"{file}: rule {rule.id}: when"
        if rule.when.condition == ("all", []):
            problems.append(f"{where}: `all` has no conditions, so the rule always fires")
        reason = never_true(rule.when, knowledge)
        if reason:
            problems.append(f"{where}: can never be true: {reason}")
        outcome = rule.complication if isinstance(rule, RiskRule) else rule.code
        key = (file, outcome, _canonical(rule.when))
        if key in first:
            problems.append(
                f"{where}: same condition as rule {first[key]} for the same outcome "
                f"{outcome!r}; merge them"
            )
        else:
            first[key] = rule.id
    if knowledge.aftercare is not None:  # the aftercare plan's `when`s, in the same language
        for entry, when in aftercare_conditions(knowledge.aftercare):
            where = f"aftercare.yaml: {entry}: when"
            if when.condition == ("all", []):
                problems.append(f"{where}: `all` has no conditions, so it always holds")
            reason = never_true(when, knowledge)
            if reason:
                problems.append(f"{where}: can never be true: {reason}")
    return problems


# ---------------------------------------------------------------- unexplained medical words


def load_glossary(directory: Path | None = None) -> GlossaryFile:
    """glossary.yaml of `directory` (default: the packaged one), validated."""
    path = (directory or Path(__file__).parent) / "glossary.yaml"
    try:
        return GlossaryFile.model_validate(load_yaml(path.read_bytes()))
    except (OSError, yaml.YAMLError, ValidationError) as error:
        raise ValueError(f"glossary.yaml: {error}") from None


def unexplained_words(text: str, glossary: GlossaryFile) -> list[str]:
    """The glossary's words in `text` left unexplained where they first appear: not in
    brackets, and the text does not use their plain words either."""
    return [word.lower() for word in unexplained(text, glossary.terms)]


def lint_jargon(knowledge: Knowledge, directory: Path | None = None) -> list[str]:
    """Patient texts with a medical word left unexplained (the glossary loaded with the
    knowledge base, or a `directory`'s glossary.yaml), and glossary explanations that use a
    medical word themselves (the sheet puts them in brackets as they are)."""
    glossary = knowledge.glossary
    if glossary is None:
        try:
            glossary = load_glossary(directory)
        except ValueError as error:
            return [str(error)]
    problems = [
        f"glossary.yaml: terms ({term.term}): plain: uses the medical word {word!r}: "
        "explain it in everyday words only"
        for term in glossary.terms
        for word in unexplained_words(term.plain, glossary)
    ]
    for where, text in patient_texts(knowledge):
        for word in unexplained_words(text, glossary):
            problems.append(
                f"{where}: medical word {word!r} is not explained (add plain words in "
                f"brackets after it): {text!r}"
            )
    return problems


# ---------------------------------------------------------------- the free-text reader's data

# An emergency the reader knows by too few words will be missed in patients' own words.
MIN_EMERGENCY_TERMS = 8


def lint_reader(knowledge: Knowledge) -> list[str]:
    """What a clinician can break in reader.yaml and the symptoms' lay words without a load
    error: an everyday (benign) word that is also a symptom's word (silently read as harmless
    where the symptom is not matched first), a respelling into a word that is respelled again,
    an emoji read as words the reader does not know, an emergency symptom known by too few
    lay words, and a phrase listed twice in one list."""
    tk = knowledge.triage
    if tk is None:
        return []
    problems: list[str] = []
    for word in sorted(tk.benign | tk.everyday):
        meanings = tk.phrases.get((word,), ())
        concepts = [value for kind, value in meanings if kind == "concept"]
        if concepts:
            problems.append(
                f"reader.yaml: benign word {word!r} is also a symptom word ({concepts[0]}): "
                "take it out of `benign` or `everyday`"
            )
    for typed, spelled in sorted(tk.reader.respell.items()):
        again = [w for w in spelled.split(" ") if w in tk.reader.respell and w != typed]
        if again:
            problems.append(
                f"reader.yaml: respell {typed!r} -> {spelled!r} gives {again[0]!r}, which is "
                "respelled again: respell it straight to the final words"
            )
    for mark, words in sorted(tk.reader.emoji.items()):
        # an emoji read as words nobody reads would be silently lost; ASCII would eat letters
        unknown = [w for w in words.split(" ") if not tk.phrases.get((w,)) and w not in tk.benign]
        if mark.isascii() or (not tk.phrases.get(tuple(words.split(" "))) and unknown):
            problems.append(
                f"reader.yaml: emoji {mark!r} -> {words!r}: an emoji must be read as words the "
                "reader knows (a symptom, site or cue phrase)"
            )
    emergency = {
        code
        for code, entry in tk.symptoms.items()
        if any(rule.disposition == "emergency" for rule in entry.course)
    }
    for rule in tk.rules.rules:
        if rule.disposition == "emergency" and len(rule.when) == 1:
            emergency.update(rule.when[0].symptom_any or [])
    for code in sorted(emergency):
        terms = tk.symptoms[code].terms
        if len(terms) < MIN_EMERGENCY_TERMS:
            problems.append(
                f"symptoms.yaml: {code}: an emergency known by {len(terms)} lay words "
                f"(at least {MIN_EMERGENCY_TERMS}): add the ways patients say it"
            )
    # a phrase listed twice in one list: harmless to the reader, but a reviewer reading one
    # entry may change it and miss the other
    repeats = [("reader.yaml", *found) for found in _listed_twice(tk.reader.model_dump(), "")]
    repeats += [
        ("symptoms.yaml", f"{code}.terms", term)
        for code, entry in tk.symptoms.items()
        for term in _twice(entry.terms)
    ]
    problems += [
        f"{file}: {where} lists {entry!r} twice: take one out" for file, where, entry in repeats
    ]
    return problems


def _twice(entries: list[Any]) -> list[Any]:
    """The entries listed more than once, each once, in the order of their second listing."""
    seen: set[str] = set()
    again: dict[str, Any] = {}
    for entry in entries:
        key = json.dumps(entry, sort_keys=True, default=str)  # entries may be dicts
        if key in seen:
            again.setdefault(key, entry)
        seen.add(key)
    return list(again.values())


def _listed_twice(node: Any, path: str) -> list[tuple[str, Any]]:
    """Every (list, entry) of reader.yaml whose entry is listed twice in that list."""
    if isinstance(node, dict):
        return [
            found
            for key, value in node.items()
            for found in _listed_twice(value, f"{path}.{key}" if path else str(key))
        ]
    if isinstance(node, list):
        found = [(path, entry) for entry in _twice(node)]
        for at, entry in enumerate(node):
            found += _listed_twice(entry, f"{path}[{at}]")
        return found
    return []
