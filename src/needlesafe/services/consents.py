"""Consent sheets for a patient's screening, and the signed consent record.

The sheet is built from the stored intake. Signing names the sheet version the patient was
shown; if the sheet has changed since (new knowledge, another day, other clinic details) the
signature is refused, so a record always points at the exact words that were signed. Once
signed, the record (and its PDF) is what every later read returns, and it cannot change.

The patient signs themselves, in two steps:
1. Staff issue a signed, expiring link for one screening (`issue_consent_link`): on the
   patient's phone (a link and a QR code) or opened on the clinic's tablet. The patient reads
   the sheet, ticks each statement, draws a signature (or types their name and ticks "I agree")
   and, under the clinic's age of consent, a parent or guardian gives their name and how they
   are related (`patient_sign`). That part is stored as it is, with the exact sheet.
2. The practitioner countersigns (`countersign`): the signed consent is written then, from the
   patient's part, with a PDF that shows the ticks, the signature, the names, the times and the
   countersignature, and its sha256.

`sign_consent` (the API's staff route) stays for a sheet signed on paper: staff type the names.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy.exc import IntegrityError

from needlesafe.documents.consent import ClinicDetails, ConsentSheet, SignedBy, build_consent_sheet
from needlesafe.documents.render import render_consent_pdf, sha256
from needlesafe.engine.inputs import parse_intake
from needlesafe.engine.models import Assessment
from needlesafe.engine.screening import screen
from needlesafe.errors import InputError, InputProblem
from needlesafe.knowledge.base import Knowledge
from needlesafe.knowledge.words import clinic_defaults
from needlesafe.services import links
from needlesafe.services.clinics import contact_for
from needlesafe.services.common import audit, validate
from needlesafe.services.context import Actor, ConsentLinkAccess
from needlesafe.services.errors import Conflict, Forbidden, NotFound
from needlesafe.services.schemas import (
    ConsentLink,
    ConsentSign,
    PatientSignaturePublic,
    SignedConsentPublic,
)
from needlesafe.services.signature_image import signature_png
from needlesafe.store import models as m
from needlesafe.store.models import utcnow
from needlesafe.store.uow import UnitOfWork


@dataclass(frozen=True)
class ConsentView:
    """What the clinic's consent page shows: the sheet (the patient's signed sheet once they
    signed it), the signed record when countersigned, else the patient's part if any."""

    sheet: ConsentSheet
    record: SignedConsentPublic | None
    patient_signature: PatientSignaturePublic | None
    signed_by: SignedBy | None = None  # the record's signatures, to show on the sheet


@dataclass(frozen=True)
class PatientConsentView:
    """What the patient's signing page shows."""

    sheet: ConsentSheet
    clinic_name: str
    patient_id: int
    intake_id: int
    age_of_consent: int
    signed: PatientSignaturePublic | None  # already signed (by them)
    countersigned: bool


def _intake(uow: UnitOfWork, actor: Actor, patient_id: int, intake_id: int) -> m.Intake:
    row = uow.intakes.get(actor.clinic_id, intake_id)
    if row is None or row.patient_id != patient_id:
        raise NotFound("no such intake for this patient")
    return row


