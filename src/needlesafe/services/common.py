"""What every use case shares: the audit log, paging, checking codes against the knowledge."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from needlesafe.engine.inputs import format_path
from needlesafe.errors import InputError, InputProblem
from needlesafe.services.context import Actor, ConsentLinkAccess, LinkAccess
from needlesafe.services.schemas import Page
from needlesafe.store import models as m
from needlesafe.store import repositories as store_page
from needlesafe.store.uow import UnitOfWork

MAX_PAGE = 200
Model = TypeVar("Model", bound=BaseModel)


def audit(
    uow: UnitOfWork,
    who: Actor | LinkAccess | ConsentLinkAccess | None,
    action: str,
    record_type: str,
    record_id: int | str | None = None,
    *,
    clinic_id: int | None = None,
    record_ids: Sequence[int] | None = None,
) -> None:
    """One line in the append-only audit log: never any clinical content. A list read names
    the records it returned (`record_ids`)."""
    if isinstance(who, Actor):
        uow.audit.record(
            clinic_id=who.clinic_id,
            user_id=who.user_id,
            actor=who.kind,
            action=action,
            record_type=record_type,
            record_id=record_id,
            record_ids=record_ids,
        )
    elif isinstance(who, LinkAccess | ConsentLinkAccess):
        uow.audit.record(
            clinic_id=who.clinic_id,
            user_id=None,
            actor="patient_link",
            action=action,
            record_type=record_type,
            record_id=record_id,
            record_ids=record_ids,
        )
    else:
        uow.audit.record(
            clinic_id=clinic_id,
            user_id=None,
            actor="anonymous",
            action=action,
            record_type=record_type,
            record_id=record_id,
            record_ids=record_ids,
        )


def public_page(
    rows: store_page.Page[Any], model: type[Model], *, offset: int, limit: int
) -> Page[Model]:
    """A page of stored rows as their public schema."""
    return Page(
        items=[model.model_validate(row) for row in rows.items],
        total=rows.total,
        offset=offset,
        limit=limit,
        next_cursor=rows.next_cursor,
    )


@contextmanager
def paging() -> Iterator[None]:
    """Around a list query: a cursor of another list is bad input naming `cursor`."""
    try:
        yield
    except store_page.CursorMismatch:
        raise InputError(
            [InputProblem("cursor", "not a place in this list; pass a next_cursor it gave")]
        ) from None


def page_bounds(offset: int, limit: int) -> tuple[int, int]:
    problems = []
    if offset < 0:
        problems.append(InputProblem("offset", "should be 0 or more"))
    if not 1 <= limit <= MAX_PAGE:
        problems.append(InputProblem("limit", f"should be between 1 and {MAX_PAGE}"))
    if problems:
        raise InputError(problems)
    return offset, limit


def check_code(code: str, valid: Iterable[str], path: str, what: str) -> InputProblem | None:
    valid = sorted(valid)
    if code in valid:
        return None
    close = difflib.get_close_matches(code, valid, n=3, cutoff=0.6)
    hint = (
        "did you mean " + " or ".join(f"`{c}`" for c in close) + "?"
        if close
        else "valid codes: " + ", ".join(valid)
    )
    return InputProblem(path, f"unknown {what} `{code}`; {hint}")


def validate(model: type[Model], data: Any) -> Model:
    """A service input from untrusted data, with field paths in the errors."""
    if isinstance(data, model):
        return data
    if not isinstance(data, dict):
        raise InputError([InputProblem("", "expected a JSON object at the top level")])
    try:
        return model.model_validate(data)
    except ValidationError as error:
        raise InputError(
            [
                InputProblem(
                    format_path(tuple(e["loc"])),
                    "unknown field"
                    if e["type"] == "extra_forbidden"
                    else "required field is missing"
                    if e["type"] == "missing"
                    else str(e["msg"])
                    .removeprefix("Value error, ")
                    .replace("Input should be", "should be"),
                )
                for e in error.errors(include_url=False)
            ]
        ) from None


def screening_of(treatment: m.Treatment) -> m.Intake | None:
    """The screening the treatment was done on (a record of the same clinic), if any."""
    intake = treatment.intake
    return intake if intake is not None and intake.clinic_id == treatment.clinic_id else None
