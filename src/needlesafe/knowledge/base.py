"""The loaded knowledge base: the validated files plus the indexes the engines use.

`build_knowledge` checks what no single file can: that every code a rule names exists in its
vocabulary and that every cited source exists (the fields that hold codes and sources are
marked in the schemas and found by one walk of every file, `needlesafe.knowledge.walk`).
Problems name the file, the rule id and the field, so a clinician can find what they broke.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from pydantic import BaseModel

from needlesafe.knowledge.aftercare_schema import AftercareFile, check_aftercare
from needlesafe.knowledge.aftercare_schema import conditions as aftercare_conditions
from needlesafe.knowledge.code_map_schema import CodeMap, CodeMapFile, check_code_map
from needlesafe.knowledge.conditions import PredicateBase, codes_named
from needlesafe.knowledge.consent_schema import ConsentFile
from needlesafe.knowledge.forms import (
    ClinicForms,
    CtcaeGradesFile,
    FitzpatrickQuizFile,
    check_forms,
)
from needlesafe.knowledge.glossary import GlossaryFile
from needlesafe.knowledge.schema import (
    Allergen,
    Area,
    Complication,
    ComplicationsFile,
    ContraindicationRule,
    ContraindicationsFile,
    EscalationRule,
    NumbingAgent,
    PrecautionRule,
    PrecautionsFile,
    RiskRule,
    RiskRulesFile,
    Source,
    SourcesFile,
    Topical,
    Vocabularies,
)
from needlesafe.knowledge.surveillance_schema import SurveillanceFile, check_surveillance
from needlesafe.knowledge.triage_schema import (
    ReaderFile,
    SymptomsFile,
    TriageKnowledge,
    TriageRulesFile,
    build_triage,
)
from needlesafe.knowledge.walk import code_noun, unknown_references
from needlesafe.knowledge.words_schema import WordsFile


class KnowledgeError(Exception):
    """The knowledge base is broken; `problems` says where, one line each."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


def predicate_codes(predicate: PredicateBase) -> Iterator[tuple[str, str]]:
    """Every (vocabulary, code) a condition names, through `all` and `any` (from the
    condition table: each key says which vocabulary its codes belong to)."""
    return codes_named(predicate)


@dataclass(frozen=True)
class Knowledge:
    version: str  # "<meta version>+<content hash>"
    sources: Mapping[str, Source]
    vocab: Vocabularies
    complications: Mapping[str, Complication]
    risk_rules: tuple[RiskRule, ...]
    contraindications: tuple[ContraindicationRule, ...]
    precautions: tuple[PrecautionRule, ...]
    # derived indexes
    codes: Mapping[str, frozenset[str]] = field(repr=False)
    labels: Mapping[str, Mapping[str, str]] = field(repr=False)
    areas: Mapping[str, Area] = field(repr=False)
    allergens: Mapping[str, Allergen] = field(repr=False)
    numbing_agents: Mapping[str, NumbingAgent] = field(repr=False)
    topicals: Mapping[str, Topical] = field(repr=False)
    # the consent sheet's wording (consent.yaml); None only for a knowledge base built without it
    consent: ConsentFile | None = field(default=None, repr=False)
    # the aftercare plan's course and wording (aftercare.yaml); None only when built without it
    aftercare: AftercareFile | None = field(default=None, repr=False)
    # symptoms, triage rules and the free-text reader (symptoms.yaml, triage_rules.yaml,
    # reader.yaml) with their indexes; None only for a knowledge base built without them
    triage: TriageKnowledge | None = field(default=None, repr=False)
    # the plain names of the findings' codes ("contraindications", "precautions"), from their
    # rules' labels (every rule of one code has the same label)
    finding_labels: Mapping[str, Mapping[str, str]] = field(default_factory=dict, repr=False)
    # combinations of raised risks that raise the decision (contraindications.yaml)
    escalations: tuple[EscalationRule, ...] = field(default=(), repr=False)
    # standard codes (SNOMED CT, ICD-10-CM, RxNorm) -> contract codes (code_map.yaml); None
    # only for a knowledge base built without it
    code_map: CodeMap | None = field(default=None, repr=False)
    # the demo data's rates and the surveillance report's thresholds (surveillance.yaml); None
    # only for a knowledge base built without it
    surveillance: SurveillanceFile | None = field(default=None, repr=False)
    # the short names of the outcome codes and a new clinic's defaults (words.yaml); None
    # only for a knowledge base built without it
    words: WordsFile | None = field(default=None, repr=False)
    # the clinic's forms: the skin-type quiz and the CTCAE grades (fitzpatrick_quiz.yaml,
    # ctcae_grades.yaml); None only for a knowledge base built without them
    forms: ClinicForms | None = field(default=None, repr=False)
    # medical words and their plain words (glossary.yaml), for the consent sheet and the lint;
    # None only for a knowledge base built without it
    glossary: GlossaryFile | None = field(default=None, repr=False)
    # every file as loaded, by file name (for the generic walker's checks and the lint)
    files: Mapping[str, BaseModel] = field(default_factory=dict, repr=False)

    def clinic_forms(self) -> ClinicForms:
        """The skin-type quiz and the CTCAE grades (loaded with the rest)."""
        if self.forms is None:
            raise ValueError("this knowledge base was built without its forms")
        return self.forms

    def label(self, vocabulary: str, code: str) -> str:
        """The plain words for a code: of a vocabulary, or of a finding (`"precautions"`,
        `"contraindications"`); the code itself, tidied, when it has none."""
        names = self.labels.get(vocabulary) or self.finding_labels.get(vocabulary)
        if names is None:
            raise KeyError(vocabulary)
        return names.get(code, code.replace("_", " "))


