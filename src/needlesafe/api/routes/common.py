"""Query parameters shared by the list routes."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Path, Query

from needlesafe.store import repositories as lists
from needlesafe.store.cursors import pattern

Offset = Annotated[int, Query(ge=0, le=2_147_483_647, description="how many items to skip")]


def _cursor(*orders: lists.Order) -> Any:
    """The `cursor` of a list in these orders: a page's `next_cursor` (keyset paging)."""
    return Annotated[
        str | None,
        Query(
            pattern=pattern(*(o.shape for o in orders)),
            max_length=2000,
            description="start right after this place: a page's `next_cursor` (an `offset` "
            "then counts from there)",
        ),
    ]


CheckInCursor = _cursor(lists.CheckInRepository.ATTENTION, lists.CheckInRepository.REST)
PatientCursor = _cursor(lists.PatientRepository.ORDER)
IntakeCursor = _cursor(lists.IntakeRepository.ORDER)
TreatmentCursor = _cursor(lists.TreatmentRepository.ORDER)
EventCursor = _cursor(lists.AdverseEventRepository.ORDER, lists.AdverseEventRepository.OPEN)
UserCursor = _cursor(lists.UserRepository.ORDER)
AuditCursor = _cursor(lists.AUDIT_ORDER)
Limit = Annotated[int, Query(ge=1, le=200, description="at most this many items")]

JSON_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "not signed in"},
    404: {"description": "no such record in your clinic"},
    422: {"description": 'bad input: `{"detail": [{"path": ..., "message": ...}]}`'},
}

MAX_ID = 2_147_483_647  # record ids are 32-bit on every database
RecordId = Annotated[int, Path(ge=1, le=MAX_ID, description="the record's id")]
FilterId = Annotated[int | None, Query(ge=1, le=MAX_ID)]
