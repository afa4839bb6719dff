"""What the clinic's pages share: the header (the signed-in person and the inbox badge), form
values, redirects, today's date."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import Query, Request
from fastapi.responses import RedirectResponse

from needlesafe.services import views
from needlesafe.services.context import Actor
from needlesafe.store.uow import UnitOfWork
from needlesafe.web.render import FormValues

Search = Annotated[str, Query(max_length=200)]


def today_utc() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


def safe_next(target: str | None) -> str:
    """Only a path on this site (never //host or a scheme): no open redirect."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/patients"


def see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


async def form_values(request: Request) -> FormValues:
    return FormValues.of(await request.form())


def header_context(actor: Actor, uow: UnitOfWork) -> dict[str, Any]:
    """The header: who is signed in and the inbox badge (a count, not a read of records)."""
    return {"actor": actor, "inbox_count": views.inbox_badge(uow, actor=actor)}
