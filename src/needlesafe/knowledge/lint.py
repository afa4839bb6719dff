"""`needlesafe knowledge check`: what loading cannot catch but a reviewer must hear about.

Loading already rejects unknown keys, dangling codes and unknown sources. The lint adds:
codes no rule uses, sources no one cites, and patient texts above reading grade 8.
"""

from __future__ import annotations

from collections.abc import Iterator

from needlesafe.knowledge.base import Knowledge, predicate_codes
from needlesafe.knowledge.readability import MAX_GRADE, reading_grade
from needlesafe.knowledge.schema import ContraindicationRule, PrecautionRule, RiskRule

# Vocabularies whose every code must change some rule's outcome. The others (areas, devices,
# settings, numbing agents, topicals, symptoms ...) are used through their attributes, and so
# are the allergies a numbing agent or topical carries (matched by ingredient and class).
MUST_BE_USED = ("conditions", "medications", "allergies")


def patient_texts(knowledge: Knowledge) -> Iterator[tuple[str, str]]:
    """Every patient-facing text with where it lives."""
    for c in knowledge.complications.values():
        for level in ("baseline", "elevated", "high"):
            yield (
                f"complications.yaml: {c.code}.patient_text.{level}",
                getattr(c.patient_text, level),
            )
    for name, rules in (
        ("risk_rules.yaml", knowledge.risk_rules),
        ("contraindications.yaml", knowledge.contraindications),
        ("precautions.yaml", knowledge.precautions),
    ):
        for rule in rules:
            yield f"{name}: rule {rule.id}.patient_text", rule.patient_text
    if knowledge.consent is not None:
        for where, text in knowledge.consent.patient_texts():
            yield f"consent.yaml: {where}", text


def lint(knowledge: Knowledge) -> list[str]:
    problems: list[str] = []
    rules: list[RiskRule | ContraindicationRule | PrecautionRule] = [
        *knowledge.risk_rules,
        *knowledge.contraindications,
        *knowledge.precautions,
    ]
    used: set[tuple[str, str]] = set()
    for rule in rules:
        used.update(predicate_codes(rule.when))
    keys = {rule.when.key() for rule in rules} | {
        child.key() for rule in rules for child in (rule.when.all or rule.when.any or [])
    }
    for allergen in knowledge.allergens.values():
        if f"allergy_to_{allergen.exposure}" in keys:
            used.add(("allergies", allergen.code))
    for vocabulary in MUST_BE_USED:
        for code in sorted(knowledge.codes[vocabulary]):
            if (vocabulary, code) not in used:
                problems.append(f"vocabularies.yaml: {vocabulary} code {code!r} is used by no rule")

    cited: set[str] = set()
    for rule in rules:
        cited.update(rule.sources)
    for complication in knowledge.complications.values():
        cited.update(complication.sources)
    for terms in (getattr(knowledge.vocab, n) for n in knowledge.labels):
        for term in terms:
            cited.update(term.sources)
    if knowledge.consent is not None:
        for _, sources in knowledge.consent.cited():
            cited.update(sources)
    for source in sorted(set(knowledge.sources) - cited):
        problems.append(f"sources.yaml: source {source!r} is cited by nothing")

    for where, text in patient_texts(knowledge):
        grade = reading_grade(text)
        if grade > MAX_GRADE:
            problems.append(f"{where}: reading grade {grade:.1f} is above {MAX_GRADE:g}: {text!r}")
    return problems
