"""The clinic's records as SQLAlchemy 2 typed tables. Every row belongs to one clinic.

Clinical content (intake, assessment, check-in, triage) is stored as the contract's JSON, next
to the few columns that lists filter and sort on (decision, disposition, knowledge version).
The audit log holds who did what to which record, never the clinical content itself.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

# the `urgency` column of check-ins holds these ranks
from needlesafe.knowledge.triage_schema import DISPOSITION_RANK as DISPOSITION_RANK

ROLES = ("practitioner", "admin")
OUTCOMES = (
    "recovered",
    "recovering",
    "not_recovered",
    "recovered_with_sequelae",
    "fatal",
    "unknown",
)

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class UtcDateTime(TypeDecorator[dt.datetime]):
    """A timestamp stored in UTC and always read back timezone-aware (SQLite forgets zones)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use an aware UTC datetime")
        return value.astimezone(dt.UTC)

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {
        dt.datetime: UtcDateTime(),
        dict[str, Any]: JSON(),
        list[dict[str, Any]]: JSON(),
    }


class Clinic(Base):
    __tablename__ = "clinics"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    phone: Mapped[str | None] = mapped_column(String(40))  # shown to patients: who to call
    emergency_number: Mapped[str | None] = mapped_column(String(20))  # e.g. "911", "112"
    # below this age a parent or guardian signs the consent too (the law differs by place)
    age_of_consent: Mapped[int] = mapped_column(Integer, default=18, server_default="18")
    # every date and time shown to the clinic and its patients is in this zone (IANA name)
    time_zone: Mapped[str] = mapped_column(String(64), default="UTC", server_default="UTC")
    # the unit a patient's check-in asks for first: "C" or "F"
    temperature_unit: Mapped[str] = mapped_column(String(1), default="C", server_default="C")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    # urgent and emergency check-ins are emailed here at once (migration 0008); not
    # acknowledged within `realert_minutes`, they are sent again to the second address
    alert_email: Mapped[str | None] = mapped_column(String(320))
    alert_email_second: Mapped[str | None] = mapped_column(String(320))
    realert_minutes: Mapped[int] = mapped_column(Integer, default=15, server_default="15")


