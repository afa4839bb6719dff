"""The patient's signed link, checked once for every page under `/checkin/{token}`: the
`PatientPageLink` dependency opens it, and a link that is not valid or has expired gets a page
that says so in plain words (`BadLink`, drawn by `bad_link_page`, the handler the app installs
from `web.EXCEPTION_HANDLERS`), never a bare error."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.responses import Response

from needlesafe.deps import StateDep, UowDep
from needlesafe.services import checkins, clinics, links
from needlesafe.services.clinics import ClinicContact
from needlesafe.services.context import LinkAccess
from needlesafe.services.errors import LinkExpired, LinkInvalid
from needlesafe.state import AppState
from needlesafe.store.uow import UnitOfWork
from needlesafe.web.render import render


class BadLink(Exception):
    def __init__(self, message: str, status: int, contact: ClinicContact | None = None) -> None:
        super().__init__(message)
        self.message, self.status, self.contact = message, status, contact


def open_link(state: AppState, uow: UnitOfWork, token: str) -> LinkAccess:
    try:
        return links.open_checkin_link(
            uow, state.settings.secret, token, max_age=state.settings.checkin_link_max_age
        )
    except LinkExpired as error:
        # the link is genuine, so we know whose it is: give that clinic's numbers
        contact = clinics.read_contact(uow, error.clinic_id) if error.clinic_id else None
        raise BadLink(error.message, 410, contact) from None
    except LinkInvalid as error:
        raise BadLink(error.message, 404) from None


def patient_page_link(token: str, state: StateDep, uow: UowDep) -> LinkAccess:
    return open_link(state, uow, token)


PatientPageLink = Annotated[LinkAccess, Depends(patient_page_link)]


def bad_link_page(request: Request, error: BadLink) -> Response:
    context: dict[str, object] = {"message": error.message, "clinic": error.contact}
    if error.contact is not None:
        context["emergency_number"] = error.contact.emergency_number
    return render(request, "patient/bad_link.html", context, status_code=error.status)


async def bad_link_handler(request: Request, error: Exception) -> Response:
    assert isinstance(error, BadLink)  # registered for BadLink only
    return bad_link_page(request, error)


def link_base(uow: UnitOfWork, access: LinkAccess, token: str) -> dict[str, object]:
    """What every patient page shows: the treatment's view and this clinic's numbers."""
    view = checkins.view_for_patient(uow, access=access)
    return {
        "view": view,
        "token": token,
        "base": f"/checkin/{token}",
        # this clinic's numbers, not the server's default
        "emergency_number": view.emergency_number,
        "clinic_phone": view.clinic_phone,
        "time_zone": view.time_zone,
        "temperature_unit": view.temperature_unit,
    }