def _build(
    uow: UnitOfWork,
    clinic_id: int,
    knowledge: Knowledge,
    row: m.Intake,
    *,
    today: dt.date,
) -> ConsentSheet:
    clinic = uow.clinics.by_id(clinic_id)
    contact = contact_for(uow, clinic_id)
    if not contact.phone:
        raise Conflict(
            "the clinic has no phone number, and the sheet must tell the patient whom to call: "
            "an admin can set it (clinic settings, or PATCH /api/v1/clinic)"
        )
    patient = uow.patients.get(clinic_id, row.patient_id)
    details = ClinicDetails(
        name=contact.name or "-",
        phone=contact.phone,
        emergency_number=contact.emergency_number,
        time_zone=contact.time_zone,
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
        age_of_consent=(
            clinic.age_of_consent if clinic else clinic_defaults(knowledge).age_of_consent
        ),
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
        signed = uow.consents.for_intake(actor.clinic_id, intake_id)
        pending = uow.consents.patient_signature(actor.clinic_id, intake_id)
        if signed is not None:
            sheet = ConsentSheet.model_validate(signed.sheet)
            record: SignedConsentPublic | None = SignedConsentPublic.model_validate(signed)
        elif pending is not None:  # what the patient signed, waiting for the countersignature
            sheet = ConsentSheet.model_validate(pending.sheet)
            record = None
        else:
            sheet = _build(uow, actor.clinic_id, knowledge, row, today=today)
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
        signed = uow.consents.for_intake(actor.clinic_id, intake_id)
        if signed is not None:
            audit(uow, actor, "read", "consent", intake_id)
            uow.commit()
            return (
                signed.pdf,
                ConsentSheet.model_validate(signed.sheet),
                SignedConsentPublic.model_validate(signed),
            )
    sheet, _ = get_consent_sheet(
        uow,
        actor=actor,
        knowledge=knowledge,
        patient_id=patient_id,
        intake_id=intake_id,
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
        consents = uow.consents
        if consents.for_intake(actor.clinic_id, intake_id) is not None:
            raise Conflict("this consent is already signed; a signed consent cannot be changed")
        if consents.patient_signature(actor.clinic_id, intake_id) is not None:
            raise Conflict("the patient has signed this sheet on screen: countersign it instead")
        sheet = _build(uow, actor.clinic_id, knowledge, row, today=today)
        if not sheet.signable:
            raise Conflict("this sheet is not for signing: the screening says to wait or not treat")
        if sheet.version != data.sheet_version:
            raise Conflict(
                f"the sheet has changed since it was shown (now version {sheet.version}); "
                "show it to the patient again before signing"
            )
        if sheet.guardian_required and not data.guardian_signer:
            age = _age_of_consent(uow, actor.clinic_id)
            raise InputError(
                [
                    InputProblem(
                        "guardian_signer",
                        f"the patient is under {age}: a parent or guardian must sign too",
                    )
                ]
            )
        user = uow.users.by_id(actor.user_id) if actor.user_id is not None else None
        practitioner = (user.name or user.email) if user else actor.kind
        now = utcnow()
        pdf = render_consent_pdf(
            sheet,
            SignedBy(
                patient_name=data.patient_signer,
                method="staff",
                via="staff",
                patient_signed_at=now,
                guardian_name=data.guardian_signer,
                practitioner_name=practitioner,
                countersigned_at=now,
            ),
        )
        signed = m.SignedConsent(
            clinic_id=actor.clinic_id,
            patient_id=patient_id,
            intake_id=intake_id,
            recorded_by=actor.user_id,
            patient_signer=data.patient_signer,
            guardian_signer=data.guardian_signer,
            practitioner_signer=practitioner,
            signed_at=now,
            signed_via="staff",
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


# ---------------------------------------------------------------- signed by the patient


def _age_of_consent(uow: UnitOfWork, clinic_id: int) -> int:
    clinic = uow.clinics.by_id(clinic_id)
    return clinic.age_of_consent if clinic else clinic_defaults().age_of_consent


def get_consent_view(
    uow: UnitOfWork,
    *,
    actor: Actor,
    knowledge: Knowledge,
    patient_id: int,
    intake_id: int,
    today: dt.date,
) -> ConsentView:
    """The clinic's consent page: the sheet, and who has signed it so far."""
    sheet, record = get_consent_sheet(
        uow,
        actor=actor,
        knowledge=knowledge,
        patient_id=patient_id,
        intake_id=intake_id,
        today=today,
    )
    pending = None
    signed_by = None
    if record is not None:
        with uow:
            final = uow.consents.for_intake(actor.clinic_id, intake_id)
            signed_by = _signed_by(final) if final is not None else None
    else:
        with uow:
            row = uow.consents.patient_signature(actor.clinic_id, intake_id)
            if row is not None:
                pending = PatientSignaturePublic.model_validate(row)
                audit(uow, actor, "read", "consent_patient_signature", intake_id)
                uow.commit()
    return ConsentView(sheet=sheet, record=record, patient_signature=pending, signed_by=signed_by)


def _signed_by(row: m.SignedConsent) -> SignedBy | None:
    """Who signed a stored consent, as its PDF shows it (None for one recorded before 0005)."""
    if row.signed_via is None:
        return None
    patient_method = row.signature_method if row.signature_method in ("drawn", "typed") else None
    return SignedBy(
        patient_name=row.patient_signer,
        method="staff" if row.signed_via == "staff" or patient_method is None else patient_method,
        via=row.signed_via if row.signed_via in ("link", "tablet") else "staff",
        signature_png=row.signature_png,
        patient_signed_at=row.patient_signed_at or row.signed_at,
        acknowledgements=list(row.acknowledgements or []),
        guardian_name=row.guardian_signer,
        guardian_relationship=row.guardian_relationship,
        practitioner_name=row.practitioner_signer,
        countersigned_at=row.signed_at,
    )


def issue_consent_link(
    uow: UnitOfWork,
    *,
    actor: Actor,
    knowledge: Knowledge,
    patient_id: int,
    intake_id: int,
    secret_key: str,
    base_url: str,
    max_age: dt.timedelta,
    via: str = "link",
    today: dt.date,
) -> ConsentLink:
    """A signed link that opens the signing page of this screening's consent, for `max_age`.
    Refused (409) once the patient has signed, and for a sheet that is not for signing."""
    if via not in links.CONSENT_VIA:
        raise InputError([InputProblem("via", f"should be one of {', '.join(links.CONSENT_VIA)}")])
    with uow:
        row = _intake(uow, actor, patient_id, intake_id)
        consents = uow.consents
        if consents.for_intake(actor.clinic_id, intake_id) is not None:
            raise Conflict("this consent is already signed")
        if consents.patient_signature(actor.clinic_id, intake_id) is not None:
            raise Conflict("the patient has already signed: the practitioner countersigns now")
        sheet = _build(uow, actor.clinic_id, knowledge, row, today=today)
        if not sheet.signable:
            raise Conflict("this sheet is not for signing: the screening says to wait or not treat")
        token = links.issue_consent_token(
            secret_key, clinic_id=actor.clinic_id, intake_id=intake_id, via=via
        )
        audit(uow, actor, "read", "consent_link", intake_id)
        uow.commit()
    return ConsentLink(
        intake_id=intake_id,
        url=links.consent_url(base_url, token),
        token=token,
        via=via,
        expires_at=dt.datetime.now(dt.UTC) + max_age,
    )


def _linked_intake(uow: UnitOfWork, access: ConsentLinkAccess) -> m.Intake:
    row = uow.intakes.get(access.clinic_id, access.intake_id)
    if row is None:
        raise NotFound("this signing link is not valid")
    return row


def patient_consent_view(
    uow: UnitOfWork, *, access: ConsentLinkAccess, knowledge: Knowledge, today: dt.date
) -> PatientConsentView:
    """The patient's signing page: the sheet to read and sign, or what they signed."""
    with uow:
        row = _linked_intake(uow, access)
        consents = uow.consents
        pending = consents.patient_signature(access.clinic_id, access.intake_id)
        final = consents.for_intake(access.clinic_id, access.intake_id)
        if final is not None:
            sheet = ConsentSheet.model_validate(final.sheet)
        elif pending is not None:
            sheet = ConsentSheet.model_validate(pending.sheet)
        else:
            sheet = _build(uow, access.clinic_id, knowledge, row, today=today)
        clinic = uow.clinics.by_id(access.clinic_id)
        audit(uow, access, "read", "consent", access.intake_id)
        uow.commit()
        return PatientConsentView(
            sheet=sheet,
            clinic_name=clinic.name if clinic else "",
            patient_id=row.patient_id,
            intake_id=row.id,
            age_of_consent=clinic.age_of_consent if clinic else clinic_defaults().age_of_consent,
            signed=PatientSignaturePublic.model_validate(pending) if pending else None,
            countersigned=final is not None,
        )


# What the patient's form must say, in plain words (these are shown on the signing page).
NEED_TICK = "Please tick this box. You need to agree to each line to sign."
NEED_NAME = "Please type your full name."
NAME_TOO_LONG = "This name is too long. Please use 200 letters or fewer."
NEED_METHOD = "Please choose how to sign: draw your signature, or type your name."
NEED_AGREE = 'Please tick "I agree" to sign with your typed name.'
NEED_GUARDIAN = (
    "You are under {age}. A parent or guardian must sign with you. Please type their full name."
)
NEED_RELATIONSHIP = (
    "Please say how they are related to you. For example: mother, father, legal guardian."
)
RELATIONSHIP_TOO_LONG = "Please use 100 letters or fewer."
CHANGED = (
    "The sheet changed after you opened it. Please read it again, then tick the boxes and sign."
)


def acknowledgement_keys(sheet: ConsentSheet) -> list[tuple[str, str]]:
    """(form key, statement) of every box the patient must tick: each statement, and the
    guardian's statement when a guardian signs too."""
    keys = [(f"s{i}", text) for i, text in enumerate(sheet.statements)]
    for line in sheet.signatures:
        if line.role == "guardian" and line.statement:
            keys.append(("guardian", line.statement))
    return keys


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def patient_sign(
    uow: UnitOfWork,
    *,
    access: ConsentLinkAccess,
    knowledge: Knowledge,
    form: Mapping[str, Any],
    today: dt.date,
) -> PatientSignaturePublic:
    """The patient signs the sheet of `form["sheet_version"]`. `form` holds what the signing
    page sends: `patient_name`, `ack` (the keys of the ticked boxes), `method` ("drawn" with
    `signature`, a PNG data URL; or "typed" with `agree`), and under the clinic's age of
    consent `guardian_name` and `guardian_relationship`. Every problem is named in plain words
    (InputError); a changed sheet or a second signature is a Conflict."""
    with uow:
        row = _linked_intake(uow, access)
        consents = uow.consents
        if (
            consents.for_intake(access.clinic_id, access.intake_id) is not None
            or consents.patient_signature(access.clinic_id, access.intake_id) is not None
        ):
            raise Conflict("you have already signed this sheet. Thank you.")
        sheet = _build(uow, access.clinic_id, knowledge, row, today=today)
        if not sheet.signable:
            raise Conflict("this sheet cannot be signed now. Please talk to your clinic.")
        if _text(form.get("sheet_version")) != sheet.version:
            raise Conflict(CHANGED)

        problems: list[InputProblem] = []
        ticked = form.get("ack") or []
        ticked = [ticked] if isinstance(ticked, str) else list(ticked)
        keys = acknowledgement_keys(sheet)
        for key, _ in keys:
            if key not in ticked:
                problems.append(InputProblem(f"ack.{key}", NEED_TICK))
        name = _text(form.get("patient_name"))
        if not name:
            problems.append(InputProblem("patient_name", NEED_NAME))
        elif len(name) > 200:
            problems.append(InputProblem("patient_name", NAME_TOO_LONG))
        method = _text(form.get("method"))
        png: bytes | None = None
        if method == "drawn":
            try:
                png = signature_png(_text(form.get("signature")) or None)
            except InputError as error:
                problems.extend(error.problems)
        elif method == "typed":
            if form.get("agree") not in (True, "on", "yes", "true"):
                problems.append(InputProblem("agree", NEED_AGREE))
        else:
            problems.append(InputProblem("method", NEED_METHOD))
        guardian = relationship = None
        if sheet.guardian_required:
            guardian = _text(form.get("guardian_name"))
            relationship = _text(form.get("guardian_relationship"))
            age = _age_of_consent(uow, access.clinic_id)
            if not guardian:
                problems.append(InputProblem("guardian_name", NEED_GUARDIAN.format(age=age)))
            elif len(guardian) > 200:
                problems.append(InputProblem("guardian_name", NAME_TOO_LONG))
            if not relationship:
                problems.append(InputProblem("guardian_relationship", NEED_RELATIONSHIP))
            elif len(relationship) > 100:
                problems.append(InputProblem("guardian_relationship", RELATIONSHIP_TOO_LONG))
        if problems:
            raise InputError(problems)

        signature = m.PatientConsentSignature(
            clinic_id=access.clinic_id,
            patient_id=row.patient_id,
            intake_id=row.id,
            signed_at=utcnow(),
            signed_via=access.via,
            signature_method=method,
            signature_png=png,
            patient_signer=name,
            guardian_signer=guardian or None,
            guardian_relationship=relationship or None,
            acknowledgements=[text for _, text in keys],
            sheet_version=sheet.version,
            sheet=sheet.model_dump(mode="json"),
        )
        try:
            consents.add_patient_signature(signature)
        except IntegrityError:
            raise Conflict("you have already signed this sheet. Thank you.") from None
        audit(uow, access, "create", "consent_patient_signature", row.id)
        uow.commit()
        return PatientSignaturePublic.model_validate(signature)


def countersign(
    uow: UnitOfWork,
    *,
    actor: Actor,
    patient_id: int,
    intake_id: int,
) -> SignedConsentPublic:
    """The practitioner countersigns what the patient signed: the signed consent is written now
    (immutable), with its PDF (the ticks, the signature, the names and times) and its sha256."""
    if actor.kind != "user" or actor.user_id is None:
        raise Forbidden("a countersignature needs a signed-in practitioner, who is named on it")
    with uow:
        _intake(uow, actor, patient_id, intake_id)
        consents = uow.consents
        if consents.for_intake(actor.clinic_id, intake_id) is not None:
            raise Conflict("this consent is already signed; a signed consent cannot be changed")
        pending = consents.patient_signature(actor.clinic_id, intake_id)
        if pending is None:
            raise Conflict(
                "the patient has not signed yet: give them the signing link or open it on the "
                "clinic's tablet"
            )
        sheet = ConsentSheet.model_validate(pending.sheet)
        user = uow.users.by_id(actor.user_id)
        practitioner = (user.name or user.email) if user else "practitioner"
        now = utcnow()
        pdf = render_consent_pdf(
            sheet,
            SignedBy(
                patient_name=pending.patient_signer,
                method="drawn" if pending.signature_method == "drawn" else "typed",
                via="tablet" if pending.signed_via == "tablet" else "link",
                signature_png=pending.signature_png,
                patient_signed_at=pending.signed_at,
                acknowledgements=list(pending.acknowledgements),
                guardian_name=pending.guardian_signer,
                guardian_relationship=pending.guardian_relationship,
                practitioner_name=practitioner,
                countersigned_at=now,
            ),
        )
        signed = m.SignedConsent(
            clinic_id=actor.clinic_id,
            patient_id=patient_id,
            intake_id=intake_id,
            signed_at=now,
            recorded_by=actor.user_id,
            patient_signer=pending.patient_signer,
            guardian_signer=pending.guardian_signer,
            guardian_relationship=pending.guardian_relationship,
            practitioner_signer=practitioner,
            sheet_version=pending.sheet_version,
            knowledge_version=sheet.knowledge_version,
            wording_version=sheet.wording_version,
            sheet=pending.sheet,
            pdf_sha256=sha256(pdf),
            pdf=pdf,
            signed_via=pending.signed_via,
            signature_method=pending.signature_method,
            signature_png=pending.signature_png,
            acknowledgements=list(pending.acknowledgements),
            patient_signed_at=pending.signed_at,
        )
        try:
            consents.add(signed)
        except IntegrityError:
            raise Conflict("this consent is already signed") from None
        audit(uow, actor, "create", "consent", intake_id)
        uow.commit()
        return SignedConsentPublic.model_validate(signed)
