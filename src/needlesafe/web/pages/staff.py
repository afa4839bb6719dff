"""The clinic's staff, managed by its admin (`/settings/staff`): the list, adding a colleague
(who then sets their own password through a one-time link), deactivating and reactivating, and
a new reset link; and the reset page itself (`/reset-password/{token}`, no sign-in)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse, Response

from needlesafe.deps import CsrfChecked, SessionActor, StateDep, UowDep
from needlesafe.errors import InputError
from needlesafe.services import accounts, staff
from needlesafe.services.context import Actor
from needlesafe.services.errors import Conflict, LinkExpired, LinkInvalid
from needlesafe.services.staff import ResetLink
from needlesafe.store.uow import UnitOfWork
from needlesafe.web.common import form_values, header_context, see_other
from needlesafe.web.render import FormValues, field_errors, render

router = APIRouter(include_in_schema=False)
STAFF_FIELDS = {"email": "email", "name": "name", "role": "role"}


def _staff_page(
    request: Request,
    actor: Actor,
    uow: UnitOfWork,
    *,
    values: FormValues | None = None,
    errors: dict[str, str] | None = None,
    reset: ResetLink | None = None,
    message: str | None = None,
    status_code: int = 200,
) -> Response:
    people = accounts.list_users(uow, actor=actor, limit=200).items
    return render(
        request,
        "staff.html",
        {
            **header_context(actor, uow),
            "people": people,
            "values": values or FormValues({"role": ["practitioner"]}),
            "errors": errors or {},
            "reset": reset,
            "message": message,
        },
        status_code=status_code,
    )


@router.get("/settings/staff", response_class=HTMLResponse)
def staff_page(request: Request, actor: SessionActor, uow: UowDep) -> Response:
    actor.require_admin()
    return _staff_page(request, actor, uow)


@router.post("/settings/staff", response_class=HTMLResponse)
async def add_colleague(
    request: Request, actor: SessionActor, uow: UowDep, state: StateDep, _csrf: CsrfChecked
) -> Response:
    """Add an account with a random password nobody sees; show the link to set their own."""
    actor.require_admin()
    values = await form_values(request)
    try:
        user = accounts.create_user(
            uow,
            actor=actor,
            user={
                "email": values.get("email"),
                "name": values.get("name"),
                "role": values.get("role"),
                "password": accounts.generate_password(),
            },
        )
    except InputError as error:
        errors = field_errors(error.problems, STAFF_FIELDS)
        return _staff_page(request, actor, uow, values=values, errors=errors, status_code=422)
    except Conflict as error:
        errors = {"email": error.message}
        return _staff_page(request, actor, uow, values=values, errors=errors, status_code=409)
    reset = staff.make_reset_link(
        uow, actor=actor, base_url=state.settings.public_base_url, user_id=user.id
    )
    return _staff_page(request, actor, uow, reset=reset, message=f"Added {user.email}.")


@router.post("/settings/staff/{user_id}/{action}", response_class=HTMLResponse)
def change_colleague(
    request: Request,
    user_id: int,
    action: Annotated[str, Path(pattern="^(deactivate|activate|reset)$")],
    actor: SessionActor,
    uow: UowDep,
    state: StateDep,
    _csrf: CsrfChecked,
) -> Response:
    actor.require_admin()
    try:
        if action == "reset":
            reset = staff.make_reset_link(
                uow, actor=actor, base_url=state.settings.public_base_url, user_id=user_id
            )
            return _staff_page(request, actor, uow, reset=reset)
        staff.set_active(uow, actor=actor, user_id=user_id, active=action == "activate")
    except Conflict as error:
        return _staff_page(request, actor, uow, message=error.message, status_code=409)
    return see_other("/settings/staff")


# ---------------------------------------------------------------- the reset link


def _reset_page(
    request: Request,
    *,
    email: str | None,
    error: str | None = None,
    errors: dict[str, str] | None = None,
    done: bool = False,
    status_code: int = 200,
) -> Response:
    context = {"email": email, "link_error": error, "errors": errors or {}, "done": done}
    return render(request, "reset_password.html", context, status_code=status_code)


@router.get("/reset-password/{token}", response_class=HTMLResponse)
def reset_page(request: Request, token: str, uow: UowDep) -> Response:
    try:
        email = staff.reset_for(uow, token=token)
    except (LinkInvalid, LinkExpired) as error:
        return _reset_page(request, email=None, error=error.message, status_code=410)
    return _reset_page(request, email=email)


@router.post("/reset-password/{token}", response_class=HTMLResponse)
async def reset(request: Request, token: str, uow: UowDep, _csrf: CsrfChecked) -> Response:
    values = await form_values(request)
    password = values.get("password")
    try:
        email = staff.reset_for(uow, token=token)
    except (LinkInvalid, LinkExpired) as error:
        return _reset_page(request, email=None, error=error.message, status_code=410)
    if password != values.get("again"):
        errors = {"again": "the two passwords are not the same"}
        return _reset_page(request, email=email, errors=errors, status_code=422)
    try:
        staff.reset_password(uow, token=token, password=password)
    except InputError as error:
        errors = field_errors(error.problems, {"password": "password"})
        return _reset_page(request, email=email, errors=errors, status_code=422)
    return _reset_page(request, email=email, done=True)
