"""Tables of migration 0009 (issue 16): sign-in attempts, idempotency keys, the heads of the
audit hash chains, and the heartbeat row `/readyz` writes to."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Float, Index, Integer, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from needlesafe.store.models import Base, utcnow


class SignInAttempt(Base):
    """Failed sign-ins counted per key ("account:<email>" or "address:<ip>"), shared by every
    worker; times are seconds since the epoch so one SQL statement can do the arithmetic."""

    __tablename__ = "sign_in_attempts"
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer)
    last_at: Mapped[float] = mapped_column(Float)
    locked_until: Mapped[float | None] = mapped_column(Float)


class IdempotencyKey(Base):
    """A POST that created a record, by its caller's `Idempotency-Key`: written in the same
    transaction as the record; the answer is kept (after it was sent) to be given again."""

    __tablename__ = "idempotency_keys"
    __table_args__ = (
        UniqueConstraint("scope", "key", name="uq_idempotency_keys_scope_key"),
        Index("ix_idempotency_keys_created_at", "created_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    scope: Mapped[str] = mapped_column(String(64))  # sha256 of the caller's credential + route
    key: Mapped[str] = mapped_column(String(200))
    request_hash: Mapped[str] = mapped_column(String(64))
    clinic_id: Mapped[int | None] = mapped_column(Integer)
    record_type: Mapped[str] = mapped_column(String(40))
    record_id: Mapped[str | None] = mapped_column(String(40))
    status: Mapped[int | None] = mapped_column(Integer)
    content_type: Mapped[str | None] = mapped_column(String(100))
    body: Mapped[bytes | None] = mapped_column(LargeBinary)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class AuditChainHead(Base):
    """The last link of one clinic's audit chain (chain 0: rows of no clinic). Updated in the
    transaction that appends, which serialises appends to one chain."""

    __tablename__ = "audit_chain_heads"
    chain: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(Integer)
    last_hash: Mapped[str] = mapped_column(String(64))


class Heartbeat(Base):
    """One row; `/readyz` updates it (and rolls back) to learn whether a write would work."""

    __tablename__ = "heartbeat"
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)


def _list_indexes() -> None:
    """Indexes that serve each list in its own order (clinic first, then the sort keys):
    declared on the tables of models.py, created by migrations 0009 and 0011."""
    from needlesafe.store import models as m

    Index("ix_audit_events_clinic_seq", m.AuditEvent.clinic_id, m.AuditEvent.seq)
    Index("ix_audit_events_clinic_id_id", m.AuditEvent.clinic_id, m.AuditEvent.id)  # 0011
    Index("ix_checkins_clinic_created", m.CheckIn.clinic_id, m.CheckIn.created_at, m.CheckIn.id)
    Index(
        "ix_checkins_clinic_attention",
        m.CheckIn.clinic_id,
        m.CheckIn.handled,
        m.CheckIn.urgency,
        m.CheckIn.created_at,
        m.CheckIn.id,
    )
    Index("ix_intakes_clinic_created", m.Intake.clinic_id, m.Intake.created_at, m.Intake.id)
    Index(
        "ix_treatments_clinic_performed",
        m.Treatment.clinic_id,
        m.Treatment.performed_on,
        m.Treatment.id,
    )
    Index(
        "ix_adverse_events_clinic_onset",
        m.AdverseEvent.clinic_id,
        m.AdverseEvent.onset_date,
        m.AdverseEvent.id,
    )
    Index("ix_patients_clinic_name", m.Patient.clinic_id, m.Patient.name, m.Patient.id)
