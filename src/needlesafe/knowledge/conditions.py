"""The condition language of the rules, declared once: one row per condition key.

Each row says what a key tests (`test`: how the engine evaluates it), on which fact, the type
of the value the YAML gives, which vocabulary its codes belong to, whether the fact holds one
value or several, and in plain words what it means. Everything else derives from the tables:

- the pydantic schema of a condition (`Predicate`, `AftercarePredicate`, by `predicate_model`),
- the evaluator and the rule index (`needlesafe.engine.conditions`: one function per `test`),
- the load checks of codes (`codes_named`) and the lint (`needlesafe.knowledge.lint`),
- the review sheet's sentences (`needlesafe.knowledge.review`),
- `needlesafe knowledge keys`, which prints the tables (`CONDITION_TABLES`).

There is one language and two tables of it: `CONDITION_KEYS` for the screening rules (the facts
of an intake) and `AFTERCARE_KEYS` for the aftercare plan's `when` (the facts of a treatment:
the plan as done and its screening assessment). A key in both is the same row, so it means
the same in both.

A new key of an existing kind is one row here (and, for a new intake fact, the field on the
intake model); a key that needs a new kind of test also needs its function in the engine, and
loading the engine refuses a table whose tests it does not know.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Literal, get_args, get_origin

from pydantic import BaseModel, ConfigDict, Field, create_model, model_validator

from needlesafe.knowledge.types import Code, ComplicationCode


class StoppedWithin(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    codes: list[Code]
    days: Annotated[int, Field(gt=0)]


class RiskAtLeast(BaseModel):
    """True when a listed complication (any, if none listed) is at `level` or higher."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    complications: list[ComplicationCode] = []
    level: Literal["elevated", "high"]

    @property
    def in_words(self) -> str:
        which = f"the risk of {either(self.complications)}" if self.complications else "a risk"
        return f"{which} at `{self.level}` or higher"


# How a key is tested. The generic tests read the fact named by the key's `fact`:
#   any_of   the fact (one value or several) has any of the listed codes
#   is       the fact equals the value (a yes/no or a code)
#   below    the fact is below the number;  above: above it
#   lacks    the fact (several values) lacks the code
#   present  the fact is given (a list with items, a code other than "none") or, with false, not
# Any other test is a derived one, evaluated by its own function in the engine.
GENERIC_TESTS = ("any_of", "is", "below", "above", "lacks", "present")
Combinator = Literal["all", "any"]
COMBINATORS: tuple[str, ...] = ("all", "any")


@dataclass(frozen=True)
class ConditionKey:
    name: str
    test: str  # one of GENERIC_TESTS, or the name of a derived test the engine knows
    value: Any  # the type of the value in YAML (a type annotation for the schema)
    description: str  # plain words: what the key tests
    words: str  # the review sheet's words when true; {codes} and {value} are filled in
    fact: str = ""  # the field it reads ("patient.conditions", "assessment.precautions")
    vocabulary: str | None = None  # the vocabulary its codes belong to
    multi: bool = False  # the intake fact holds several values (a list)
    words_if_false: str | None = None  # for a yes/no key given as false
    # the intake facts a derived test can only hold with, each given (a list with items, a
    # code other than "none"): the rule index skips the test for intakes without them, and
    # the lint sees it contradict a `present: false` test of one of them
    needs: tuple[str, ...] = ()
    words_by_value: Mapping[str, str] | None = None  # for a key whose value picks a meaning

    def in_words(self, value: Any) -> str:
        """The review sheet's sentence for this key with `value`."""
        if self.words_by_value is not None and str(value) in self.words_by_value:
            return self.words_by_value[str(value)]
        if value is False and self.words_if_false is not None:
            return self.words_if_false
        return self.words.format(codes=either(codes_of(value)), value=value)

    @property
    def value_type(self) -> str:
        """The value's type in words, for `needlesafe knowledge keys`."""
        return _type_in_words(self.value, self.vocabulary)


Codes = list[Code]
TRUE = Literal[True]

