"""The consent sheet in the signed-in browser: the printable page with a sign form, its PDF,
and signing (CSRF-checked; the practitioner is the signed-in user).

The bearer-token routes (`api/routes/consent.py`) stay for scripts; these are the same service
calls behind the session cookie, under the screening's page.
"""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup

from needlesafe.api.deps import CsrfChecked, KnowledgeDep, SessionActor, UowDep, csrf_token
from needlesafe.documents.consent import ConsentSheet
from needlesafe.documents.render import page_csp, render_consent_html
from needlesafe.errors import InputError
from needlesafe.services import consents, patients
from needlesafe.services.consents import SignedConsentPublic
from needlesafe.services.context import Actor
from needlesafe.services.errors import Conflict, NotFound
from needlesafe.store.uow import UnitOfWork
from needlesafe.web.render import FormValues, environment, field_errors

router = APIRouter(include_in_schema=False)
BASE = "/patients/{patient_id}/screenings/{intake_id}/consent"


def _today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


def _headers(sheet: ConsentSheet, record: SignedConsentPublic | None) -> dict[str, str]:
    headers = {"X-Consent-Sheet-Version": sheet.version, "Cache-Control": "no-store"}
    if record is not None:
        headers["X-Consent-Pdf-Sha256"] = record.pdf_sha256
    return headers


def _page(
    request: Request,
    uow: UnitOfWork,
    actor: Actor,
    sheet: ConsentSheet,
    record: SignedConsentPublic | None,
    *,
    patient_id: int,
    intake_id: int,
    values: FormValues | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    patient = patients.get_patient(uow, actor=actor, patient_id=patient_id)
    panel = environment().get_template("_consent_sign.html").render(
        sheet=sheet,
        record=record,
        patient=patient,
        base=BASE.format(patient_id=patient_id, intake_id=intake_id),
        assessment=f"/patients/{patient_id}/screenings/{intake_id}",
        csrf_token=csrf_token(request),
        values=values or FormValues({"patient_signer": [patient.name]}),
        errors=errors or {},
    )
    html = render_consent_html(sheet, page=True, extra=Markup(panel))  # noqa: S704 - autoescaped
    headers = _headers(sheet, record)
    headers["Content-Security-Policy"] = page_csp(html)
    return HTMLResponse(html, status_code=status_code, headers=headers)


@router.get(BASE, response_class=HTMLResponse)
def consent_page(
    request: Request,
    patient_id: int,
    intake_id: int,
    actor: SessionActor,
    uow: UowDep,
    knowledge: KnowledgeDep,
) -> Response:
    """The sheet to print and sign (the signed sheet once it is signed)."""
    sheet, record = consents.get_consent_sheet(
        uow, actor=actor, knowledge=knowledge, patient_id=patient_id, intake_id=intake_id,
        today=_today(),
    )
    return _page(request, uow, actor, sheet, record, patient_id=patient_id, intake_id=intake_id)


@router.get(BASE + ".pdf", response_class=Response)
def consent_pdf(
    patient_id: int, intake_id: int, actor: SessionActor, uow: UowDep, knowledge: KnowledgeDep
) -> Response:
    """The sheet as PDF (exactly the signed file once it is signed)."""
    pdf, sheet, record = consents.get_consent_pdf(
        uow, actor=actor, knowledge=knowledge, patient_id=patient_id, intake_id=intake_id,
        today=_today(),
    )
    headers = _headers(sheet, record)
    headers["Content-Disposition"] = f'inline; filename="consent-{intake_id}.pdf"'
    return Response(pdf, media_type="application/pdf", headers=headers)


@router.post(BASE + "/sign", response_class=HTMLResponse)
async def sign(
    request: Request,
    patient_id: int,
    intake_id: int,
    actor: SessionActor,
    uow: UowDep,
    knowledge: KnowledgeDep,
    _csrf: CsrfChecked,
) -> Response:
    """Record the signatures of the sheet version the page showed; then show the signed sheet."""
    values = FormValues.of(await request.form())
    data = {
        "sheet_version": values.get("sheet_version"),
        "patient_signer": values.get("patient_signer"),
        "guardian_signer": values.get("guardian_signer").strip() or None,
    }
    try:
        consents.sign_consent(
            uow, actor=actor, knowledge=knowledge, patient_id=patient_id, intake_id=intake_id,
            sign=data, today=_today(),
        )
    except (InputError, Conflict) as error:
        if isinstance(error, InputError):
            errors, status = field_errors(error.problems, {}), 422
        else:
            errors, status = {"": error.message}, 409
        sheet, record = consents.get_consent_sheet(
            uow, actor=actor, knowledge=knowledge, patient_id=patient_id, intake_id=intake_id,
            today=_today(),
        )
        return _page(
            request, uow, actor, sheet, record, patient_id=patient_id, intake_id=intake_id,
            values=values, errors=errors, status_code=status,
        )
    except NotFound:
        raise
    url = BASE.format(patient_id=patient_id, intake_id=intake_id) + "?signed=1"
    return RedirectResponse(url, status_code=303)
