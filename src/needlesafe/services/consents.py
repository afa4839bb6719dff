"""Consent sheets for a patient's screening, and the signed consent record.

The sheet is built from the stored intake. Signing names the sheet version the patient was
shown; if the sheet has changed since (new knowledge, another day, other clinic details) the
signature is refused, so a record always points at the exact words that were signed. Once
signed, the record (and its PDF) is what every later read returns, and it cannot change.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, StringConstraints
from sqlalchemy.exc import IntegrityError

from needlesafe.documents.consent import ADULT_AGE, ClinicDetails, ConsentSheet, build_consent_sheet
from needlesafe.documents.render import render_consent_pdf, sha256
from needlesafe.engine.inputs import parse_intake
from needlesafe.engine.models import Assessment
from needlesafe.engine.screening import screen
from needlesafe.errors import InputError, InputProblem
from needlesafe.knowledge.base import Knowledge
from needlesafe.services.clinics import contact_for
from needlesafe.services.common import audit, validate
from needlesafe.services.context import Actor
from needlesafe.services.errors import Conflict, NotFound
from needlesafe.store import models as m
from needlesafe.store.consents import SignedConsent, SignedConsentRepository
from needlesafe.store.uow import UnitOfWork

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class ConsentSign(BaseModel):
    """What the practitioner records when the patient (and guardian) have signed."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    sheet_version: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{16}$")]
    patient_signer: Name
    guardian_signer: Name | None = None


class SignedConsentPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True, frozen=True)

    id: int
    patient_id: int
    intake_id: int
    signed_at: dt.datetime
    recorded_by: int | None
    patient_signer: str
    guardian_signer: str | None
    practitioner_signer: str
    sheet_version: str
    knowledge_version: str
    wording_version: str
    pdf_sha256: str


def _intake(uow: UnitOfWork, actor: Actor, patient_id: int, intake_id: int) -> m.Intake:
    row = uow.intakes.get(actor.clinic_id, intake_id)
    if row is None or row.patient_id != patient_id:
        raise NotFound("no such intake for this patient")
    return row


def _build(
    uow: UnitOfWork,
    actor: Actor,
    knowledge: Knowledge,
    row: m.Intake,
    *,
    today: dt.date,
) -> ConsentSheet:
    contact = contact_for(uow, actor.clinic_id)
    if not contact.phone:
        raise Conflict(
            "the clinic has no phone number, and the sheet must tell the patient whom to call: "
            "an admin can set it (clinic settings, or PATCH /api/v1/clinic)"
        )
    patient = uow.patients.get(actor.clinic_id, row.patient_id)
    details = ClinicDetails(
        name=contact.name or "-", phone=contact.phone, emergency_number=contact.emergency_number
    )
    intake = parse_intake(row.input, knowledge)
    # The stored assessment, when it was made with this knowledge base; otherwise screen again
    # so the sheet's words and its footer's knowledge version agree.
    if row.knowledge_version == knowledge.version:
        assessment = Assessment.model_validate(row.assessment)
    else:
        assessment = screen(intake, knowledge)
    return build_consent_sheet(
        intake,
        assessment,
        clinic=details,
        knowledge=knowledge,
        issued=today,
        patient_name=patient.name if patient else None,
    )


def get_consent_sheet(
    uow: UnitOfWork,
    *,
    actor: Actor,
    knowledge: Knowledge,
    patient_id: int,
    intake_id: int,
    today: dt.date,
) -> tuple[ConsentSheet, SignedConsentPublic | None]:
    """The sheet to show: the signed one if there is one, else a fresh one for today."""
    with uow:
        row = _intake(uow, actor, patient_id, intake_id)
        signed = SignedConsentRepository(uow.session).for_intake(actor.clinic_id, intake_id)
        if signed is not None:
            sheet = ConsentSheet.model_validate(signed.sheet)
            record: SignedConsentPublic | None = SignedConsentPublic.model_validate(signed)
        else:
            sheet = _build(uow, actor, knowledge, row, today=today)
            record = None
        audit(uow, actor, "read", "consent", intake_id)
        uow.commit()
        return sheet, record


def get_consent_pdf(
    uow: UnitOfWork,
    *,
    actor: Actor,
    knowledge: Knowledge,
    patient_id: int,
    intake_id: int,
    today: dt.date,
) -> tuple[bytes, ConsentSheet, SignedConsentPublic | None]:
    """The PDF: exactly the signed bytes once signed, else freshly rendered."""
    with uow:
        _intake(uow, actor, patient_id, intake_id)
        signed = SignedConsentRepository(uow.session).for_intake(actor.clinic_id, intake_id)
        if signed is not None:
            audit(uow, actor, "read", "consent", intake_id)
            uow.commit()
            return (
                signed.pdf,
                ConsentSheet.model_validate(signed.sheet),
                SignedConsentPublic.model_validate(signed),
            )
    sheet, _ = get_consent_sheet(
        uow, actor=actor, knowledge=knowledge, patient_id=patient_id, intake_id=intake_id,
        today=today,
    )
    return render_consent_pdf(sheet), sheet, None


def sign_consent(
    uow: UnitOfWork,
    *,
    actor: Actor,
    knowledge: Knowledge,
    patient_id: int,
    intake_id: int,
    sign: ConsentSign | dict[str, Any],
    today: dt.date,
) -> SignedConsentPublic:
    """Record that the patient signed the sheet of version `sign.sheet_version`. Refused when
    already signed, when the sheet is not for signing, or when it has changed since."""
    data = validate(ConsentSign, sign)
    with uow:
        row = _intake(uow, actor, patient_id, intake_id)
        consents = SignedConsentRepository(uow.session)
        if consents.for_intake(actor.clinic_id, intake_id) is not None:
            raise Conflict("this consent is already signed; a signed consent cannot be changed")
        sheet = _build(uow, actor, knowledge, row, today=today)
        if not sheet.signable:
            raise Conflict("this sheet is not for signing: the screening says to wait or not treat")
        if sheet.version != data.sheet_version:
            raise Conflict(
                f"the sheet has changed since it was shown (now version {sheet.version}); "
                "show it to the patient again before signing"
            )
        if parse_intake(row.input, knowledge).patient.age < ADULT_AGE and not data.guardian_signer:
            raise InputError(
                [InputProblem("guardian_signer", "the patient is under 18: a parent or guardian "
                              "must sign too")]
            )
        user = uow.users.by_id(actor.user_id) if actor.user_id is not None else None
        pdf = render_consent_pdf(sheet)
        signed = SignedConsent(
            clinic_id=actor.clinic_id,
            patient_id=patient_id,
            intake_id=intake_id,
            recorded_by=actor.user_id,
            patient_signer=data.patient_signer,
            guardian_signer=data.guardian_signer,
            practitioner_signer=(user.name or user.email) if user else actor.kind,
            sheet_version=sheet.version,
            knowledge_version=sheet.knowledge_version,
            wording_version=sheet.wording_version,
            sheet=sheet.model_dump(mode="json"),
            pdf_sha256=sha256(pdf),
            pdf=pdf,
        )
        try:
            consents.add(signed)
        except IntegrityError:
            raise Conflict("this consent is already signed") from None
        audit(uow, actor, "create", "consent", intake_id)
        uow.commit()
        return SignedConsentPublic.model_validate(signed)