CONDITION_KEYS: tuple[ConditionKey, ...] = (
    ConditionKey(
        "fitzpatrick_in",
        "any_of",
        list[str],
        "the patient's skin type is one of these",
        "skin type {codes}",
        fact="patient.fitzpatrick",
        vocabulary="fitzpatrick",
    ),
    ConditionKey(
        "condition_any",
        "any_of",
        Codes,
        "the patient has any of these conditions",
        "the patient has {codes}",
        fact="patient.conditions",
        vocabulary="conditions",
        multi=True,
    ),
    ConditionKey(
        "medication_current",
        "any_of",
        Codes,
        "the patient takes any of these now",
        "the patient takes {codes} now",
        fact="patient.medications",
        vocabulary="medications",
        multi=True,
    ),
    ConditionKey(
        "medication_stopped_within_days",
        "stopped_within",
        StoppedWithin,
        "the patient stopped one of these medications at most `days` days ago",
        "the patient stopped {codes} within the last {value.days} days",
        fact="patient.medications",
        vocabulary="medications",
        multi=True,
    ),
    ConditionKey(
        "allergy_any",
        "any_of",
        Codes,
        "the patient is allergic to any of these",
        "the patient is allergic to {codes}",
        fact="patient.allergies",
        vocabulary="allergies",
        multi=True,
    ),
    ConditionKey(
        "allergy_to_numbing_agent",
        "allergy_to_numbing_agent",
        Literal["ingredient", "class"],
        "the planned numbing cream holds an anaesthetic the patient is allergic to "
        "(`ingredient`), or one of the same class, amide or ester (`class`)",
        "the planned numbing cream contains an anaesthetic the patient is allergic to",
        fact="patient.allergies",
        multi=True,
        words_by_value={
            "class": "the planned numbing cream contains an anaesthetic of the same class "
            "(amide or ester) as one the patient is allergic to"
        },
        needs=("patient.allergies", "plan.numbing_agent"),
    ),
    ConditionKey(
        "allergy_to_topical",
        "allergy_to_topical",
        TRUE,
        "a planned topical is something the patient is allergic to",
        "a planned topical is something the patient is allergic to",
        fact="patient.allergies",
        multi=True,
        needs=("patient.allergies", "plan.topicals"),
    ),
    ConditionKey(
        "age_below",
        "below",
        int,
        "the patient is younger than this (years)",
        "the patient is younger than {value}",
        fact="patient.age",
    ),
    ConditionKey(
        "pregnant",
        "is",
        bool,
        "the patient is (or, with false, is not) pregnant",
        "the patient is pregnant",
        fact="patient.pregnant",
        words_if_false="the patient is not pregnant",
    ),
    ConditionKey(
        "breastfeeding",
        "is",
        bool,
        "the patient is (or is not) breastfeeding",
        "the patient is breastfeeding",
        fact="patient.breastfeeding",
        words_if_false="not breastfeeding",
    ),
    ConditionKey(
        "area_in",
        "any_of",
        Codes,
        "the plan treats any of these areas",
        "the plan treats {codes}",
        fact="plan.areas",
        vocabulary="areas",
        multi=True,
    ),
    ConditionKey(
        "area_region",
        "area_region",
        Literal["face", "body"],
        "the plan treats an area of this region",
        "the plan treats a {value} area",
        fact="plan.areas",
        multi=True,
    ),
    ConditionKey(
        "depth_above_mm",
        "above",
        float,
        "the needle goes deeper than this (mm)",
        "the needle depth is above {value:g} mm",
        fact="plan.needle_depth_mm",
    ),
    ConditionKey(
        "depth_above_area_cap",
        "depth_above_area_cap",
        TRUE,
        "the needle goes deeper than a planned area's cap (for the planned device)",
        "the needle depth is above the cap of a planned area",
        fact="plan.needle_depth_mm",
    ),
    ConditionKey(
        "device_in",
        "any_of",
        Codes,
        "the device is one of these",
        "the device is {codes}",
        fact="plan.device",
        vocabulary="devices",
    ),
    ConditionKey(
        "setting",
        "is",
        Code,
        "the treatment is done in this setting",
        "the treatment is done at `{value}`",
        fact="plan.setting",
        vocabulary="settings",
    ),
    ConditionKey(
        "numbing_agent_planned",
        "present",
        bool,
        "a numbing cream is (or, with false, is not) planned",
        "a numbing cream is planned",
        fact="plan.numbing_agent",
        words_if_false="no numbing cream is planned",
    ),
    ConditionKey(
        "numbing_agent_contains",
        "numbing_agent_contains",
        Codes,
        "the planned numbing cream contains any of these anaesthetics (allergy codes)",
        "the planned numbing cream contains {codes}",
        fact="plan.numbing_agent",
        vocabulary="allergies",
        needs=("plan.numbing_agent",),
    ),
    ConditionKey(
        "topical_in",
        "any_of",
        Codes,
        "the plan uses any of these topicals",
        "the plan uses {codes}",
        fact="plan.topicals",
        vocabulary="topicals",
        multi=True,
    ),
    ConditionKey(
        "topical_unlabeled",
        "topical_unlabeled",
        TRUE,
        "a planned topical is neither labelled for needled skin nor a biologic",
        "a planned topical is not labelled for needled skin",
        fact="plan.topicals",
        multi=True,
        needs=("plan.topicals",),
    ),
    ConditionKey(
        "topicals_planned",
        "present",
        bool,
        "a topical is (or, with false, is not) planned",
        "a topical is planned",
        fact="plan.topicals",
        multi=True,
        words_if_false="no topical is planned",
    ),
    ConditionKey(
        "patch_test_done",
        "is",
        bool,
        "the patch test is (or is not) done",
        "the patch test is done",
        fact="plan.patch_test_done",
        words_if_false="the patch test is not done",
    ),
    ConditionKey(
        "sterile_single_use_needles",
        "is",
        bool,
        "the needles are (or are not) sterile and single-use",
        "the needles are sterile and single-use",
        fact="plan.sterile_single_use_needles",
        words_if_false="the needles are not sterile and single-use",
    ),
    ConditionKey(
        "clearance_missing",
        "lacks",
        Code,
        "this doctor's clearance is not recorded in plan.medical_clearances",
        "no `{value}` clearance is recorded",
        fact="plan.medical_clearances",
        vocabulary="clearances",
        multi=True,
    ),
    ConditionKey(
        "numbing_area_above_cm2",
        "numbing_area_above_cm2",
        Annotated[float, Field(gt=0)],
        "a numbing cream is planned over planned areas whose skin surfaces add up to more "
        "than this (cm2)",
        "a numbing cream is planned over more than {value:g} cm2 of skin (the planned areas' "
        "surfaces added up)",
        fact="plan.numbing_agent",
        needs=("plan.numbing_agent",),
    ),
    ConditionKey(
        "topical_biologic",
        "topical_biologic",
        TRUE,
        "a planned topical is a biologic (made from the patient's blood, PRP)",
        "a planned topical is a biologic (made from the patient's blood)",
        fact="plan.topicals",
        multi=True,
        needs=("plan.topicals",),
    ),
)


