"""Which rules can hold for an intake: an index from intake facts to rules, so that most rules
are never evaluated (a typical intake has few of the facts the rules look for).

The index is derived from the condition table (`needlesafe.knowledge.conditions`): a key with a
generic test names the fact values that must be present for it to hold (`any_of` its codes,
`is` its value, `present` whether the fact is given); a key with a derived test names the codes
the knowledge lets it hold with (`DERIVED`: a numbing cream that contains the anaesthetic, a
topical that is not labelled ...) or else the facts it `needs`; a rule is listed under the
values one of its necessary keys needs, and a rule with no such key is a candidate for every
intake. It only narrows: the candidates are then evaluated in full, and property tests hold
each guard necessary and screening with the index equal to screening every rule
(`screening.screen_every_rule`).

Screening builds one index per knowledge base (`screening.prepared`); it holds rules, never
results.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

from needlesafe.engine.conditions import Check, compile_condition, is_given
from needlesafe.engine.facts import Facts
from needlesafe.knowledge.base import Knowledge
from needlesafe.knowledge.conditions import COMBINATORS, PredicateBase, atoms
from needlesafe.knowledge.schema import ContraindicationRule, PrecautionRule, RiskRule

AnyRule = RiskRule | ContraindicationRule | PrecautionRule
# (fact path, a value it must have), (fact path + "?", whether it is given) or
# (fact path + " above" / " below", a limit)
Token = tuple[str, Any]


def _codes(path: str, codes: Iterable[str]) -> frozenset[Token]:
    return frozenset((path, code) for code in codes)


def _allergens_in_numbing_agents(mode: str, knowledge: Knowledge) -> frozenset[Token]:
    """The allergies `allergy_to_numbing_agent` can hold with: an ingredient of a numbing cream
    (`ingredient`) or any anaesthetic with a class (`class`)."""
    if mode == "ingredient":
        agents = knowledge.numbing_agents.values()
        return _codes("patient.allergies", {c for agent in agents for c in agent.ingredients})
    allergens = knowledge.allergens.items()
    return _codes("patient.allergies", (c for c, a in allergens if a.anaesthetic_class))


# The intake codes (or limit) a derived test can only hold with, worked out from the knowledge
# the way its function in `needlesafe.engine.conditions` reads it; a test not listed here is
# guarded by the facts it `needs`. Each is held necessary by a property test.
DERIVED: dict[str, Callable[[Any, Knowledge], frozenset[Token]]] = {
    "numbing_agent_contains": lambda wanted, kb: _codes(
        "plan.numbing_agent",
        (code for code, agent in kb.numbing_agents.items() if set(agent.ingredients) & {*wanted}),
    ),
    "allergy_to_numbing_agent": _allergens_in_numbing_agents,
    "allergy_to_topical": lambda _, kb: _codes(
        "patient.allergies",
        (c for c in kb.topicals if c in kb.allergens and kb.allergens[c].exposure == "topical"),
    ),
    "topical_unlabeled": lambda _, kb: _codes(
        "plan.topicals",
        (c for c, t in kb.topicals.items() if not t.labeled_for_microneedling and not t.biologic),
    ),
    "topical_biologic": lambda _, kb: _codes(
        "plan.topicals", (c for c, t in kb.topicals.items() if t.biologic)
    ),
    "area_region": lambda region, kb: _codes(
        "plan.areas", (c for c, area in kb.areas.items() if area.region == region)
    ),
    "depth_above_area_cap": lambda _, kb: frozenset(
        {("plan.needle_depth_mm above", min(_caps(kb), default=0.0))}
    ),
}


def _caps(knowledge: Knowledge) -> Iterator[float]:
    """Every area's depth cap, for every device."""
    for area in knowledge.areas.values():
        yield from (area.cap_for(device) for device in knowledge.codes["devices"])


def _on_a_list(predicate: PredicateBase) -> bool:
    """Whether `predicate` is a test of a fact that holds several values (a list)."""
    key, _ = predicate.condition
    return key not in COMBINATORS and type(predicate).keys_table[key].multi


