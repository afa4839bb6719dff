"""Field markers and the one generic walker over the knowledge files' models.

A field typed with a marked alias (`PatientText`, `SourceIds`, `AreaCode` ... in
`needlesafe.knowledge.types`) carries its marker in the type (`typing.Annotated` metadata).
`walk` finds every marked value in a file's model, at any depth (through lists, tuples, dicts,
optional values and sub-models), with its path. The checks that care where a kind of value
lives walk the files instead of keeping lists of where it is:

- the load's source check (a cited source must exist) and the lint's "cited by nothing";
- the load's code check (a code named must exist in its vocabulary);
- the lint's reading grade and medical words of every patient-facing text.

So a new field typed `PatientText`, `SourceIds` or a code alias is checked the moment it is
typed, with no list to update.
"""

from __future__ import annotations

import types
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel


@dataclass(frozen=True)
class Marker:
    """What a marked field holds: "patient_text", "label" (a patient-facing label read with the
    texts beside it), "source_ids", or "code" of a `vocabulary`."""

    kind: str
    vocabulary: str | None = None


PATIENT_TEXT = Marker("patient_text")
PATIENT_LABEL = Marker("label")
SOURCE_IDS = Marker("source_ids")


def CodeOf(vocabulary: str) -> Marker:  # named like the type it marks
    """The marker of a code of `vocabulary`: a vocabulary of vocabularies.yaml, or
    "complications", "precautions" (the precaution codes of precautions.yaml)."""
    return Marker("code", vocabulary)


# ---------------------------------------------------------------- paths


@dataclass(frozen=True)
class Item:
    """A step into a list: its index and, when the entry has one, its identifier."""

    index: int
    ident: str | None = None


Step = str | Item
Path = tuple[Step, ...]


def render(path: Path) -> str:
    """`rules (keloid_scarring): sources`, `treatment[0].paragraphs[2]`, `to.conditions`."""
    out = ""
    after_ident = False
    for step in path:
        if isinstance(step, Item):
            out += f" ({step.ident})" if step.ident is not None else f"[{step.index}]"
            after_ident = step.ident is not None
        else:
            out += (": " if after_ident else ".") + step if out else step
            after_ident = False
    return out


def split_at_item(path: Path) -> tuple[str, str]:
    """The path up to the last identified entry, and the rest (for messages that name the
    entry first: `mappings (snomed 1475003)`, `to.conditions`)."""
    last = max((i for i, s in enumerate(path) if isinstance(s, Item) and s.ident), default=-1)
    if last < 0:
        return render(path), ""
    return render(path[: last + 1]), render(path[last + 1 :])


def _ident(entry: Any) -> str | None:
    """How an entry of a list is named in a path: by the fields its model names in a
    `walk_id: ClassVar[tuple[str, ...]]`, else by its id, code or term."""
    if not isinstance(entry, BaseModel):
        return None
    names = _ident_fields(type(entry))
    return " ".join(str(getattr(entry, name)) for name in names) if names else None


@cache
def _ident_fields(model: type[BaseModel]) -> tuple[str, ...]:
    names: tuple[str, ...] | None = next(
        (vars(cls)["walk_id"] for cls in model.__mro__ if "walk_id" in vars(cls)), None
    )
    if names:
        return names
    return next(((n,) for n in ("id", "code", "term") if n in model.model_fields), ())


# ---------------------------------------------------------------- the walk

# How to look inside a value of a type, worked out once per type: ("mark", marker),
# ("seq", plan), ("tuple", plans), ("dict", key plan, value plan), ("union", plans),
# ("model",) or ("any",). None: the type can hold nothing marked.
Plan = tuple[Any, ...] | None


def _plan(tp: Any) -> Plan:
    try:
        return _cached_plan(tp)
    except TypeError:  # a type whose metadata cannot be hashed
        return _make_plan(tp)


