"""The check-in inbox: what needs attention, marking a check-in handled."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from needlesafe.deps import (
    CsrfChecked,
    SessionActor,
    UowDep,
)
from needlesafe.errors import InputError
from needlesafe.services import (
    checkins,
    views,
)
from needlesafe.services.context import Actor
from needlesafe.store.uow import UnitOfWork
from needlesafe.web.common import (
    form_values,
    header_context,
    see_other,
)
from needlesafe.web.render import field_errors, render

router = APIRouter(include_in_schema=False)


def _patient_names(uow: UnitOfWork, actor: Actor, ids: set[int]) -> dict[int, str]:
    return views.names_of(uow, actor=actor, patient_ids=ids)  # one statement for them all


@router.get("/inbox", response_class=HTMLResponse)
def inbox_page(
    request: Request,
    actor: SessionActor,
    uow: UowDep,
    show: Annotated[str, Query(pattern="^(attention|all)$")] = "attention",
) -> Response:
    view = views.inbox(
        uow, actor=actor, needs_attention=True if show == "attention" else None, limit=100
    )
    return render(
        request,
        "inbox.html",
        {
            **header_context(actor, uow),
            "checkins": list(view.checkins),
            "names": view.names,
            "show": show,
        },
    )


@router.post("/inbox/{checkin_id}/handled", response_class=HTMLResponse)
async def mark_handled(
    request: Request, checkin_id: int, actor: SessionActor, uow: UowDep, _csrf: CsrfChecked
) -> Response:
    values = await form_values(request)
    try:
        checkin = checkins.mark_handled(
            uow, actor=actor, checkin_id=checkin_id, note=values.get("note")
        )
    except InputError as error:
        checkin = checkins.get_checkin(uow, actor=actor, checkin_id=checkin_id)
        names = _patient_names(uow, actor, {checkin.patient_id})
        return render(
            request,
            "_checkin_card.html",
            {
                "c": checkin,
                "names": names,
                "values": values,
                "errors": field_errors(error.problems, {"note": "note"}),
            },
            status_code=422,
        )
    if request.headers.get("hx-request") == "true":
        names = _patient_names(uow, actor, {checkin.patient_id})
        return render(request, "_checkin_card.html", {"c": checkin, "names": names})
    return see_other("/inbox")
