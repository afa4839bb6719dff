"""The clinician's review sheet: every rule of the knowledge base in words, grouped.

Pure: builds plain data (`ReviewSheet`) from a loaded `Knowledge`; the CLI renders it to HTML
(`needlesafe knowledge review --out FILE.html`). Each rule's condition is said in words by
`condition_in_words`, with the words each key has in the condition table, so a new key cannot
reach the sheet unexplained.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import yaml
from pydantic import BaseModel

from needlesafe.knowledge.base import Knowledge
from needlesafe.knowledge.conditions import COMBINATORS, PredicateBase, either
from needlesafe.knowledge.schema import RiskCount

POLICY_KIND = "policy"


@dataclass(frozen=True)
class SourceRef:
    id: str
    kind: str
    citation: str
    note: str | None = None


@dataclass(frozen=True)
class ReviewItem:
    """One thing a clinician ticks: a rule, an area cap, a complication's codes ..."""

    id: str
    outcome: str  # what it does: "scarring -> high", "defer (relative)", a cap in mm ...
    condition: str  # when, in words ("" when it always applies)
    texts: tuple[tuple[str, str], ...]  # (whose words, the text)
    sources: tuple[SourceRef, ...]
    detail: str = ""  # anything else, as YAML (generic items)

    @property
    def rests_on_policy(self) -> bool:
        """Rests on a knowledge-base default rather than evidence: review with extra care."""
        return any(s.kind == POLICY_KIND for s in self.sources)


@dataclass(frozen=True)
class ReviewGroup:
    title: str
    about: str
    items: tuple[ReviewItem, ...]


@dataclass(frozen=True)
class ReviewSheet:
    version: str
    reviewed: str
    reviewed_by: str
    groups: tuple[ReviewGroup, ...]
    sources: tuple[SourceRef, ...]
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def item_count(self) -> int:
        return sum(len(g.items) for g in self.groups)


# ---------------------------------------------------------------- conditions in words


def condition_in_words(predicate: PredicateBase) -> str:
    """The condition as a sentence a clinician can check (each key's words come from the
    condition table, `needlesafe.knowledge.conditions`)."""
    key, value = predicate.condition
    if key in COMBINATORS:
        joiner = " and " if key == "all" else " or "
        parts = []
        for child in value:
            words = condition_in_words(child)
            nested = child.key() in COMBINATORS and child.key() != key
            parts.append(f"({words})" if nested else words)
        return joiner.join(parts)
    return type(predicate).keys_table[key].in_words(value)


def risks_in_words(count: RiskCount) -> str:
    among = f" among {either(count.among)}" if count.among else ""
    return f"at least {count.at_least} complications{among} are at `{count.level.value}` risk"


# ---------------------------------------------------------------- the sheet


def _refs(ids: Iterable[str], knowledge: Knowledge) -> tuple[SourceRef, ...]:
    refs = []
    for source_id in ids:
        s = knowledge.sources.get(source_id)
        if s is None:
            refs.append(SourceRef(source_id, "?", "(unknown source)"))
        else:
            refs.append(SourceRef(s.id, s.kind, s.citation, s.note))
    return tuple(refs)


def _generic(model: BaseModel, ident: str, knowledge: Knowledge) -> ReviewItem:
    """Any knowledge item without its own layout: its fields as YAML, its sources resolved."""
    data = model.model_dump(mode="json", exclude_none=True, exclude_defaults=True)
    sources = data.pop("sources", []) or []
    when = getattr(model, "when", None)
    condition = ""
    if isinstance(when, PredicateBase):  # an aftercare `when`: in words, like a rule's
        condition = condition_in_words(when)
        data.pop("when", None)
    return ReviewItem(
        id=ident,
        outcome="",
        condition=condition,
        texts=(),
        sources=_refs(sources, knowledge),
        detail=yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=90).strip(),
    )


def _items_of(file: BaseModel | None, knowledge: Knowledge) -> list[ReviewItem]:
    """Every listed item (with an id or code) of a knowledge file, generically."""
    if file is None:
        return []
    items: list[ReviewItem] = []
    for name in type(file).model_fields:
        value = getattr(file, name)
        if not isinstance(value, list):
            continue
        for number, entry in enumerate(value):
            if not isinstance(entry, BaseModel):
                continue
            ident = getattr(entry, "id", None) or getattr(entry, "code", None)
            items.append(_generic(entry, f"{name}: {ident or number}", knowledge))
    return items