VOCABULARY_NAMES = (
    "fitzpatrick",
    "conditions",
    "medications",
    "allergies",
    "areas",
    "devices",
    "settings",
    "numbing_agents",
    "topicals",
    "symptoms",
    "severities",
    "trends",
    "clearances",
)


def build_knowledge(
    *,
    version: str,
    sources: SourcesFile,
    vocab: Vocabularies,
    complications: ComplicationsFile,
    risk_rules: RiskRulesFile,
    contraindications: ContraindicationsFile,
    precautions: PrecautionsFile,
    consent: ConsentFile | None = None,
    aftercare: AftercareFile | None = None,
    symptoms: SymptomsFile | None = None,
    triage_rules: TriageRulesFile | None = None,
    reader: ReaderFile | None = None,
    surveillance: SurveillanceFile | None = None,
    code_map: CodeMapFile | None = None,
    words: WordsFile | None = None,
    fitzpatrick_quiz: FitzpatrickQuizFile | None = None,
    ctcae_grades: CtcaeGradesFile | None = None,
    glossary: GlossaryFile | None = None,
) -> Knowledge:
    problems: list[str] = []

    def unique(file: str, what: str, keys: list[str]) -> None:
        seen: set[str] = set()
        for key in keys:
            if key in seen:
                problems.append(f"{file}: {what} {key!r} is defined twice")
            seen.add(key)

    unique("sources.yaml", "source", [s.id for s in sources.sources])
    for name in VOCABULARY_NAMES:
        unique("vocabularies.yaml", f"{name} code", [t.code for t in getattr(vocab, name)])
    unique("complications.yaml", "complication", [c.code for c in complications.complications])
    all_rules: list[tuple[str, RiskRule | ContraindicationRule | PrecautionRule]] = [
        *(("risk_rules.yaml", r) for r in risk_rules.rules),
        *(("contraindications.yaml", r) for r in contraindications.contraindications),
        *(("precautions.yaml", r) for r in precautions.precautions),
    ]
    escalations = contraindications.escalations
    unique("knowledge", "rule id", [r.id for _, r in all_rules] + [e.id for e in escalations])

    codes = {name: frozenset(t.code for t in getattr(vocab, name)) for name in VOCABULARY_NAMES}
    source_ids = {s.id for s in sources.sources}
    complication_codes = {c.code for c in complications.complications}
    precaution_codes = {r.code for r in precautions.precautions}

    files: dict[str, BaseModel | None] = {
        "sources.yaml": sources,
        "vocabularies.yaml": vocab,
        "complications.yaml": complications,
        "risk_rules.yaml": risk_rules,
        "contraindications.yaml": contraindications,
        "precautions.yaml": precautions,
        "consent.yaml": consent,
        "aftercare.yaml": aftercare,
        "symptoms.yaml": symptoms,
        "triage_rules.yaml": triage_rules,
        "reader.yaml": reader,
        "surveillance.yaml": surveillance,
        "code_map.yaml": code_map,
        "fitzpatrick_quiz.yaml": fitzpatrick_quiz,
        "ctcae_grades.yaml": ctcae_grades,
        "glossary.yaml": glossary,
    }
    loaded = {name: model for name, model in files.items() if model is not None}
    # every field typed SourceIds or with a code alias in every file, found by the walker
    known: dict[str, frozenset[str] | set[str]] = {
        **codes,
        "complications": complication_codes,
        "precautions": precaution_codes,
    }
    for name, model in loaded.items():
        problems += unknown_references(name, model, sources=source_ids, codes=known)
    # every code a condition names, by its key's vocabulary (the condition tables)
    whens: list[tuple[str, PredicateBase]] = [
        (f"{file}: rule {rule.id}", rule.when) for file, rule in all_rules
    ]
    if aftercare is not None:
        whens += [
            (f"aftercare.yaml: {where}", when) for where, when in aftercare_conditions(aftercare)
        ]
    for where, when in whens:
        for vocabulary, code in predicate_codes(when):
            if code not in known[vocabulary]:
                problems.append(f"{where}: when: unknown {code_noun(vocabulary)} {code!r}")
    for escalation in escalations:
        where = f"contraindications.yaml: escalation {escalation.id}"
        among = escalation.when_risks.among
        possible = len(among) if among is not None else len(complication_codes)
        if escalation.when_risks.at_least > possible:
            problems.append(
                f"{where}: when_risks.at_least: {escalation.when_risks.at_least} is more than "
                f"the {possible} complications it counts"
            )
    if aftercare is not None:
        problems += check_aftercare(aftercare)
    triage: TriageKnowledge | None = None
    if symptoms is not None and triage_rules is not None and reader is not None:
        triage, triage_problems = build_triage(
            symptoms,
            triage_rules,
            reader,
            symptom_codes=codes["symptoms"],
        )
        problems += triage_problems
    if surveillance is not None:
        problems += check_surveillance(surveillance, codes=codes, complications=complication_codes)
    loaded_map: CodeMap | None = None
    if code_map is not None:
        loaded_map, map_problems = check_code_map(code_map)
        problems += map_problems
    forms: ClinicForms | None = None
    if fitzpatrick_quiz is not None and ctcae_grades is not None:
        forms = ClinicForms(quiz=fitzpatrick_quiz, ctcae=ctcae_grades)
        problems += check_forms(forms)
    if problems:
        raise KnowledgeError(problems)

    return Knowledge(
        version=version,
        sources={s.id: s for s in sources.sources},
        vocab=vocab,
        complications={c.code: c for c in complications.complications},
        risk_rules=tuple(risk_rules.rules),
        contraindications=tuple(contraindications.contraindications),
        precautions=tuple(precautions.precautions),
        codes=codes,
        labels={name: {t.code: t.label for t in getattr(vocab, name)} for name in VOCABULARY_NAMES},
        finding_labels={
            "contraindications": {
                **{r.code: r.label for r in contraindications.contraindications},
                **{e.code: e.label for e in escalations},
            },
            "precautions": {r.code: r.label for r in precautions.precautions},
        },
        areas={a.code: a for a in vocab.areas},
        allergens={a.code: a for a in vocab.allergies},
        numbing_agents={n.code: n for n in vocab.numbing_agents},
        topicals={t.code: t for t in vocab.topicals},
        consent=consent,
        aftercare=aftercare,
        triage=triage,
        escalations=tuple(escalations),
        surveillance=surveillance,
        code_map=loaded_map,
        words=words,
        forms=forms,
        glossary=glossary,
        files=loaded,
    )
