"""Signed consents: who signed which exact sheet, when, and the PDF they signed.

A signed consent is immutable: one per intake (a unique key), and triggers in the database
refuse UPDATE and DELETE (migration 0003). The PDF's bytes are kept with their sha256, since a
PDF cannot be re-rendered byte for byte (its font subsets carry a timestamp).

Signing is done in two steps: the patient signs (on their phone or the clinic's tablet), then
the practitioner countersigns. The patient's part waits in `consent_patient_signatures` (one
per intake, immutable too: migration 0006) with the exact sheet they signed; the signed consent
is written only when the practitioner countersigns, from that row.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, ForeignKey, LargeBinary, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from needlesafe.store.models import Base, utcnow


class SignedConsent(Base):
    __tablename__ = "signed_consents"
    id: Mapped[int] = mapped_column(primary_key=True)
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinics.id"), index=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True)
    intake_id: Mapped[int] = mapped_column(ForeignKey("intakes.id"), unique=True)
    signed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    recorded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    patient_signer: Mapped[str] = mapped_column(String(200))
    guardian_signer: Mapped[str | None] = mapped_column(String(200))
    practitioner_signer: Mapped[str] = mapped_column(String(200))
    sheet_version: Mapped[str] = mapped_column(String(64))
    knowledge_version: Mapped[str] = mapped_column(String(100))
    wording_version: Mapped[str] = mapped_column(String(100))
    sheet: Mapped[dict[str, Any]]  # the exact sheet, as JSON
    pdf_sha256: Mapped[str] = mapped_column(String(64))
    pdf: Mapped[bytes] = mapped_column(LargeBinary)
    # Signed by the patient themselves (migration 0005); empty for a consent recorded by staff.
    signed_via: Mapped[str | None] = mapped_column(String(10))  # "staff" | "tablet" | "link"
    signature_method: Mapped[str | None] = mapped_column(String(10))  # "drawn" | "typed"
    signature_png: Mapped[bytes | None] = mapped_column(LargeBinary)
    acknowledgements: Mapped[list[str] | None] = mapped_column(JSON)
    patient_signed_at: Mapped[dt.datetime | None]
    guardian_relationship: Mapped[str | None] = mapped_column(String(100))  # migration 0006


class PatientConsentSignature(Base):
    """The patient's signature of a sheet, waiting for the practitioner's countersignature."""

    __tablename__ = "consent_patient_signatures"
    id: Mapped[int] = mapped_column(primary_key=True)
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinics.id"), index=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True)
    intake_id: Mapped[int] = mapped_column(ForeignKey("intakes.id"), unique=True)
    signed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    signed_via: Mapped[str] = mapped_column(String(10))  # "tablet" | "link"
    signature_method: Mapped[str] = mapped_column(String(10))  # "drawn" | "typed"
    signature_png: Mapped[bytes | None] = mapped_column(LargeBinary)  # re-encoded; drawn only
    patient_signer: Mapped[str] = mapped_column(String(200))
    guardian_signer: Mapped[str | None] = mapped_column(String(200))
    guardian_relationship: Mapped[str | None] = mapped_column(String(100))
    acknowledgements: Mapped[list[str]] = mapped_column(JSON)  # the statements ticked
    sheet_version: Mapped[str] = mapped_column(String(64))
    sheet: Mapped[dict[str, Any]]  # the exact sheet the patient signed, as JSON


class SignedConsentRepository:
    """Add and read; there is deliberately no update or delete."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, row: SignedConsent) -> SignedConsent:
        self.session.add(row)
        self.session.flush()
        return row

    def for_intake(self, clinic_id: int, intake_id: int) -> SignedConsent | None:
        query = select(SignedConsent).where(
            SignedConsent.clinic_id == clinic_id, SignedConsent.intake_id == intake_id
        )
        return self.session.scalars(query).first()

    def add_patient_signature(self, row: PatientConsentSignature) -> PatientConsentSignature:
        self.session.add(row)
        self.session.flush()
        return row

    def patient_signature(self, clinic_id: int, intake_id: int) -> PatientConsentSignature | None:
        query = select(PatientConsentSignature).where(
            PatientConsentSignature.clinic_id == clinic_id,
            PatientConsentSignature.intake_id == intake_id,
        )
        return self.session.scalars(query).first()