def _make_plan(tp: Any) -> Plan:
    origin = get_origin(tp)
    if origin is Annotated:
        base, *metadata = get_args(tp)
        for item in metadata:
            if isinstance(item, Marker):
                return ("mark", item)
        return _plan(base)
    if origin in (Union, types.UnionType):
        plans = tuple(
            p for a in get_args(tp) if a is not type(None) and (p := _plan(a)) is not None
        )
        if not plans:
            return None
        return plans[0] if len(plans) == 1 else ("union", plans)
    if origin is tuple:
        args = get_args(tp)
        if len(args) == 2 and args[1] is Ellipsis:
            inner = _plan(args[0])
            return None if inner is None else ("seq", inner)
        parts = tuple(_plan(a) for a in args)
        return ("tuple", parts) if any(parts) else None
    if origin in (list, set, frozenset, Sequence):
        args = get_args(tp)
        inner = _plan(args[0]) if args else ("any",)
        return None if inner is None else ("seq", inner)
    if origin in (dict, Mapping):
        args = get_args(tp)
        key, value = (_plan(args[0]), _plan(args[1])) if args else (None, ("any",))
        return None if key is None and value is None else ("dict", key, value)
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        # a model whose fields can hold nothing marked is not entered
        return ("model",) if tp in _entering or _fields(tp) else None
    if tp is Any:
        return ("any",)
    return None


_cached_plan = cache(_make_plan)


_entering: set[type[BaseModel]] = set()  # models whose fields are being planned (recursion)


@cache
def _fields(model: type[BaseModel]) -> tuple[tuple[str, Plan], ...]:
    """The fields of `model` that can hold something marked, with how to look inside."""
    found = []
    _entering.add(model)
    try:
        for name, info in model.model_fields.items():
            marker = next((m for m in info.metadata if isinstance(m, Marker)), None)
            annotation: Any = info.annotation
            plan = ("mark", marker) if marker is not None else _plan(annotation)
            if plan is not None:
                found.append((name, plan))
    finally:
        _entering.discard(model)
    return tuple(found)


def walk(node: Any, path: Path = ()) -> Iterator[tuple[Path, Any, Marker]]:
    """Every marked value inside `node` (a model, or lists and dicts of them): its path, the
    value and its marker."""
    if isinstance(node, BaseModel):
        for name, plan in _fields(type(node)):
            value = getattr(node, name)
            if value is not None:
                yield from _run(plan, value, (*path, name))
    else:
        yield from _run(("any",), node, path)


def _run(plan: Plan, value: Any, path: Path) -> Iterator[tuple[Path, Any, Marker]]:
    if plan is None or value is None:
        return
    kind = plan[0]
    if kind == "mark":
        yield path, value, plan[1]
    elif kind == "model" or (kind == "any" and isinstance(value, BaseModel)):
        if isinstance(value, BaseModel):
            yield from walk(value, path)
    elif kind == "union":
        if isinstance(value, BaseModel):
            yield from walk(value, path)
        else:
            yield from _run(next((p for p in plan[1] if p[0] != "model"), None), value, path)
    elif kind in ("seq", "tuple", "any") and isinstance(value, list | tuple):
        for index, item in enumerate(value):
            inner = plan[1] if kind == "seq" else plan[1][index] if kind == "tuple" else plan
            yield from _run(inner, item, (*path, Item(index, _ident(item))))
    elif kind in ("dict", "any") and isinstance(value, Mapping):
        key_plan, value_plan = (plan[1], plan[2]) if kind == "dict" else (None, plan)
        for key, item in value.items():
            if key_plan is not None and key_plan[0] == "mark":
                yield (*path, str(key)), key, key_plan[1]
            yield from _run(value_plan, item, (*path, str(key)))


def marked(node: Any, kind: str) -> Iterator[tuple[Path, Any, Marker]]:
    """The values of `node` whose marker is of `kind`."""
    return (found for found in walk(node) if found[2].kind == kind)


def _entry(path: Path) -> Path:
    """The entry a marked value belongs to: the model holding its field (through a list of
    values of that field: a question's `answers[2]` belongs to the question)."""
    return _field(path)[:-1]


