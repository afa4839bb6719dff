"""Turning untrusted data (a parsed JSON or YAML document) into contract inputs.

Every problem becomes an `InputProblem` with the field's path (`plan.needle_depth_mm`,
`patient.conditions[0]`) and a plain message; unknown codes and unknown keys suggest the
closest valid ones. Pure: no I/O.
"""

from __future__ import annotations

import difflib
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from needlesafe.engine.models import CheckIn, Intake
from needlesafe.errors import InputError, InputProblem
from needlesafe.knowledge.base import Knowledge

Model = TypeVar("Model", bound=BaseModel)


def format_path(loc: tuple[int | str, ...]) -> str:
    path = ""
    for step in loc:
        if isinstance(step, int):
            path += f"[{step}]"
        elif "[" in step or step.startswith("function-"):
            continue  # pydantic's names for validator wrappers, not fields
        else:
            path += ("." if path else "") + step
    return path


def _model_at(model: type[BaseModel], loc: tuple[int | str, ...]) -> type[BaseModel] | None:
    """The model class that owns the field at `loc` (for listing its allowed keys)."""
    current: Any = model
    for step in loc:
        if isinstance(step, int) or not (
            isinstance(current, type) and issubclass(current, BaseModel)
        ):
            continue
        field = current.model_fields.get(step)
        if field is None:
            return None
        current = _inner_model(field.annotation)
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def _inner_model(annotation: Any) -> Any:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()):
        found = _inner_model(arg)
        if found is not None:
            return found
    return None


def _problem(model: type[BaseModel], error: Any) -> InputProblem:
    loc = tuple(error["loc"])
    path = format_path(loc)
    kind = error["type"]
    if kind == "extra_forbidden":
        owner = _model_at(model, loc[:-1])
        allowed = sorted(owner.model_fields) if owner else []
        name = str(loc[-1])
        close = difflib.get_close_matches(name, allowed, n=1, cutoff=0.6)
        hint = f"did you mean `{close[0]}`?" if close else "allowed: " + ", ".join(allowed)
        return InputProblem(path, f"unknown field `{name}`; {hint}")
    if kind == "missing":
        return InputProblem(path, "required field is missing")
    message = str(error["msg"])
    message = message.removeprefix("Value error, ")
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        message = "should be an object (a mapping of fields)"
    elif kind == "literal_error":
        message = message.replace("Input should be", "should be")
    else:
        message = message.replace("Input should be", "should be")
    return InputProblem(path, message)


def parse(model: type[Model], data: Any, knowledge: Knowledge) -> Model:
    """Validate `data` as `model`, with codes checked against `knowledge`."""
    if not isinstance(data, dict):
        raise InputError([InputProblem("", "expected a JSON object at the top level")])
    try:
        return model.model_validate(data, context={"knowledge": knowledge})
    except ValidationError as error:
        raise InputError([_problem(model, e) for e in error.errors(include_url=False)]) from None
    except UnicodeEncodeError:
        # JSON may carry a lone surrogate ("\ud800"), which no text can hold: pydantic fails
        # to report the bad value, so the whole object is refused, plainly
        problem = "holds a character that is not valid Unicode (a lone surrogate)"
        raise InputError([InputProblem("", problem)]) from None


def parse_intake(data: Any, knowledge: Knowledge) -> Intake:
    return parse(Intake, data, knowledge)


def parse_checkin(data: Any, knowledge: Knowledge) -> CheckIn:
    return parse(CheckIn, data, knowledge)