def _rows(*names: str) -> tuple[ConditionKey, ...]:
    """The rows of the screening table with these names (the keys aftercare shares)."""
    by_name = {key.name: key for key in CONDITION_KEYS}
    return tuple(by_name[name] for name in names)


# The aftercare plan's conditions (`when` in aftercare.yaml) look at the treatment: the plan as
# done, by the screening's own rows (the same key means the same thing), and its screening
# assessment, by the rows below. They never look at the clock.
AFTERCARE_KEYS: tuple[ConditionKey, ...] = (
    *_rows(
        "depth_above_mm",
        "area_in",
        "area_region",
        "device_in",
        "numbing_agent_planned",
        "numbing_agent_contains",
        "topicals_planned",
        "topical_in",
        "topical_unlabeled",
    ),
    ConditionKey(
        "risk_at_least",
        "risk_at_least",
        RiskAtLeast,
        "the screening put a listed complication (any, when none is listed) at this level "
        "or higher",
        "the screening puts {value.in_words}",
        fact="assessment.risks",
        multi=True,
    ),
    ConditionKey(
        "precaution_any",
        "any_of",
        Codes,
        "the screening asked for any of these precautions",
        "the screening asks for {codes}",
        fact="assessment.precautions",
        vocabulary="precautions",
        multi=True,
    ),
)

# Each table with the rules that use it (for `needlesafe knowledge keys`).
CONDITION_TABLES: tuple[tuple[str, tuple[ConditionKey, ...]], ...] = (
    ("screening rules (risk_rules, contraindications, precautions: `when`)", CONDITION_KEYS),
    ("aftercare plan (aftercare.yaml: `when`)", AFTERCARE_KEYS),
)