def guard(predicate: PredicateBase, knowledge: Knowledge | None = None) -> frozenset[Token] | None:
    """Tokens of which an intake must have at least one for `predicate` to hold; None when no
    token is needed (the rule is evaluated for every intake). Without `knowledge` a derived
    test is guarded by the facts it needs only."""
    key, value = predicate.condition
    if key == "all":
        # any one child's guard is necessary: the smallest, and of equal ones one on a list of
        # codes (a single-valued fact always has one of its values; a list is often empty)
        guards = [(g, _on_a_list(c)) for c in value if (g := guard(c, knowledge)) is not None]
        return min(guards, key=lambda found: (len(found[0]), not found[1]))[0] if guards else None
    if key == "any":
        options = [guard(c, knowledge) for c in value]
        if not options or any(g is None for g in options):
            return None
        return frozenset().union(*(g for g in options if g is not None))
    spec = type(predicate).keys_table[key]
    if not spec.fact:
        return None
    if spec.test == "any_of":
        return frozenset((spec.fact, code) for code in value)
    if spec.test == "is":
        return frozenset({(spec.fact, value)})
    if spec.test == "present":
        return frozenset({(f"{spec.fact}?", value)})  # given (True) or not (False)
    if spec.test in ("above", "below"):
        return frozenset({(f"{spec.fact} {spec.test}", float(value))})
    if spec.test in DERIVED and knowledge is not None:
        return DERIVED[spec.test](value, knowledge)
    if spec.needs:
        return frozenset({(f"{spec.needs[0]}?", True)})
    return None


class RuleIndex:
    """Rules by the intake facts they need, each with its condition compiled."""

    def __init__(self, rules: Iterable[AnyRule], knowledge: Knowledge) -> None:
        self.rules = tuple(rules)  # risk rules, contraindications, precautions: file order
        self.checks = tuple(compile_condition(rule.when) for rule in self.rules)
        self.entries = tuple(zip(self.rules, self.checks, strict=True))
        self.everywhere: list[int] = []  # rules without a guard
        self.index: dict[Token, list[int]] = {}
        multi: dict[str, bool] = {}
        for number, rule in enumerate(self.rules):
            multi.update((key.fact, key.multi) for key, _ in atoms(rule.when))
            tokens = guard(rule.when, knowledge)
            if tokens is None:
                self.everywhere.append(number)
                continue
            for token in tokens:
                self.index.setdefault(token, []).append(number)
        # the same index by fact, as one intake looks it up: a fact's values (one or several),
        # whether a fact is given, a number's limits (rules that need it above or below one)
        by_value: dict[str, dict[Any, tuple[int, ...]]] = {}
        by_given: dict[str, dict[bool, tuple[int, ...]]] = {}
        by_limit: dict[tuple[str, str], list[tuple[float, tuple[int, ...]]]] = {}
        for (name, value), numbers in self.index.items():
            if name.endswith("?"):
                by_given.setdefault(name[:-1], {})[value] = tuple(numbers)
            elif name.endswith((" above", " below")):
                path, _, test = name.partition(" ")
                by_limit.setdefault((path, test), []).append((value, tuple(numbers)))
            else:
                by_value.setdefault(name, {})[value] = tuple(numbers)
        self.values = tuple((path, multi[path], rules) for path, rules in by_value.items())
        self.given = tuple(by_given.items())
        self.limits = tuple(
            (path, test == "above", tuple(limits)) for (path, test), limits in by_limit.items()
        )

    def candidates(self, facts: Facts) -> list[tuple[AnyRule, Check]]:
        """The rules that may hold for the intake, in file order, with their checks."""
        chosen = set(self.everywhere)
        values = facts.values
        for path, multi, rules_by_value in self.values:
            value = values[path]
            for item in value if multi else (value,):
                found = rules_by_value.get(item)
                if found:
                    chosen.update(found)
        for path, rules_by_given in self.given:
            found = rules_by_given.get(is_given(values[path]))
            if found:
                chosen.update(found)
        for path, above, limits in self.limits:
            actual = values[path]
            for limit, numbers in limits:
                if (actual > limit) if above else (actual < limit):
                    chosen.update(numbers)
        entries = self.entries
        return [entries[n] for n in sorted(chosen)]
