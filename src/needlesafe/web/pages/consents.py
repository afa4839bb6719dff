"""The consent sheet in the signed-in browser: the printable page, its PDF, and signing.

The patient signs themselves: the page gives the patient's signing link with a QR code ("Sign
on the patient's phone") and a button that opens the signing page on this device (the clinic's
tablet). Once they have signed, the page shows their signature and the signed-in practitioner
countersigns (CSRF-checked); then it shows the signed sheet. The bearer-token routes
(`api/routes/consent.py`) are the same service calls for scripts.
"""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup
from starlette.background import BackgroundTask

from needlesafe.deps import (
    CsrfChecked,
    KnowledgeDep,
    SessionActor,
    StateDep,
    UowDep,
    csrf_token,
)
from needlesafe.documents.consent import ConsentSheet
from needlesafe.documents.render import (
    page_csp,
    png_data_uri,
    render_ahead,
    render_consent_html,
)
from needlesafe.knowledge.base import Knowledge
from needlesafe.services import consents, patients
from needlesafe.services.context import Actor
from needlesafe.services.errors import Conflict
from needlesafe.services.schemas import SignedConsentPublic
from needlesafe.state import AppState
from needlesafe.store.uow import UnitOfWork
from needlesafe.web.render import environment, qr_svg

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
    state: AppState,
    knowledge: Knowledge,
    view: consents.ConsentView,
    *,
    patient_id: int,
    intake_id: int,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    sheet, record, part = view.sheet, view.record, view.patient_signature
    patient = patients.get_patient(uow, actor=actor, patient_id=patient_id)
    link = qr = None
    if record is None and part is None and sheet.signable:
        settings = state.settings
        link = consents.issue_consent_link(
            uow,
            actor=actor,
            knowledge=knowledge,
            patient_id=patient_id,
            intake_id=intake_id,
            secret_key=settings.secret,
            base_url=settings.public_base_url,
            max_age=settings.consent_link_max_age,
            via="link",
            today=_today(),
        )
        qr = qr_svg(link.url, "QR code of the patient's signing link")
    panel = (
        environment()
        .get_template("_consent_sign.html")
        .render(
            sheet=sheet,
            record=record,
            part=part,
            signature_src=png_data_uri(part.signature_png) if part and part.signature_png else None,
            patient=patient,
            link=link,
            qr=qr,
            base=BASE.format(patient_id=patient_id, intake_id=intake_id),
            assessment=f"/patients/{patient_id}/screenings/{intake_id}",
            csrf_token=csrf_token(request),
            errors=errors or {},
            countersigned=request.query_params.get("countersigned") == "1",
        )
    )
    html = render_consent_html(
        sheet,
        page=True,
        extra=Markup(panel),
        signed=view.signed_by,  # autoescaped
    )
    headers = _headers(sheet, record)
    headers["Content-Security-Policy"] = page_csp(html)
    # not signed yet: its PDF is rendered once the page is sent, ready for the PDF link
    ahead = BackgroundTask(render_ahead, sheet) if record is None else None
    return HTMLResponse(html, status_code=status_code, headers=headers, background=ahead)


def _view(
    uow: UnitOfWork, actor: Actor, knowledge: Knowledge, patient_id: int, intake_id: int
) -> consents.ConsentView:
    return consents.get_consent_view(
        uow,
        actor=actor,
        knowledge=knowledge,
        patient_id=patient_id,
        intake_id=intake_id,
        today=_today(),
    )


def _conflict_page(
    request: Request,
    uow: UnitOfWork,
    actor: Actor,
    state: AppState,
    knowledge: Knowledge,
    patient_id: int,
    intake_id: int,
    error: Conflict,
) -> Response:
    """The sheet again, saying why the step could not be taken (409)."""
    view = _view(uow, actor, knowledge, patient_id, intake_id)
    return _page(
        request,
        uow,
        actor,
        state,
        knowledge,
        view,
        patient_id=patient_id,
        intake_id=intake_id,
        errors={"": error.message},
        status_code=409,
    )


@router.get(BASE, response_class=HTMLResponse)
def consent_page(
    request: Request,
    patient_id: int,
    intake_id: int,
    actor: SessionActor,
    uow: UowDep,
    knowledge: KnowledgeDep,
    state: StateDep,
) -> Response:
    """The sheet to print; the patient's signing link (phone or tablet) until they sign; their
    signature to countersign; then the signed sheet."""
    view = _view(uow, actor, knowledge, patient_id, intake_id)
    return _page(
        request, uow, actor, state, knowledge, view, patient_id=patient_id, intake_id=intake_id
    )


@router.get(BASE + ".pdf", response_class=Response)
def consent_pdf(
    patient_id: int, intake_id: int, actor: SessionActor, uow: UowDep, knowledge: KnowledgeDep
) -> Response:
    """The sheet as PDF (exactly the signed file once it is signed)."""
    pdf, sheet, record = consents.get_consent_pdf(
        uow,
        actor=actor,
        knowledge=knowledge,
        patient_id=patient_id,
        intake_id=intake_id,
        today=_today(),
    )
    headers = _headers(sheet, record)
    headers["Content-Disposition"] = f'inline; filename="consent-{intake_id}.pdf"'
    return Response(pdf, media_type="application/pdf", headers=headers)


@router.post(BASE + "/tablet", response_class=HTMLResponse)
def sign_on_tablet(
    request: Request,
    patient_id: int,
    intake_id: int,
    actor: SessionActor,
    uow: UowDep,
    knowledge: KnowledgeDep,
    state: StateDep,
    _csrf: CsrfChecked,
) -> Response:
    """Open the patient's signing page on this device (the clinic's tablet)."""
    settings = state.settings
    try:
        link = consents.issue_consent_link(
            uow,
            actor=actor,
            knowledge=knowledge,
            patient_id=patient_id,
            intake_id=intake_id,
            secret_key=settings.secret,
            base_url=settings.public_base_url,
            max_age=settings.consent_link_max_age,
            via="tablet",
            today=_today(),
        )
    except Conflict as error:
        return _conflict_page(request, uow, actor, state, knowledge, patient_id, intake_id, error)
    return RedirectResponse(f"/consent/{link.token}", status_code=303)


@router.post(BASE + "/countersign", response_class=HTMLResponse)
def countersign(
    request: Request,
    patient_id: int,
    intake_id: int,
    actor: SessionActor,
    uow: UowDep,
    knowledge: KnowledgeDep,
    state: StateDep,
    _csrf: CsrfChecked,
) -> Response:
    """The signed-in practitioner countersigns what the patient signed."""
    try:
        consents.countersign(uow, actor=actor, patient_id=patient_id, intake_id=intake_id)
    except Conflict as error:
        return _conflict_page(request, uow, actor, state, knowledge, patient_id, intake_id, error)
    url = BASE.format(patient_id=patient_id, intake_id=intake_id) + "?countersigned=1"
    return RedirectResponse(url, status_code=303)
