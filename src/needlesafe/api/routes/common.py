"""Query parameters shared by the list routes."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Path, Query

Offset = Annotated[int, Query(ge=0, le=2_147_483_647, description="how many items to skip")]
Limit = Annotated[int, Query(ge=1, le=200, description="at most this many items")]

JSON_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "not signed in"},
    404: {"description": "no such record in your clinic"},
    422: {"description": 'bad input: `{"detail": [{"path": ..., "message": ...}]}`'},
}

MAX_ID = 2_147_483_647  # record ids are 32-bit on every database
RecordId = Annotated[int, Path(ge=1, le=MAX_ID, description="the record's id")]
FilterId = Annotated[int | None, Query(ge=1, le=MAX_ID)]