class User(Base):
    __tablename__ = "users"
    __table_args__ = (CheckConstraint("role IN ('practitioner', 'admin')", name="role"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinics.id"), index=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)  # stored lower-case
    name: Mapped[str] = mapped_column(String(200), default="")
    role: Mapped[str] = mapped_column(String(20))
    password_hash: Mapped[str] = mapped_column(String(200))  # argon2id
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class AuthToken(Base):
    """A bearer token (kind "api") or a browser session (kind "session"); only its hash."""

    __tablename__ = "auth_tokens"
    __table_args__ = (CheckConstraint("kind IN ('api', 'session')", name="kind"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinics.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)  # sha256 hex
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[dt.datetime | None]
    revoked_at: Mapped[dt.datetime | None]


class AuditEvent(Base):
    """Append-only (triggers refuse UPDATE and DELETE): who, when, what, which record."""

    __tablename__ = "audit_events"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
    clinic_id: Mapped[int | None] = mapped_column(ForeignKey("clinics.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    actor: Mapped[str] = mapped_column(String(40))  # "user", "patient_link", "cli", "anonymous"
    action: Mapped[str] = mapped_column(String(40))  # "read", "list", "create", "update", ...
    record_type: Mapped[str] = mapped_column(String(40))
    record_id: Mapped[str | None] = mapped_column(String(40))
    # the ids a list read returned, comma-separated (migration 0012)
    record_ids: Mapped[str | None] = mapped_column(Text)
    # the hash chain (migration 0009, store/audit.py): the row's place in its clinic's chain,
    # the previous row's hash and its own; and where a sign-in came from
    seq: Mapped[int | None] = mapped_column(Integer)
    prev_hash: Mapped[str | None] = mapped_column(String(64))
    hash: Mapped[str | None] = mapped_column(String(64))
    client_address: Mapped[str | None] = mapped_column(String(64))


class Patient(Base):
    __tablename__ = "patients"
    id: Mapped[int] = mapped_column(primary_key=True)
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinics.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    date_of_birth: Mapped[dt.date | None] = mapped_column(Date)
    chart_number: Mapped[str | None] = mapped_column(String(64))
    phone: Mapped[str | None] = mapped_column(String(40))
    email: Mapped[str | None] = mapped_column(String(320))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    # the patient asked for no more check-in reminders (the link in every message; 0008)
    reminders_stopped_at: Mapped[dt.datetime | None]


class Intake(Base):
    """A screening: the intake as given and the assessment the engine made of it."""

    __tablename__ = "intakes"
    id: Mapped[int] = mapped_column(primary_key=True)
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinics.id"), index=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    input: Mapped[dict[str, Any]]
    assessment: Mapped[dict[str, Any]]
    decision: Mapped[str] = mapped_column(String(40))
    knowledge_version: Mapped[str] = mapped_column(String(100))


class Treatment(Base):
    __tablename__ = "treatments"
    id: Mapped[int] = mapped_column(primary_key=True)
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinics.id"), index=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True)
    intake_id: Mapped[int | None] = mapped_column(ForeignKey("intakes.id"))
    practitioner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    performed_on: Mapped[dt.date] = mapped_column(Date)
    device: Mapped[str] = mapped_column(String(40))  # contract code: pen, roller, ...
    device_make: Mapped[str | None] = mapped_column(String(120))
    device_model: Mapped[str | None] = mapped_column(String(120))
    needle_cartridge_lot: Mapped[str | None] = mapped_column(String(64), index=True)
    numbing_agent: Mapped[str] = mapped_column(String(60), default="none")
    numbing_agent_lot: Mapped[str | None] = mapped_column(String(64), index=True)
    notes: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    areas: Mapped[list[TreatmentArea]] = relationship(
        order_by="TreatmentArea.id", cascade="all, delete-orphan", lazy="selectin"
    )
    topicals: Mapped[list[TreatmentTopical]] = relationship(
        order_by="TreatmentTopical.id", cascade="all, delete-orphan", lazy="selectin"
    )
    override: Mapped[TreatmentOverride | None] = relationship(lazy="selectin")
    # the screening it was done on, read when first asked for and then held with the treatment
    # (the safety panel and the aftercare plan both ask)
    intake: Mapped[Intake | None] = relationship(lazy="select")


class TreatmentOverride(Base):
    """A treatment recorded against the gate's conflicts on purpose: why, which conflicts, who
    and when. One per treatment, written with it; append-only (triggers, migration 0005)."""

    __tablename__ = "treatment_overrides"
    id: Mapped[int] = mapped_column(primary_key=True)
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinics.id"), index=True)
    treatment_id: Mapped[int] = mapped_column(ForeignKey("treatments.id"), unique=True)
    reason: Mapped[str] = mapped_column(Text)
    conflicts: Mapped[list[dict[str, Any]]]
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class TreatmentArea(Base):
    __tablename__ = "treatment_areas"
    __table_args__ = (
        CheckConstraint("depth_mm > 0 AND depth_mm <= 4", name="depth"),
        CheckConstraint("passes >= 1", name="passes"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinics.id"), index=True)
    treatment_id: Mapped[int] = mapped_column(ForeignKey("treatments.id"), index=True)
    area: Mapped[str] = mapped_column(String(40))
    depth_mm: Mapped[float] = mapped_column(Float)
    passes: Mapped[int] = mapped_column(Integer)


class TreatmentTopical(Base):
    __tablename__ = "treatment_topicals"
    id: Mapped[int] = mapped_column(primary_key=True)
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinics.id"), index=True)
    treatment_id: Mapped[int] = mapped_column(ForeignKey("treatments.id"), index=True)
    code: Mapped[str] = mapped_column(String(60))
    lot: Mapped[str | None] = mapped_column(String(64), index=True)


class CheckIn(Base):
    __tablename__ = "checkins"
    __table_args__ = (Index("ix_checkins_inbox", "clinic_id", "handled", "urgency", "created_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinics.id"), index=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True)
    treatment_id: Mapped[int] = mapped_column(ForeignKey("treatments.id"), index=True)
    source: Mapped[str] = mapped_column(String(20))  # "patient_link" or "staff"
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    input: Mapped[dict[str, Any]]
    triage: Mapped[dict[str, Any]]
    disposition: Mapped[str] = mapped_column(String(20))
    urgency: Mapped[int] = mapped_column(Integer)  # DISPOSITION_RANK[disposition]
    knowledge_version: Mapped[str] = mapped_column(String(100))
    handled: Mapped[bool] = mapped_column(Boolean, default=False)
    handled_at: Mapped[dt.datetime | None]
    handled_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    handled_note: Mapped[str] = mapped_column(Text, default="")

    @property
    def needs_attention(self) -> bool:
        return not self.handled and self.urgency > 0


class CheckInCount(Base):
    """Each clinic's number of check-ins, the inbox's unfiltered total in one row. Written only
    by triggers on `checkins` (migration 0013), never by the service; no row means none."""

    __tablename__ = "checkin_counts"
    clinic_id: Mapped[int] = mapped_column(
        ForeignKey("clinics.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    n: Mapped[int] = mapped_column(BigInteger)


class AdverseEvent(Base):
    __tablename__ = "adverse_events"
    __table_args__ = (
        CheckConstraint("ctcae_grade BETWEEN 1 AND 5", name="ctcae_grade"),
        CheckConstraint("status IN ('open', 'closed')", name="status"),
        CheckConstraint(
            "outcome IN ('recovered', 'recovering', 'not_recovered', "
            "'recovered_with_sequelae', 'fatal', 'unknown')",
            name="outcome",
        ),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinics.id"), index=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True)
    treatment_id: Mapped[int | None] = mapped_column(ForeignKey("treatments.id"), index=True)
    complication: Mapped[str] = mapped_column(String(60), index=True)
    onset_date: Mapped[dt.date] = mapped_column(Date)
    ctcae_grade: Mapped[int] = mapped_column(Integer)
    icd10_code: Mapped[str | None] = mapped_column(String(10))
    serious: Mapped[bool] = mapped_column(Boolean, default=False)
    actions: Mapped[str] = mapped_column(Text, default="")
    outcome: Mapped[str] = mapped_column(String(30), default="unknown")
    product_lot: Mapped[str | None] = mapped_column(String(64), index=True)
    notes: Mapped[str] = mapped_column(Text, default="")
    recorded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    # followed to the end: open until closed with a resolution date
    status: Mapped[str] = mapped_column(String(10), default="open", server_default="open")
    follow_up_on: Mapped[dt.date | None] = mapped_column(Date)
    resolved_on: Mapped[dt.date | None] = mapped_column(Date)
    updated_at: Mapped[dt.datetime | None]


class AdverseEventChange(Base):
    """One change to an adverse event: who, when, and each field's value before and after.
    Append-only (triggers refuse UPDATE and DELETE, migration 0005)."""

    __tablename__ = "adverse_event_changes"
    id: Mapped[int] = mapped_column(primary_key=True)
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinics.id"), index=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("adverse_events.id"), index=True)
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(String(10))  # "open" | "update" | "close"
    changes: Mapped[dict[str, Any]]  # {"field": {"from": old, "to": new}}


class CheckinLink(Base):
    """One check-in link a treatment has had (migration 0010). The token is never stored:
    it is derived from `nonce` and the server's secret, and found by its SHA-256."""

    __tablename__ = "checkin_links"
    id: Mapped[int] = mapped_column(primary_key=True)
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinics.id"))
    treatment_id: Mapped[int] = mapped_column(ForeignKey("treatments.id"), index=True)
    nonce: Mapped[str] = mapped_column(String(64))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column()
    revoked_at: Mapped[dt.datetime | None] = mapped_column()
    revoked_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class PasswordReset(Base):
    """A one-time link an admin made for a colleague to set a new password; only its hash."""

    __tablename__ = "password_resets"
    id: Mapped[int] = mapped_column(primary_key=True)
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinics.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column()
    used_at: Mapped[dt.datetime | None] = mapped_column()


# ---------------------------------------------------------------- signed consents
#
# A signed consent is immutable: one per intake (a unique key), and triggers in the database
# refuse UPDATE and DELETE (migration 0003). The PDF's bytes are kept with their sha256, since a
# PDF cannot be re-rendered byte for byte (its font subsets carry a timestamp). Signing is done
# in two steps: the patient signs (on their phone or the clinic's tablet), then the
# practitioner countersigns. The patient's part waits in `consent_patient_signatures` (one per
# intake, immutable too: migration 0006) with the exact sheet they signed; the signed consent is
# written only when the practitioner countersigns, from that row.


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


# Indexes that serve each list in its own order (clinic first, then the sort keys), created by
# migrations 0009 and 0011.
Index("ix_audit_events_clinic_seq", AuditEvent.clinic_id, AuditEvent.seq)
Index("ix_audit_events_clinic_id_id", AuditEvent.clinic_id, AuditEvent.id)  # 0011
Index("ix_checkins_clinic_created", CheckIn.clinic_id, CheckIn.created_at, CheckIn.id)
Index(
    "ix_checkins_clinic_attention",
    CheckIn.clinic_id,
    CheckIn.handled,
    CheckIn.urgency,
    CheckIn.created_at,
    CheckIn.id,
)
Index("ix_intakes_clinic_created", Intake.clinic_id, Intake.created_at, Intake.id)
Index(
    "ix_treatments_clinic_performed",
    Treatment.clinic_id,
    Treatment.performed_on,
    Treatment.id,
)
Index(
    "ix_adverse_events_clinic_onset",
    AdverseEvent.clinic_id,
    AdverseEvent.onset_date,
    AdverseEvent.id,
)
Index("ix_patients_clinic_name", Patient.clinic_id, Patient.name, Patient.id)
