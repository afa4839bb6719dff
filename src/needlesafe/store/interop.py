"""CDS Hooks records: the cards a hook call answered with, what the EHR said about them
(feedback), and the JWT ids already used (the replay store).

Migration 0007. Every row but the replay store belongs to one clinic; the replay store is keyed
by the token's issuer, which the configuration ties to one clinic.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from needlesafe.store.models import Base, utcnow


class CdsJwtId(Base):
    """A JWT id (`jti`) seen from an issuer: a second call with it is a replay. Kept until the
    token's own expiry has passed (a token cannot be used after that anyway)."""

    __tablename__ = "cds_jwt_ids"
    __table_args__ = (UniqueConstraint("issuer", "jti"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    issuer: Mapped[str] = mapped_column(String(500))
    jti: Mapped[str] = mapped_column(String(200))
    expires_at: Mapped[dt.datetime] = mapped_column(index=True)
    seen_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class CdsCard(Base):
    """A card needlesafe answered a hook call with (what it was about, not its text)."""

    __tablename__ = "cds_cards"
    id: Mapped[int] = mapped_column(primary_key=True)
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinics.id"), index=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True)
    service_id: Mapped[str] = mapped_column(String(60))
    hook_instance: Mapped[str] = mapped_column(String(100))
    indicator: Mapped[str] = mapped_column(String(10))  # info | warning | critical
    topic: Mapped[str] = mapped_column(String(100))  # e.g. "precaution:patch_test"
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class CdsFeedback(Base):
    """What the clinician did with a card: accepted (which suggestions) or overridden (why).
    The same feedback sent twice is stored once (card, outcome and time are unique)."""

    __tablename__ = "cds_feedback"
    __table_args__ = (
        UniqueConstraint("card_id", "outcome", "outcome_at"),
        Index("ix_cds_feedback_clinic_outcome", "clinic_id", "outcome"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinics.id"))
    card_id: Mapped[int] = mapped_column(ForeignKey("cds_cards.id"), index=True)
    outcome: Mapped[str] = mapped_column(String(20))  # accepted | overridden
    outcome_at: Mapped[dt.datetime]
    override_code: Mapped[str | None] = mapped_column(String(100))
    override_system: Mapped[str | None] = mapped_column(String(500))
    override_display: Mapped[str | None] = mapped_column(String(500))
    user_comment: Mapped[str | None] = mapped_column(Text)
    accepted_suggestions: Mapped[list[dict[str, Any]]]
    received_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class InteropRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def use_jti(self, *, issuer: str, jti: str, expires_at: dt.datetime, now: dt.datetime) -> bool:
        """Record a token id; False when it was already used (a replay)."""
        self.session.execute(delete(CdsJwtId).where(CdsJwtId.expires_at < now))
        try:
            with self.session.begin_nested():
                self.session.add(CdsJwtId(issuer=issuer, jti=jti, expires_at=expires_at))
        except IntegrityError:
            return False
        return True

    def add_cards(self, cards: list[CdsCard]) -> None:
        self.session.add_all(cards)
        self.session.flush()

    def card(self, clinic_id: int, service_id: str, uuid: str) -> CdsCard | None:
        query = select(CdsCard).where(
            CdsCard.clinic_id == clinic_id, CdsCard.service_id == service_id, CdsCard.uuid == uuid
        )
        return self.session.scalars(query).first()

    def add_feedback(self, row: CdsFeedback) -> bool:
        """Store it; False when the same feedback was already stored (sent twice)."""
        try:
            with self.session.begin_nested():
                self.session.add(row)
        except IntegrityError:
            return False
        return True

    def feedback_counts(self, clinic_id: int) -> list[tuple[str, str, str, str | None, int]]:
        """(service, topic, outcome, override reason code, count), most frequent first."""
        count = func.count(CdsFeedback.id)
        query = (
            select(
                CdsCard.service_id,
                CdsCard.topic,
                CdsFeedback.outcome,
                CdsFeedback.override_code,
                count,
            )
            .join(CdsCard, CdsCard.id == CdsFeedback.card_id)
            .where(CdsFeedback.clinic_id == clinic_id)
            .group_by(
                CdsCard.service_id, CdsCard.topic, CdsFeedback.outcome, CdsFeedback.override_code
            )
            .order_by(count.desc(), CdsCard.topic)
        )
        return [tuple(row) for row in self.session.execute(query)]  # type: ignore[misc]  # Row is a tuple

    def patient_by_chart(self, clinic_id: int, chart_numbers: list[str]) -> Any:
        """The clinic's patient whose chart number is one of these (an EHR's identifiers)."""
        from needlesafe.store.models import Patient

        if not chart_numbers:
            return None
        query = (
            select(Patient)
            .where(Patient.clinic_id == clinic_id, Patient.chart_number.in_(chart_numbers))
            .order_by(Patient.id)
        )
        return self.session.scalars(query).first()

    def signed_consents(self, clinic_id: int, patient_id: int) -> list[Any]:
        from needlesafe.store.models import SignedConsent

        query = (
            select(SignedConsent)
            .where(SignedConsent.clinic_id == clinic_id, SignedConsent.patient_id == patient_id)
            .order_by(SignedConsent.id)
        )
        return list(self.session.scalars(query))