def patient_texts_of(node: Any) -> Iterator[tuple[str, str]]:
    """Every patient text inside `node` with its path, as a patient reads it: after the
    `PatientLabel`s of its own entry in fields before it ("Keep out of the sun. Sun on treated
    skin ..."). Labels in fields after it (a quiz question's answers) are read after it: the
    text is measured alone, then again followed by them, under the path of their field.

    Labels whose entry has no text are choices read as a list (a vocabulary's words on a form):
    the labels of the entries of one list are read together, one after another, as one text."""
    found = [
        (index, path, value, marker.kind, _entry(path))
        for index, (path, value, marker) in enumerate(walk(node))
        if marker.kind in (PATIENT_TEXT.kind, PATIENT_LABEL.kind)
    ]
    # entry -> its labels, in walk order, each with where its field is
    labels: dict[Path, list[tuple[int, Path, str]]] = {}
    with_text = {entry for _, _, _, kind, entry in found if kind == PATIENT_TEXT.kind}
    alone: dict[Path, list[str]] = {}  # list of entries -> the labels of entries without text
    for index, path, value, kind, entry in found:
        if kind == PATIENT_LABEL.kind:
            if entry in with_text:
                labels.setdefault(entry, []).append((index, _field(path), value))
            else:
                alone.setdefault(entry[:-1], []).append(value)
    for index, path, value, kind, entry in found:
        if kind != PATIENT_TEXT.kind:
            continue
        own = labels.get(entry, [])
        before = [_sentence(label) for i, _, label in own if i < index]
        after = [(field, _sentence(label)) for i, field, label in own if i > index]
        text = " ".join([*before, value])
        yield render(path), text
        if after:  # the text again, followed by them (so neither hides the other's words)
            yield render(after[0][0]), " ".join([_sentence(text), *(a for _, a in after)])
    for where, choices in alone.items():
        yield render((*where, "labels")), " ".join(_sentence(choice) for choice in choices)


def _field(path: Path) -> Path:
    """The path of the field a value is in (`answers`, not `answers[2]`)."""
    while path and isinstance(path[-1], Item) and path[-1].ident is None:
        path = path[:-1]
    return path


def _sentence(text: str) -> str:
    """`text` ended as a sentence, as a label is read among others ("Blue." "Dark brown.")."""
    return text if text.endswith((".", "?", "!")) else f"{text}."


# ---------------------------------------------------------------- the checks the walk drives

# how a code of a vocabulary is named in a problem ("unknown symptom code 'wheezin'")
_CODE_NOUNS = {
    "symptoms": "symptom code",
    "conditions": "conditions code",
    "precautions": "precaution code",
    "complications": "complication",
}


def unknown_references(
    file: str,
    model: BaseModel,
    *,
    sources: set[str] | frozenset[str] | None = None,
    codes: Mapping[str, frozenset[str] | set[str]] | None = None,
) -> list[str]:
    """In one walk of `model`: every cited source not in `sources`, and every code (a field
    typed with a code alias) not in its vocabulary of `codes` (vocabularies not in `codes` are
    not checked), one line each."""
    problems = []
    for path, value, marker in walk(model):
        if marker.kind == SOURCE_IDS.kind and sources is not None:
            problems += [
                f"{file}: {render(path)}: unknown source {source!r}"
                for source in value
                if source not in sources
            ]
        elif marker.kind == "code" and codes is not None:
            vocabulary = marker.vocabulary or ""
            known = codes.get(vocabulary)
            if known is None:
                continue
            for code in [value] if isinstance(value, str) else value:
                if code not in known:
                    problems.append(_unknown_code(file, path, vocabulary, code))
    return problems


def code_noun(vocabulary: str) -> str:
    """How a code of `vocabulary` is named in a problem ("symptom code", "areas code")."""
    return _CODE_NOUNS.get(vocabulary, f"{vocabulary} code")


def _unknown_code(file: str, path: Path, vocabulary: str, code: str) -> str:
    while path and isinstance(path[-1], Item) and path[-1].ident is None:
        path = path[:-1]  # the list, not its n-th code: the code is named anyway
    entry, rest = split_at_item(path)
    noun = code_noun(vocabulary)
    return f"{file}: {entry}: unknown {noun} {code!r}" + (f" (in {rest})" if rest else "")


def unknown_sources(file: str, model: BaseModel, known: set[str] | frozenset[str]) -> list[str]:
    """Every cited source of `model` that is not in `known`, one line each."""
    return unknown_references(file, model, sources=known)


def unknown_codes(
    file: str, model: BaseModel, codes: Mapping[str, frozenset[str] | set[str]]
) -> list[str]:
    """Every code of `model` that is not in its vocabulary of `codes`, one line each."""
    return unknown_references(file, model, codes=codes)