def build_review(knowledge: Knowledge, meta: dict[str, str] | None = None) -> ReviewSheet:
    meta = meta or {}
    groups: list[ReviewGroup] = []

    caps = []
    for area in knowledge.areas.values():
        by_device = ", ".join(f"{d} {mm:g} mm" for d, mm in area.max_depth_mm_by_device.items())
        caps.append(
            ReviewItem(
                id=f"area {area.code}",
                outcome=f"cap {area.max_depth_mm:g} mm" + (f" ({by_device})" if by_device else ""),
                condition=f"{area.label}, {area.region}"
                + (f", about {area.surface_cm2:g} cm2" if area.surface_cm2 else ""),
                texts=(("reason", area.cap_reason or "(no reason given)"),),
                sources=_refs(area.sources, knowledge),
            )
        )
    groups.append(
        ReviewGroup(
            "Needle depth caps per area",
            "The deepest setting advised per area, the reason and the surface a numbing cream "
            "covers there (reduce_depth and limit_numbing_area use them).",
            tuple(caps),
        )
    )

    by_complication: dict[str, list[ReviewItem]] = {}
    for rule in knowledge.risk_rules:
        by_complication.setdefault(rule.complication, []).append(
            ReviewItem(
                id=rule.id,
                outcome=f"{rule.complication} -> {rule.level.value}",
                condition=condition_in_words(rule.when),
                texts=(("clinician", rule.rule), ("patient", rule.patient_text)),
                sources=_refs(rule.sources, knowledge),
            )
        )
    for code, complication in knowledge.complications.items():
        groups.append(
            ReviewGroup(
                f"Risk of {complication.label.lower()} ({code})",
                "Each rule raises this risk to its level when its condition holds.",
                tuple(by_complication.get(code, [])),
            )
        )

    for decision in ("do_not_treat", "defer"):
        rules = [c for c in knowledge.contraindications if c.decision.value == decision]
        groups.append(
            ReviewGroup(
                f"Contraindications: {decision.replace('_', ' ')}",
                "When the condition holds, the decision is at least this.",
                tuple(
                    ReviewItem(
                        id=c.id,
                        outcome=f"{c.code}: {c.decision.value} ({c.kind})",
                        condition=condition_in_words(c.when),
                        texts=(
                            ("label", c.label),
                            ("clinician", c.clinician_text),
                            ("patient", c.patient_text),
                        ),
                        sources=_refs(c.sources, knowledge),
                    )
                    for c in rules
                ),
            )
        )
    groups.append(
        ReviewGroup(
            "Escalations: combinations of raised risks",
            "Counted on the risk levels the rules above give; they raise the decision.",
            tuple(
                ReviewItem(
                    id=e.id,
                    outcome=f"{e.code}: {e.decision.value} ({e.kind})",
                    condition=risks_in_words(e.when_risks),
                    texts=(
                        ("label", e.label),
                        ("clinician", e.clinician_text),
                        ("patient", e.patient_text),
                    ),
                    sources=_refs(e.sources, knowledge),
                )
                for e in knowledge.escalations
            ),
        )
    )
    groups.append(
        ReviewGroup(
            "Precautions",
            "What the clinic does or asks when the condition holds.",
            tuple(
                ReviewItem(
                    id=p.id,
                    outcome=p.code
                    + (
                        f" ({', '.join(f'{k} {v}' for k, v in p.params.items())})"
                        if p.params
                        else ""
                    ),
                    condition=condition_in_words(p.when),
                    texts=(
                        ("label", p.label),
                        ("clinician", p.clinician_text),
                        ("patient", p.patient_text),
                    ),
                    sources=_refs(p.sources, knowledge),
                )
                for p in knowledge.precautions
            ),
        )
    )
    groups.append(
        ReviewGroup(
            "Complications: course, grading and codes",
            "Onset, duration, the CTCAE term and the ICD-10-CM codes suggested when an adverse "
            "event is recorded.",
            tuple(
                ReviewItem(
                    id=c.code,
                    outcome=f"ICD-10-CM {c.icd10cm.code} ({c.icd10cm.title})"
                    + "".join(f"; {o.code} ({o.title}) for {o.use_when}" for o in c.icd10cm_other),
                    condition=f"onset: {c.onset}; lasts: {c.duration}",
                    texts=(
                        ("description", c.description),
                        ("CTCAE term", c.ctcae_term),
                        *((f"patient, {lvl}", getattr(c.patient_text, lvl)) for lvl in _LEVELS),
                    ),
                    sources=_refs(c.sources, knowledge),
                )
                for c in knowledge.complications.values()
            ),
        )
    )
    vocab_items = []
    for name in ("conditions", "medications", "allergies", "topicals", "clearances"):
        for term in getattr(knowledge.vocab, name):
            vocab_items.append(_generic(term, f"{name}: {term.code}", knowledge))
    groups.append(
        ReviewGroup(
            "Intake codes and their plain labels",
            "What a patient or practitioner can report, in the words patients see.",
            tuple(vocab_items),
        )
    )
    if knowledge.triage is not None:
        groups.append(
            ReviewGroup(
                "Triage rules (after the treatment)",
                "Red flags, combinations and texts of the check-in triage, as written.",
                tuple(_items_of(knowledge.triage.rules, knowledge)),
            )
        )
        groups.append(
            ReviewGroup(
                "Symptoms and their expected course",
                "What is expected when, and the lay words the reader knows.",
                tuple(
                    _generic(entry, f"symptom {code}", knowledge)
                    for code, entry in knowledge.triage.symptoms.items()
                ),
            )
        )
    if knowledge.aftercare is not None:
        groups.append(
            ReviewGroup(
                "Aftercare plan",
                "The day-by-day course, follow-ups and warning signs.",
                tuple(_items_of(knowledge.aftercare, knowledge)),
            )
        )
    sources = _refs(sorted(knowledge.sources), knowledge)
    counts: dict[str, int] = {}
    for source in sources:
        counts[source.kind] = counts.get(source.kind, 0) + 1
    return ReviewSheet(
        version=knowledge.version,
        reviewed=meta.get("reviewed", ""),
        reviewed_by=meta.get("reviewed_by", ""),
        groups=tuple(g for g in groups if g.items),
        sources=sources,
        counts=counts,
    )


_LEVELS = ("baseline", "elevated", "high")