def _type_in_words(value: Any, vocabulary: str | None) -> str:
    origin, args = get_origin(value), get_args(value)
    if origin is Annotated:
        return _type_in_words(args[0], vocabulary)
    if origin is list:
        return f"list of codes ({vocabulary})" if vocabulary else "list of codes"
    if origin is Literal:
        return " | ".join(str(a).lower() if isinstance(a, bool) else str(a) for a in args)
    if isinstance(value, type) and issubclass(value, BaseModel):
        return "{" + ", ".join(value.model_fields) + "}"
    if value is str:
        return f"a code ({vocabulary})" if vocabulary else "a code"
    return {bool: "true | false", int: "whole number", float: "number"}.get(value, str(value))


class PredicateBase(BaseModel):
    """One test: exactly one key is set; `all` and `any` combine tests.

    The engine reports the facts a true condition matched (e.g. `patient.fitzpatrick=IV`).
    There is no `not`: every condition tests for the presence of a fact, so adding a risk
    factor to an intake can only make more rules fire (the contract's monotonicity).
    """

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)
    # the table this model was built from (set on the built class)
    keys_table: ClassVar[Mapping[str, ConditionKey]] = {}

    @model_validator(mode="after")
    def _exactly_one_key(self) -> PredicateBase:
        given = [k for k in type(self).model_fields if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError(
                f"a condition needs exactly one key, got {sorted(given) or 'none'}; "
                f"allowed: {sorted(type(self).model_fields)}"
            )
        return self

    @cached_property
    def condition(self) -> tuple[str, Any]:
        """The one key given and its value."""
        return next(
            (k, getattr(self, k)) for k in type(self).model_fields if getattr(self, k) is not None
        )

    def key(self) -> str:
        return self.condition[0]

    def children(self) -> list[PredicateBase]:
        """The combined conditions of `all` and `any`; none for a test."""
        key, value = self.condition
        return list(value) if key in COMBINATORS else []


def keys_by_name(table: tuple[ConditionKey, ...]) -> dict[str, ConditionKey]:
    names = [k.name for k in table]
    doubled = sorted({n for n in names if names.count(n) > 1} | (set(names) & set(COMBINATORS)))
    if doubled:
        raise ValueError(f"condition keys declared twice (or named like a combinator): {doubled}")
    return {k.name: k for k in table}


def predicate_model(table: tuple[ConditionKey, ...], name: str = "Predicate") -> type[Any]:
    """The pydantic model of a condition with the keys of `table`."""
    fields: dict[str, Any] = {
        "all": (list[name] | None, None),  # type: ignore[valid-type]  # a model made at run time
        "any": (list[name] | None, None),  # type: ignore[valid-type]  # a model made at run time
    }
    for key in table:
        fields[key.name] = (key.value | None, None)
    model: type[PredicateBase] = create_model(name, __base__=PredicateBase, **fields)
    model.keys_table = keys_by_name(table)
    model.model_rebuild(_types_namespace={name: model})
    return model


if TYPE_CHECKING:

    class Predicate(PredicateBase):
        pass

    class AftercarePredicate(PredicateBase):
        pass

else:
    Predicate = predicate_model(CONDITION_KEYS)
    AftercarePredicate = predicate_model(AFTERCARE_KEYS, "AftercarePredicate")


def either(codes: list[str]) -> str:
    """`a`, `b` or `c`."""
    shown = [f"`{c}`" for c in codes]
    if len(shown) <= 1:
        return "".join(shown)
    return ", ".join(shown[:-1]) + " or " + shown[-1]


def codes_of(value: Any) -> list[str]:
    """The codes a key's value names (a list, one code, or `codes` of an object)."""
    if isinstance(value, list):
        return [str(v) for v in value]
    if isinstance(value, str):
        return [value]
    codes = getattr(value, "codes", None)
    return list(codes) if isinstance(codes, list) else []


def atoms(predicate: PredicateBase) -> Iterator[tuple[ConditionKey, Any]]:
    """Every test of a condition with its value, through `all` and `any`."""
    key, value = predicate.condition
    if key in COMBINATORS:
        for child in value:
            yield from atoms(child)
    else:
        yield type(predicate).keys_table[key], value


def codes_named(predicate: PredicateBase) -> Iterator[tuple[str, str]]:
    """Every (vocabulary, code) a condition names, through `all` and `any`."""
    for key, value in atoms(predicate):
        if key.vocabulary is not None:
            for code in codes_of(value):
                yield key.vocabulary, code
