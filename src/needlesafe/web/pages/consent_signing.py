"""The patient's signing page, through the signed consent link of one screening: no account,
phone first (or the clinic's tablet).

`/consent/{token}`: the sheet, then a form: a tick box per statement, a drawn signature (a
canvas, `static/sign.js`) or a typed name with "I agree", and a parent or guardian under the
clinic's age of consent. Problems are said in plain words next to the field. Once signed, the
same address shows a confirmation. A link that is not valid or has expired gets a page that
says so (never a bare error).
"""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup

from needlesafe.deps import CsrfChecked, KnowledgeDep, StateDep, UowDep, csrf_token
from needlesafe.documents.render import page_csp, render_consent_html
from needlesafe.errors import InputError
from needlesafe.services import consents, links
from needlesafe.services.consents import PatientConsentView, acknowledgement_keys
from needlesafe.services.context import ConsentLinkAccess
from needlesafe.services.errors import Conflict, LinkExpired, LinkInvalid, NotFound
from needlesafe.state import AppState
from needlesafe.store.uow import UnitOfWork
from needlesafe.web.render import FormValues, environment, render

router = APIRouter(prefix="/consent/{token}", include_in_schema=False)
NOT_SIGNABLE = "this sheet cannot be signed now; please talk to your clinic"


def _today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


def _access(state: AppState, token: str) -> ConsentLinkAccess:
    return links.read_consent_token(
        state.settings.secret, token, max_age=state.settings.consent_link_max_age
    )


def _bad_link(request: Request, message: str, status: int) -> Response:
    return render(
        request, "patient/consent_bad_link.html", {"message": message}, status_code=status
    )


def _form_page(
    request: Request,
    view: PatientConsentView,
    token: str,
    *,
    values: FormValues | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    keys = acknowledgement_keys(view.sheet)
    panel = (
        environment()
        .get_template("patient/_consent_form.html")
        .render(
            view=view,
            statements=[(key, text) for key, text in keys if key != "guardian"],
            guardian_statement=next((text for key, text in keys if key == "guardian"), None),
            action=f"/consent/{token}",
            csrf_token=csrf_token(request),
            values=values or FormValues({"method": ["drawn"]}),
            errors=errors or {},
        )
    )
    html = render_consent_html(view.sheet, signing=True, extra=Markup(panel))
    headers = {
        "Cache-Control": "no-store",
        "X-Consent-Sheet-Version": view.sheet.version,
        "Content-Security-Policy": page_csp(html),
    }
    return HTMLResponse(html, status_code=status_code, headers=headers)


def _done_page(request: Request, view: PatientConsentView, access: ConsentLinkAccess) -> Response:
    return render(
        request,
        "patient/consent_signed.html",
        {
            "view": view,
            "tablet": access.via == "tablet",
            "staff_page": f"/patients/{view.patient_id}/screenings/{view.intake_id}/consent",
            "emergency_number": view.sheet.clinic.emergency_number,
        },
    )


def _view(
    uow: UnitOfWork, access: ConsentLinkAccess, knowledge: KnowledgeDep
) -> PatientConsentView:
    return consents.patient_consent_view(uow, access=access, knowledge=knowledge, today=_today())


@router.get("", response_class=HTMLResponse)
def signing_page(
    request: Request, token: str, state: StateDep, uow: UowDep, knowledge: KnowledgeDep
) -> Response:
    try:
        access = _access(state, token)
        view = _view(uow, access, knowledge)
    except LinkExpired as error:
        return _bad_link(request, error.message, 410)
    except (LinkInvalid, NotFound):
        return _bad_link(request, "this signing link is not valid", 404)
    except Conflict as error:  # e.g. the clinic has no phone number yet
        return _bad_link(request, error.message, 409)
    if view.signed is not None or view.countersigned:
        return _done_page(request, view, access)
    if not view.sheet.signable:
        return _bad_link(request, NOT_SIGNABLE, 409)
    return _form_page(request, view, token)


@router.post("", response_class=HTMLResponse)
async def sign(
    request: Request,
    token: str,
    state: StateDep,
    uow: UowDep,
    knowledge: KnowledgeDep,
    _csrf: CsrfChecked,
) -> Response:
    try:
        access = _access(state, token)
    except LinkExpired as error:
        return _bad_link(request, error.message, 410)
    except LinkInvalid:
        return _bad_link(request, "this signing link is not valid", 404)
    values = FormValues.of(await request.form())
    form = {
        "sheet_version": values.get("sheet_version"),
        "ack": values.all("ack"),
        "patient_name": values.get("patient_name"),
        "method": values.get("method"),
        "signature": values.get("signature"),
        "agree": values.get("agree"),
        "guardian_name": values.get("guardian_name"),
        "guardian_relationship": values.get("guardian_relationship"),
    }
    try:
        consents.patient_sign(uow, access=access, knowledge=knowledge, form=form, today=_today())
    except NotFound:
        return _bad_link(request, "this signing link is not valid", 404)
    except InputError as error:
        errors: dict[str, str] = {}
        for problem in error.problems:
            errors.setdefault(problem.path, problem.message)
        return _form_page(
            request,
            _view(uow, access, knowledge),
            token,
            values=values,
            errors=errors,
            status_code=422,
        )
    except Conflict as error:
        view = _view(uow, access, knowledge)
        if view.signed is not None or view.countersigned:
            return _done_page(request, view, access)
        if not view.sheet.signable:
            return _bad_link(request, error.message, 409)
        message = error.message[:1].upper() + error.message[1:]
        # the sheet changed: show the new one, keep the name, ask for the ticks again
        kept = FormValues(
            {
                k: [values.get(k)]
                for k in ("patient_name", "method", "guardian_name", "guardian_relationship")
            }
        )
        return _form_page(request, view, token, values=kept, errors={"": message}, status_code=409)
    return RedirectResponse(f"/consent/{token}", status_code=303)
