"""The consent sheet of a screening: as a printable page, as PDF, and signing it.

The patient signs through a link (`POST .../consent/link`: on their phone, or `"via":
"tablet"` for the clinic's tablet), then a signed-in practitioner countersigns
(`POST .../consent/countersign`). `POST .../consent/sign` records a sheet signed on paper."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response

from needlesafe.api.deps import CurrentActor, JsonBody, KnowledgeDep, SettingsDep, UowDep
from needlesafe.api.routes.common import JSON_ERRORS
from needlesafe.documents.render import page_csp, render_consent_html
from needlesafe.services import consents
from needlesafe.services.schemas import (
    ConsentLink,
    ConsentLinkRequest,
    ConsentSign,
    SignedConsentPublic,
)

ERRORS: dict[int | str, dict[str, Any]] = {code: dict(text) for code, text in JSON_ERRORS.items()}
router = APIRouter(tags=["consent"], responses=ERRORS)

BASE = "/patients/{patient_id}/intakes/{intake_id}/consent"


def _today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


def _headers(version: str, record: SignedConsentPublic | None) -> dict[str, str]:
    headers = {"X-Consent-Sheet-Version": version, "Cache-Control": "no-store"}
    if record is not None:
        headers["X-Consent-Signed-At"] = record.signed_at.isoformat()
        headers["X-Consent-Pdf-Sha256"] = record.pdf_sha256
    return headers


@router.get(BASE, response_class=HTMLResponse)
def consent_page(
    patient_id: int,
    intake_id: int,
    actor: CurrentActor,
    uow: UowDep,
    knowledge: KnowledgeDep,
) -> HTMLResponse:
    """The sheet as a printable page (the signed sheet once it is signed)."""
    sheet, record = consents.get_consent_sheet(
        uow,
        actor=actor,
        knowledge=knowledge,
        patient_id=patient_id,
        intake_id=intake_id,
        today=_today(),
    )
    html = render_consent_html(sheet, page=True)
    headers = _headers(sheet.version, record)
    headers["Content-Security-Policy"] = page_csp(html)
    return HTMLResponse(html, headers=headers)


@router.get(BASE + ".pdf", response_class=Response)
def consent_pdf(
    patient_id: int,
    intake_id: int,
    actor: CurrentActor,
    uow: UowDep,
    knowledge: KnowledgeDep,
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
    headers = _headers(sheet.version, record)
    headers["Content-Disposition"] = f'inline; filename="consent-{intake_id}.pdf"'
    return Response(pdf, media_type="application/pdf", headers=headers)


@router.post(
    BASE + "/sign",
    response_model=SignedConsentPublic,
    status_code=201,
    responses={409: {"description": "already signed, not for signing, or the sheet changed"}},
    openapi_extra={  # read by the service (JsonBody), documented here
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": ConsentSign.model_json_schema()}},
        }
    },
)
def sign_consent(
    patient_id: int,
    intake_id: int,
    actor: CurrentActor,
    body: JsonBody,
    uow: UowDep,
    knowledge: KnowledgeDep,
) -> SignedConsentPublic:
    """Record a sheet signed on paper: the names staff type, of the sheet version the patient
    was shown. Immutable after. (The patient signs on screen through `.../consent/link`.)"""
    return consents.sign_consent(
        uow,
        actor=actor,
        knowledge=knowledge,
        patient_id=patient_id,
        intake_id=intake_id,
        sign=body,
        today=_today(),
    )


@router.post(
    BASE + "/link",
    response_model=ConsentLink,
    status_code=201,
    responses={409: {"description": "already signed by the patient, or not for signing"}},
)
def consent_link(
    patient_id: int,
    intake_id: int,
    actor: CurrentActor,
    uow: UowDep,
    knowledge: KnowledgeDep,
    settings: SettingsDep,
    body: ConsentLinkRequest | None = None,
) -> ConsentLink:
    """A signed link to the patient's signing page, valid `consent_link_hours`: on the
    patient's own phone (`via: link`, the default) or the clinic's tablet (`via: tablet`)."""
    return consents.issue_consent_link(
        uow,
        actor=actor,
        knowledge=knowledge,
        patient_id=patient_id,
        intake_id=intake_id,
        secret_key=settings.secret,
        base_url=settings.public_base_url,
        max_age=settings.consent_link_max_age,
        via=body.via if body else "link",
        today=_today(),
    )


@router.post(
    BASE + "/countersign",
    response_model=SignedConsentPublic,
    status_code=201,
    responses={409: {"description": "the patient has not signed yet, or already countersigned"}},
)
def countersign_consent(
    patient_id: int, intake_id: int, actor: CurrentActor, uow: UowDep
) -> SignedConsentPublic:
    """The practitioner's countersignature of what the patient signed: writes the signed
    consent (immutable) and its PDF, with the ticks, the signature, the names and times."""
    return consents.countersign(uow, actor=actor, patient_id=patient_id, intake_id=intake_id)
