"""Screening: a pure function from an intake to an assessment (shared/CONTRACT.md).

Every clinical fact comes from the knowledge base; this module only evaluates the rules'
conditions against the intake and assembles the result, keeping the facts each rule matched.

For speed, each knowledge base is compiled once (memoised by identity) into plain closures,
one per rule condition, and an index from "tokens" (facts such as `c:keloid_history` or
`depth>1.5`) to the rules that need them: a rule can only fire when the intake has at least one
of its tokens, so for a typical intake most rules are never evaluated. The result is the same
as evaluating every rule in file order (a test checks this against a naive evaluator).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from operator import attrgetter
from typing import Any, TypeVar

from pydantic import BaseModel
from pydantic_core import to_json

from needlesafe.engine.models import (
    Assessment,
    Contraindication,
    Intake,
    Precaution,
    ReadOnlyDict,
    Reason,
    Risk,
)
from needlesafe.knowledge.base import Knowledge
from needlesafe.knowledge.schema import (
    ContraindicationRule,
    Decision,
    EscalationRule,
    Level,
    PrecautionRule,
    Predicate,
    RiskCount,
    RiskRule,
    StoppedWithin,
)

Matched = tuple[str, ...] | None  # the facts a true condition matched; None when false
Check = Callable[["Facts"], Matched]
AnyRule = RiskRule | ContraindicationRule | PrecautionRule


class Facts:
    """The intake, indexed once for the rules."""

    __slots__ = (
        "age",
        "agent",
        "allergies",
        "areas",
        "biologics",
        "clearances",
        "conditions",
        "current_medications",
        "depth",
        "device",
        "fitzpatrick",
        "ingredients",
        "intake",
        "knowledge",
        "numbing_area",
        "over_cap",
        "stopped_medications",
        "topicals",
        "unlabeled",
    )

    def __init__(self, intake: Intake, knowledge: Knowledge) -> None:
        patient, plan = intake.patient, intake.plan
        self.intake = intake
        self.knowledge = knowledge
        self.age = patient.age
        self.fitzpatrick = patient.fitzpatrick
        self.conditions = frozenset(patient.conditions)
        uses = patient.medications
        self.current_medications: frozenset[str] = frozenset()
        self.stopped_medications: dict[str, int] = {}
        if uses:  # most patients take nothing
            self.current_medications = frozenset(m.code for m in uses if m.stopped_days_ago is None)
            stopped = self.stopped_medications
            for m in uses:
                if m.stopped_days_ago is not None:  # the most recent stop counts
                    stopped[m.code] = min(
                        m.stopped_days_ago, stopped.get(m.code, m.stopped_days_ago)
                    )
        self.allergies = frozenset(patient.allergies)
        self.agent = plan.numbing_agent
        self.ingredients = tuple(knowledge.numbing_agents[plan.numbing_agent].ingredients)
        self.areas = tuple(plan.areas)
        self.depth = depth = plan.needle_depth_mm
        self.device = plan.device
        self.topicals = tuple(plan.topicals)
        areas = knowledge.areas
        caps = [(code, areas[code].cap_for(plan.device)) for code in self.areas]
        self.over_cap = tuple([(code, cap) for code, cap in caps if depth > cap])
        topicals = knowledge.topicals
        self.unlabeled = tuple(
            [
                c
                for c in self.topicals
                if not topicals[c].labeled_for_microneedling and not topicals[c].biologic
            ]
        )
        self.biologics = tuple([c for c in self.topicals if topicals[c].biologic])
        self.clearances = frozenset(plan.medical_clearances)
        # the skin a numbing cream covers: the planned areas' surfaces, each counted once
        self.numbing_area = (
            sum(areas[code].surface_cm2 or 0.0 for code in dict.fromkeys(self.areas))
            if self.agent != "none"
            else 0.0
        )


# ---------------------------------------------------------------- compiling conditions


def _members(path: str, wanted: Iterable[str], present: Callable[[Facts], Any]) -> Check:
    facts = {code: f"{path}={code}" for code in wanted}  # in the rule's order
    if len(facts) == 1:  # the common case, made cheap
        ((code, fact),) = facts.items()
        found = (fact,)
        return lambda f: found if code in present(f) else None
    pairs = tuple(facts.items())
    wanted_set = frozenset(facts)

    def check(f: Facts) -> Matched:
        have = present(f)
        if wanted_set.isdisjoint(have):
            return None
        return tuple([fact for code, fact in pairs if code in have])

    return check


def _flag(path: str, wanted: object, actual: Callable[[Facts], object]) -> Check:
    shown = str(wanted).lower() if isinstance(wanted, bool) else str(wanted)
    fact = (f"{path}={shown}",)
    return lambda f: fact if actual(f) == wanted else None


def _compile(predicate: Predicate, knowledge: Knowledge) -> Check:  # noqa: C901 - one branch per key
    key = predicate.key()
    value: Any = getattr(predicate, key)
    if key == "all":
        children = [_compile(c, knowledge) for c in value]

        def all_(f: Facts) -> Matched:
            matched: tuple[str, ...] = ()
            for child in children:
                found = child(f)
                if found is None:
                    return None
                matched += found
            return matched

        return all_
    if key == "any":
        options = [_compile(c, knowledge) for c in value]

        def any_(f: Facts) -> Matched:
            matched: tuple[str, ...] = ()
            for option in options:
                found = option(f)
                if found is not None:
                    matched += found
            return matched or None

        return any_
    if key == "fitzpatrick_in":
        return _members("patient.fitzpatrick", value, lambda f: (f.fitzpatrick,))
    if key == "condition_any":
        return _members("patient.conditions", value, attrgetter("conditions"))
    if key == "medication_current":
        return _members("patient.medications", value, attrgetter("current_medications"))
    if key == "allergy_any":
        return _members("patient.allergies", value, attrgetter("allergies"))
    if key == "area_in":
        return _members("plan.areas", value, attrgetter("areas"))
    if key == "device_in":
        return _members("plan.device", value, lambda f: (f.device,))
    if key == "topical_in":
        return _members("plan.topicals", value, attrgetter("topicals"))
    if key == "numbing_agent_contains":
        return _numbing_agent_contains(value)
    if key == "medication_stopped_within_days":
        return _stopped_within(value)
    if key == "allergy_to_numbing_agent":
        return _allergy_to_numbing_agent(value, knowledge)
    if key == "allergy_to_topical":
        return _allergy_to_topical(knowledge)
    if key == "age_below":
        return lambda f: (f"patient.age={f.age}",) if f.age < value else None
    if key == "pregnant":
        return _flag("patient.pregnant", value, lambda f: f.intake.patient.pregnant)
    if key == "breastfeeding":
        return _flag("patient.breastfeeding", value, lambda f: f.intake.patient.breastfeeding)
    if key == "area_region":
        in_region = frozenset(a.code for a in knowledge.areas.values() if a.region == value)
        return lambda f: tuple([f"plan.areas={c}" for c in f.areas if c in in_region]) or None
    if key == "depth_above_mm":
        return lambda f: (f"plan.needle_depth_mm={f.depth:g}",) if f.depth > value else None
    if key == "depth_above_area_cap":
        return lambda f: (
            tuple(
                [
                    f"plan.needle_depth_mm={f.depth:g} > {code} cap {cap:g}"
                    for code, cap in f.over_cap
                ]
            )
            or None
        )
    if key == "setting":
        return _flag("plan.setting", value, lambda f: f.intake.plan.setting)
    if key == "numbing_agent_planned":
        return lambda f: (
            (f"plan.numbing_agent={f.agent}",) if (f.agent != "none") == value else None
        )
    if key == "topical_unlabeled":
        return lambda f: tuple([f"plan.topicals={c}" for c in f.unlabeled]) or None
    if key == "topicals_planned":
        return lambda f: (
            (f"plan.topicals={','.join(f.topicals) or 'none'}",)
            if bool(f.topicals) == value
            else None
        )
    if key == "clearance_missing":
        fact = (f"plan.medical_clearances lacks {value}",)
        return lambda f: fact if value not in f.clearances else None
    if key == "numbing_area_above_cm2":
        return lambda f: (
            (f"plan.numbing_agent={f.agent} over about {f.numbing_area:g} cm2 of skin",)
            if f.numbing_area > value
            else None
        )
    if key == "topical_biologic":
        return lambda f: tuple([f"plan.topicals={c}" for c in f.biologics]) or None
    if key == "patch_test_done":
        return _flag("plan.patch_test_done", value, lambda f: f.intake.plan.patch_test_done)
    if key == "sterile_single_use_needles":
        return _flag(
            "plan.sterile_single_use_needles",
            value,
            lambda f: f.intake.plan.sterile_single_use_needles,
        )
    raise ValueError(f"no evaluator for condition key {key!r}")  # a schema key without a case


def _numbing_agent_contains(wanted: list[str]) -> Check:
    def check(f: Facts) -> Matched:
        found = [c for c in wanted if c in f.ingredients]
        return tuple([f"plan.numbing_agent={f.agent} has={c}" for c in found]) or None

    return check


def _stopped_within(value: StoppedWithin) -> Check:
    def check(f: Facts) -> Matched:
        stopped = f.stopped_medications
        return (
            tuple(
                [
                    f"patient.medications={code} (stopped {stopped[code]} days ago)"
                    for code in value.codes
                    if code in stopped and stopped[code] <= value.days
                ]
            )
            or None
        )

    return check


def _allergy_to_numbing_agent(mode: str, knowledge: Knowledge) -> Check:
    allergens = knowledge.allergens

    def check(f: Facts) -> Matched:
        if not f.allergies or not f.ingredients:
            return None
        found: list[str] = []
        for allergy in sorted(f.allergies):
            kind = allergens[allergy].anaesthetic_class
            for ingredient in f.ingredients:
                if mode == "ingredient" and ingredient == allergy:
                    found.append(f"patient.allergies={allergy}; plan.numbing_agent={f.agent}")
                elif (
                    mode == "class"
                    and ingredient != allergy
                    and kind is not None
                    and kind == allergens[ingredient].anaesthetic_class
                ):
                    found.append(
                        f"patient.allergies={allergy}; plan.numbing_agent={f.agent} has "
                        f"{ingredient} (same {kind} class)"
                    )
        return tuple(found) or None

    return check


def _allergy_to_topical(knowledge: Knowledge) -> Check:
    allergens = knowledge.allergens

    def check(f: Facts) -> Matched:
        return (
            tuple(
                [
                    f"patient.allergies={code}; plan.topicals={code}"
                    for code in f.topicals
                    if code in f.allergies and allergens[code].exposure == "topical"
                ]
            )
            or None
        )

    return check


def evaluate(predicate: Predicate, facts: Facts) -> Matched:
    """Evaluate one condition (compiled on the fly; the engine uses precompiled ones)."""
    return _compile(predicate, facts.knowledge)(facts)


# ---------------------------------------------------------------- the rule index


def _guard(predicate: Predicate) -> frozenset[str] | None:
    """Tokens of which an intake must have at least one for `predicate` to be true.

    None means "no guard": the rule is evaluated for every intake.
    """
    key = predicate.key()
    value: Any = getattr(predicate, key)
    if key == "all":
        guards = [g for g in map(_guard, value) if g is not None]
        return min(guards, key=len) if guards else None  # any one child's guard is necessary
    if key == "any":
        options = [_guard(c) for c in value]
        if not options or any(g is None for g in options):
            return None
        return frozenset().union(*(g for g in options if g is not None))
    prefix = _TOKEN_PREFIX.get(key)
    if prefix is not None:
        codes = value.codes if isinstance(value, StoppedWithin) else value
        return frozenset(f"{prefix}{c}" for c in codes)
    if key in ("allergy_to_numbing_agent", "allergy_to_topical"):
        return frozenset({"allergies"})
    if key == "age_below":
        return frozenset({f"age<{float(value)!r}"})
    if key == "depth_above_mm":
        return frozenset({f"depth>{float(value)!r}"})
    if key == "depth_above_area_cap":
        return frozenset({"over_cap"})
    if key == "area_region":
        return frozenset({f"region:{value}"})
    if key == "setting":
        return frozenset({f"setting:{value}"})
    if key == "topical_unlabeled":
        return frozenset({"topical_unlabeled"})
    if key == "topical_biologic":
        return frozenset({"topical_biologic"})
    if key == "numbing_area_above_cm2":
        return frozenset({"numbing_agent_planned:True"})  # necessary, not sufficient
    if key == "clearance_missing":
        return None  # true for most intakes: no index can narrow it
    return frozenset({f"{key}:{bool(value)}"})  # the boolean keys


_TOKEN_PREFIX = {
    "fitzpatrick_in": "fitzpatrick:",
    "condition_any": "c:",
    "medication_current": "m:",
    "medication_stopped_within_days": "s:",
    "allergy_any": "a:",
    "area_in": "area:",
    "device_in": "device:",
    "topical_in": "t:",
    "numbing_agent_contains": "ingredient:",
}


def _thresholds(predicate: Predicate, key: str) -> Iterable[float]:
    value: Any = getattr(predicate, predicate.key())
    if predicate.key() in ("all", "any"):
        for child in value:
            yield from _thresholds(child, key)
    elif predicate.key() == key:
        yield float(value)


@dataclass(frozen=True)
class CompiledRule:
    kind: str  # "risk", "contraindication" or "precaution"
    rule: Any  # RiskRule | ContraindicationRule | PrecautionRule
    check: Check
    rank: int = 0  # a contraindication's decision rank


@dataclass(frozen=True)
class Compiled:
    rules: tuple[CompiledRule, ...]  # risk rules, then contraindications, then precautions
    unguarded: frozenset[int]
    index: dict[str, tuple[int, ...]]
    depth_tokens: tuple[tuple[float, str], ...]  # (threshold, token) for depth_above_mm
    age_tokens: tuple[tuple[float, str], ...]  # (threshold, token) for age_below
    regions: dict[str, str]
    outputs: Outputs  # the results built so far, shared between assessments

    def candidates(self, f: Facts) -> list[int]:
        """The numbers of the rules whose guard the intake meets, in file order."""
        patient, plan = f.intake.patient, f.intake.plan
        index = self.index
        chosen = set(self.unguarded)
        add = chosen.update
        for token in (
            "fitzpatrick:" + f.fitzpatrick,
            "device:" + f.device,
            "setting:" + plan.setting,
            _BOOL_TOKENS["pregnant"][patient.pregnant],
            _BOOL_TOKENS["breastfeeding"][patient.breastfeeding],
            _BOOL_TOKENS["numbing_agent_planned"][f.agent != "none"],
            _BOOL_TOKENS["topicals_planned"][bool(f.topicals)],
            _BOOL_TOKENS["patch_test_done"][plan.patch_test_done],
            _BOOL_TOKENS["sterile_single_use_needles"][plan.sterile_single_use_needles],
        ):
            add(index.get(token, ()))
        for prefix, codes in (
            ("c:", f.conditions),
            ("m:", f.current_medications),
            ("s:", f.stopped_medications),
            ("a:", f.allergies),
            ("area:", f.areas),
            ("ingredient:", f.ingredients),
            ("t:", f.topicals),
        ):
            for code in codes:
                add(index.get(prefix + code, ()))
        regions = self.regions
        for code in f.areas:
            add(index.get("region:" + regions[code], ()))
        for threshold, token in self.depth_tokens:
            if f.depth > threshold:
                add(index[token])
        for threshold, token in self.age_tokens:
            if f.age < threshold:
                add(index[token])
        if f.allergies:
            add(index.get("allergies", ()))
        if f.over_cap:
            add(index.get("over_cap", ()))
        if f.unlabeled:
            add(index.get("topical_unlabeled", ()))
        if f.biologics:
            add(index.get("topical_biologic", ()))
        return sorted(chosen)


_BOOL_TOKENS = {
    key: {True: f"{key}:True", False: f"{key}:False"}
    for key in (
        "pregnant",
        "breastfeeding",
        "numbing_agent_planned",
        "topicals_planned",
        "patch_test_done",
        "sterile_single_use_needles",
    )
}


def compile_knowledge(knowledge: Knowledge) -> Compiled:
    entries: list[tuple[str, AnyRule]] = [
        *(("risk", r) for r in knowledge.risk_rules),
        *(("contraindication", r) for r in knowledge.contraindications),
        *(("precaution", r) for r in knowledge.precautions),
    ]
    rules: list[CompiledRule] = []
    unguarded: set[int] = set()
    index: dict[str, list[int]] = {}
    depths: set[float] = set()
    ages: set[float] = set()
    for number, (kind, rule) in enumerate(entries):
        rules.append(
            CompiledRule(
                kind,
                rule,
                _compile(rule.when, knowledge),
                rank=rule.decision.rank if isinstance(rule, ContraindicationRule) else 0,
            )
        )
        guard = _guard(rule.when)
        if guard is None:
            unguarded.add(number)
        else:
            for token in guard:
                index.setdefault(token, []).append(number)
        depths.update(_thresholds(rule.when, "depth_above_mm"))
        ages.update(_thresholds(rule.when, "age_below"))
    return Compiled(
        rules=tuple(rules),
        unguarded=frozenset(unguarded),
        index={token: tuple(numbers) for token, numbers in index.items()},
        depth_tokens=tuple((t, f"depth>{t!r}") for t in sorted(depths) if f"depth>{t!r}" in index),
        age_tokens=tuple((t, f"age<{t!r}") for t in sorted(ages) if f"age<{t!r}" in index),
        regions={a.code: a.region for a in knowledge.areas.values()},
        outputs=Outputs(knowledge, tuple(rules)),
    )


_COMPILED: dict[int, tuple[Knowledge, Compiled]] = {}


def compiled(knowledge: Knowledge) -> Compiled:
    """The compiled form of `knowledge`, memoised by identity (knowledge is immutable)."""
    entry = _COMPILED.get(id(knowledge))
    if entry is not None and entry[0] is knowledge:
        return entry[1]
    if len(_COMPILED) >= 8:
        _COMPILED.clear()
    result = compile_knowledge(knowledge)
    _COMPILED[id(knowledge)] = (knowledge, result)
    return result


def forget() -> None:
    """Forget every compiled knowledge base, the results remembered and their JSON: what a
    fresh process starts from (the benchmark starts each run from there)."""
    _COMPILED.clear()
    _JSON.clear()


# ---------------------------------------------------------------- building the result

ModelT = TypeVar("ModelT", bound=BaseModel)
_set = object.__setattr__


def _make(cls: type[ModelT], values: dict[str, Any]) -> ModelT:
    """A model from trusted, complete values: what `model_construct` does, without its
    per-field bookkeeping (every field is given here, so none is defaulted)."""
    model = cls.__new__(cls)
    _set(model, "__dict__", values)
    _set(model, "__pydantic_fields_set__", set(values))
    _set(model, "__pydantic_extra__", None)
    _set(model, "__pydantic_private__", None)
    return model


def _merge_params(into: dict[str, float | str], more: dict[str, float | str]) -> None:
    for name, value in more.items():
        if name == "max_depth_mm" and name in into:
            into[name] = min(float(into[name]), float(value))
        else:
            into.setdefault(name, value)


def _precaution_params(rule: PrecautionRule, facts: Facts) -> tuple[dict[str, float | str], str]:
    params: dict[str, float | str] = {}
    clinician_text = rule.clinician_text
    if "{area_caps}" in clinician_text:
        params = {code: cap for code, cap in facts.over_cap}
        caps = ", ".join(f"{area} {cap:g} mm" for area, cap in facts.over_cap)
        clinician_text = clinician_text.replace("{area_caps}", caps or "none")
        if facts.over_cap:
            params["max_depth_mm"] = min(cap for _, cap in facts.over_cap)
    if "{area_cap_reasons}" in clinician_text:
        areas = facts.knowledge.areas
        reasons = "; ".join(
            f"{code}: {areas[code].cap_reason}"
            for code, _ in facts.over_cap
            if areas[code].cap_reason
        )
        clinician_text = clinician_text.replace("{area_cap_reasons}", reasons or "none given")
    _merge_params(params, dict(rule.params))
    return params, clinician_text


Fired = tuple[int, tuple[str, ...]]  # a rule's number and the facts it matched
Key = TypeVar("Key")
Value = TypeVar("Value")
MEMO_SIZE = 20_000  # results remembered per kind, forgotten all at once when full


def _remember(memo: dict[Key, Value], key: Key, value: Value) -> Value:
    if len(memo) >= MEMO_SIZE:
        memo.clear()
    memo[key] = value
    return value


class Outputs:
    """The result parts of one knowledge base, each built once per distinct set of fired rules
    and matched facts, then shared: they are frozen models that nothing mutates (a test checks
    that screening many intakes leaves them unchanged). Most intakes repeat parts seen before,
    so this saves most of the building and, with `assessment_json`, of the serialising."""

    def __init__(self, knowledge: Knowledge, rules: tuple[CompiledRule, ...]) -> None:
        self.knowledge = knowledge
        self.rules = rules
        self.baseline_risks = {  # the risks no rule raised
            code: _make(
                Risk,
                {
                    "level": Level.baseline,
                    "reasons": (),
                    "patient_text": complication.patient_text.at(Level.baseline),
                    "label": complication.label,
                },
            )
            for code, complication in knowledge.complications.items()
        }
        # the precautions whose text depends on the areas planned deeper than their cap
        self.with_area_caps = frozenset(
            p.code for p in knowledge.precautions if "{area_caps}" in p.clinician_text
        )
        self.risks: dict[tuple[Fired, ...], Risk] = {}
        self.contraindications: dict[Fired, Contraindication] = {}
        self.escalations: dict[Fired, Contraindication] = {}
        self.precautions: dict[
            tuple[tuple[Fired, ...], tuple[tuple[str, float], ...]], Precaution
        ] = {}

    def risk(self, code: str, fired: tuple[Fired, ...]) -> Risk:
        """The risk of complication `code` raised by the risk rules `fired`."""
        found = self.risks.get(fired)
        return found if found is not None else _remember(self.risks, fired, self._risk(code, fired))

    def contraindication(self, fired: Fired) -> Contraindication:
        found = self.contraindications.get(fired)
        if found is None:
            found = _remember(self.contraindications, fired, self._contraindication(fired))
        return found

    def escalation(self, fired: Fired) -> Contraindication:
        """The finding of escalation rule number `fired[0]` (of knowledge.escalations)."""
        found = self.escalations.get(fired)
        if found is None:
            number, matched = fired
            rule: EscalationRule = self.knowledge.escalations[number]
            found = _remember(
                self.escalations,
                fired,
                _make(
                    Contraindication,
                    {
                        "code": rule.code,
                        "label": rule.label,
                        "kind": rule.kind,
                        "decision": rule.decision,
                        "rule": rule.id,
                        "factors": tuple(matched),
                        "patient_text": rule.patient_text,
                        "clinician_text": rule.clinician_text,
                        "sources": tuple(rule.sources),
                    },
                ),
            )
        return found

    def precaution(self, code: str, fired: tuple[Fired, ...], facts: Facts) -> Precaution:
        """Precaution `code` from the rules `fired` that advise it (later rules add facts,
        sources and params to the first)."""
        key = (fired, facts.over_cap if code in self.with_area_caps else ())
        found = self.precautions.get(key)
        if found is None:
            found = _remember(self.precautions, key, self._precaution(fired, facts))
        return found

    def _risk(self, code: str, fired: tuple[Fired, ...]) -> Risk:
        reasons: list[Reason] = []
        level = Level.baseline
        for number, matched in fired:
            rule: RiskRule = self.rules[number].rule
            reasons.append(
                _make(
                    Reason,
                    {
                        "factor": "; ".join(matched),
                        "rule": rule.id,
                        "clinician_text": rule.rule,
                        "patient_text": rule.patient_text,
                        "sources": tuple(rule.sources),
                    },
                )
            )
            if rule.level.rank > level.rank:
                level = rule.level
        complication = self.knowledge.complications[code]
        return _make(
            Risk,
            {
                "level": level,
                "reasons": tuple(reasons),
                "patient_text": complication.patient_text.at(level),
                "label": complication.label,
            },
        )

    def _contraindication(self, fired: Fired) -> Contraindication:
        number, matched = fired
        rule: ContraindicationRule = self.rules[number].rule
        return _make(
            Contraindication,
            {
                "code": rule.code,
                "label": rule.label,
                "kind": rule.kind,
                "decision": rule.decision,
                "rule": rule.id,
                "factors": tuple(matched),
                "patient_text": rule.patient_text,
                "clinician_text": rule.clinician_text,
                "sources": tuple(rule.sources),
            },
        )

    def _precaution(self, fired: tuple[Fired, ...], facts: Facts) -> Precaution:
        first: PrecautionRule = self.rules[fired[0][0]].rule
        factors: list[str] = []
        params: dict[str, float | str] = {}
        texts: list[str] = []
        sources: list[str] = []
        for number, matched in fired:
            rule: PrecautionRule = self.rules[number].rule
            more, text = _precaution_params(rule, facts)
            _merge_params(params, more)
            factors += matched
            texts.append(text)
            sources += rule.sources
        return _make(
            Precaution,
            {
                "code": first.code,
                "label": first.label,
                "rule": first.id,
                "factors": tuple(factors),
                "params": ReadOnlyDict(params),
                "patient_text": first.patient_text,
                "clinician_text": " ".join(texts),
                # one rule's sources as written; several rules' without repeats
                "sources": tuple(sources if len(fired) == 1 else dict.fromkeys(sources)),
            },
        )


def screen(intake: Intake, knowledge: Knowledge) -> Assessment:
    """Assess an intake: each complication's risk with reasons, contraindications, precautions
    and the decision. Deterministic; the same intake and knowledge give the same result."""
    program = compiled(knowledge)
    facts = Facts(intake, knowledge)

    raised: dict[str, list[Fired]] = {}  # complication -> the risk rules that fired
    advised: dict[str, list[Fired]] = {}  # precaution code -> the precaution rules that fired
    contraindications: list[Contraindication] = []
    decision, rank = Decision.proceed, 0
    rules = program.rules
    for number in program.candidates(facts):
        entry = rules[number]
        matched = entry.check(facts)
        if matched is None:
            continue
        fired = (number, matched)
        if entry.kind == "risk":
            raised.setdefault(entry.rule.complication, []).append(fired)
        elif entry.kind == "precaution":
            advised.setdefault(entry.rule.code, []).append(fired)
        else:
            contraindications.append(program.outputs.contraindication(fired))
            if entry.rank > rank:
                decision, rank = entry.rule.decision, entry.rank

    outputs = program.outputs
    risks = dict(outputs.baseline_risks)  # replace the raised ones
    for code, fired_rules in raised.items():
        risks[code] = outputs.risk(code, tuple(fired_rules))
    precautions = [outputs.precaution(code, tuple(f), facts) for code, f in advised.items()]

    for number, escalation in enumerate(knowledge.escalations):
        reached = risks_reached(escalation.when_risks, risks)
        if reached is None:
            continue
        contraindications.append(outputs.escalation((number, reached)))
        if escalation.decision.rank > rank:
            decision, rank = escalation.decision, escalation.decision.rank

    if decision is Decision.proceed and (precautions or raised):
        decision = Decision.proceed_with_precautions

    return _make(
        Assessment,
        {
            "decision": decision,
            "risks": risks,
            "contraindications": contraindications,
            "precautions": precautions,
            "knowledge_version": knowledge.version,
        },
    )


def risks_reached(count: RiskCount, risks: dict[str, Risk]) -> Matched:
    """The risks at `count.level` or above (among `count.among`), when there are at least
    `count.at_least` of them; None otherwise."""
    codes = count.among if count.among is not None else list(risks)
    floor = count.level.rank
    reached = tuple(
        [
            f"risks.{c}={risks[c].level.value}"
            for c in codes
            if c in risks and risks[c].level.rank >= floor
        ]
    )
    return reached if len(reached) >= count.at_least else None


# ---------------------------------------------------------------- serialising the result

_JSON: dict[int, tuple[BaseModel, str]] = {}  # id(part) -> (the part, its JSON)


def _json_of(part: BaseModel) -> str:
    """The JSON of a result part, remembered: most parts are shared between assessments."""
    found = _JSON.get(id(part))
    if found is not None and found[0] is part:  # holding the part keeps its id from reuse
        return found[1]
    text = part.model_dump_json()
    _remember(_JSON, id(part), (part, text))
    return text


def assessment_json(assessment: Assessment) -> str:
    """`assessment.model_dump_json()`, the same text (a test holds them equal), faster: each
    risk, contraindication and precaution is serialised once and its JSON reused."""
    risks = ",".join(f'"{code}":{_json_of(risk)}' for code, risk in assessment.risks.items())
    contraindications = ",".join(map(_json_of, assessment.contraindications))
    precautions = ",".join(map(_json_of, assessment.precautions))
    version = to_json(assessment.knowledge_version).decode()
    return (
        f'{{"decision":"{assessment.decision.value}","risks":{{{risks}}},'
        f'"contraindications":[{contraindications}],"precautions":[{precautions}],'
        f'"knowledge_version":{version}}}'
    )
