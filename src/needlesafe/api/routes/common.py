"""Query parameters shared by the list routes."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Query

Offset = Annotated[int, Query(ge=0, description="how many items to skip")]
Limit = Annotated[int, Query(ge=1, le=200, description="at most this many items")]

JSON_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "not signed in"},
    404: {"description": "no such record in your clinic"},
    422: {"description": 'bad input: `{"detail": [{"path": ..., "message": ...}]}`'},
}
