"""Repositories: every query of clinic records takes the caller's clinic id.

A record of another clinic is simply not found: `get` returns None, lists never include it.
Repositories add and flush; they never commit (the services do, through the unit of work).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, case, false, func, select
from sqlalchemy.orm import Session

from needlesafe.store import models as m

Row = TypeVar("Row", bound=m.Base)
MAX_ID = 2_147_483_647  # ids are 32-bit integers on every database


class Page(Generic[Row]):
    def __init__(self, items: Sequence[Row], total: int) -> None:
        self.items = list(items)
        self.total = total


class _Scoped(Generic[Row]):
    model: type[Row]

    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, row: Row) -> Row:
        self.session.add(row)
        self.session.flush()
        return row

    def get(self, clinic_id: int, record_id: int) -> Row | None:
        if not 1 <= record_id <= MAX_ID:
            return None  # no such row; and the database would refuse the number
        query = select(self.model).where(
            self.model.id == record_id,  # type: ignore[attr-defined]
            self.model.clinic_id == clinic_id,  # type: ignore[attr-defined]
        )
        return self.session.scalars(query).first()

    def _page(self, query: Select[Any], *order: Any, offset: int, limit: int) -> Page[Row]:
        total = self.session.scalar(select(func.count()).select_from(query.subquery())) or 0
        items = self.session.scalars(query.order_by(*order).offset(offset).limit(limit)).all()
        return Page(items, total)

    def _scope(self, clinic_id: int) -> Select[Any]:
        return select(self.model).where(self.model.clinic_id == clinic_id)  # type: ignore[attr-defined]


def _id_filter(column: Any, value: int | None) -> Any:
    """`column == value`, or a false condition for an id no row can have."""
    if value is None:
        return None
    return column == value if 1 <= value <= MAX_ID else false()


class ClinicRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, clinic: m.Clinic) -> m.Clinic:
        self.session.add(clinic)
        self.session.flush()
        return clinic

    def by_name(self, name: str) -> m.Clinic | None:
        return self.session.scalars(select(m.Clinic).where(m.Clinic.name == name)).first()

    def by_id(self, clinic_id: int) -> m.Clinic | None:
        return self.session.get(m.Clinic, clinic_id)

    def count(self) -> int:
        return self.session.scalar(select(func.count()).select_from(m.Clinic)) or 0


class UserRepository(_Scoped[m.User]):
    model = m.User

    def by_email(self, email: str) -> m.User | None:
        query = select(m.User).where(m.User.email == email.strip().lower())
        return self.session.scalars(query).first()

    def by_id(self, user_id: int) -> m.User | None:
        return self.session.get(m.User, user_id)

    def list(self, clinic_id: int, *, offset: int, limit: int) -> Page[m.User]:
        return self._page(self._scope(clinic_id), m.User.id, offset=offset, limit=limit)


class TokenRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, token: m.AuthToken) -> m.AuthToken:
        self.session.add(token)
        self.session.flush()
        return token

    def by_hash(self, token_hash: str) -> m.AuthToken | None:
        query = select(m.AuthToken).where(m.AuthToken.token_hash == token_hash)
        return self.session.scalars(query).first()


class PatientRepository(_Scoped[m.Patient]):
    model = m.Patient

    def list(
        self, clinic_id: int, *, offset: int, limit: int, search: str | None = None
    ) -> Page[m.Patient]:
        query = self._scope(clinic_id)
        if search:
            like = "%" + search.lower().replace("%", r"\%").replace("_", r"\_") + "%"
            query = query.where(
                func.lower(m.Patient.name).like(like, escape="\\")
                | func.lower(func.coalesce(m.Patient.chart_number, "")).like(like, escape="\\")
            )
        return self._page(query, m.Patient.name, m.Patient.id, offset=offset, limit=limit)


class IntakeRepository(_Scoped[m.Intake]):
    model = m.Intake

    def list(
        self, clinic_id: int, *, offset: int, limit: int, patient_id: int | None = None
    ) -> Page[m.Intake]:
        query = self._scope(clinic_id)
        if patient_id is not None:
            query = query.where(_id_filter(m.Intake.patient_id, patient_id))
        return self._page(
            query, m.Intake.created_at.desc(), m.Intake.id.desc(), offset=offset, limit=limit
        )


class TreatmentRepository(_Scoped[m.Treatment]):
    model = m.Treatment

    def list(
        self, clinic_id: int, *, offset: int, limit: int, patient_id: int | None = None
    ) -> Page[m.Treatment]:
        query = self._scope(clinic_id)
        if patient_id is not None:
            query = query.where(_id_filter(m.Treatment.patient_id, patient_id))
        return self._page(
            query,
            m.Treatment.performed_on.desc(),
            m.Treatment.id.desc(),
            offset=offset,
            limit=limit,
        )


class CheckInRepository(_Scoped[m.CheckIn]):
    model = m.CheckIn

    def list(
        self,
        clinic_id: int,
        *,
        offset: int,
        limit: int,
        disposition: Sequence[str] = (),
        needs_attention: bool | None = None,
        patient_id: int | None = None,
        treatment_id: int | None = None,
    ) -> Page[m.CheckIn]:
        """Those needing attention first (most urgent first), then newest first."""
        attention = (m.CheckIn.handled.is_(False)) & (m.CheckIn.urgency > 0)
        query = self._scope(clinic_id)
        if disposition:
            query = query.where(m.CheckIn.disposition.in_(list(disposition)))
        if needs_attention is True:
            query = query.where(attention)
        elif needs_attention is False:
            query = query.where(~attention)
        if patient_id is not None:
            query = query.where(_id_filter(m.CheckIn.patient_id, patient_id))
        if treatment_id is not None:
            query = query.where(_id_filter(m.CheckIn.treatment_id, treatment_id))
        # Two queries, each in the order of an index (migration 0009), so a page never sorts
        # every check-in the clinic ever had: those needing attention (few) by urgency and
        # time, then the rest by time.
        urgent = query.where(attention).order_by(
            m.CheckIn.urgency.desc(), m.CheckIn.created_at.desc(), m.CheckIn.id.desc()
        )
        rest = query.where(~attention).order_by(m.CheckIn.created_at.desc(), m.CheckIn.id.desc())
        total = self.session.scalar(select(func.count()).select_from(query.subquery())) or 0
        n_urgent = 0
        if needs_attention is not False:
            n_urgent = (
                self.session.scalar(select(func.count()).select_from(urgent.subquery())) or 0
            )
        items: list[m.CheckIn] = []
        if offset < n_urgent:
            items += self.session.scalars(urgent.offset(offset).limit(limit)).all()
        if len(items) < limit and needs_attention is not True:
            start = max(0, offset - n_urgent)
            items += self.session.scalars(rest.offset(start).limit(limit - len(items))).all()
        return Page(items, total)


class AdverseEventRepository(_Scoped[m.AdverseEvent]):
    model = m.AdverseEvent

    def list(
        self,
        clinic_id: int,
        *,
        offset: int,
        limit: int,
        patient_id: int | None = None,
        treatment_id: int | None = None,
        complication: str | None = None,
        status: str | None = None,
    ) -> Page[m.AdverseEvent]:
        query = self._scope(clinic_id)
        if patient_id is not None:
            query = query.where(_id_filter(m.AdverseEvent.patient_id, patient_id))
        if treatment_id is not None:
            query = query.where(_id_filter(m.AdverseEvent.treatment_id, treatment_id))
        if complication is not None:
            query = query.where(m.AdverseEvent.complication == complication)
        if status is not None:
            query = query.where(m.AdverseEvent.status == status)
        if status == "open":  # the next follow-up first; those without a date last
            return self._page(
                query,
                case((m.AdverseEvent.follow_up_on.is_(None), 1), else_=0),
                m.AdverseEvent.follow_up_on,
                m.AdverseEvent.onset_date,
                m.AdverseEvent.id,
                offset=offset,
                limit=limit,
            )
        return self._page(
            query,
            m.AdverseEvent.onset_date.desc(),
            m.AdverseEvent.id.desc(),
            offset=offset,
            limit=limit,
        )

    def history(self, clinic_id: int, event_id: int) -> Sequence[m.AdverseEventChange]:
        query = (
            select(m.AdverseEventChange)
            .where(
                m.AdverseEventChange.clinic_id == clinic_id,
                m.AdverseEventChange.event_id == event_id,
            )
            .order_by(m.AdverseEventChange.at, m.AdverseEventChange.id)
        )
        return self.session.scalars(query).all()


class LotRepository:
    """Which treatments used a lot: as needle cartridge, numbing cream or product."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def treatments(self, clinic_id: int, lot: str, *, limit: int) -> list[tuple[m.Treatment, str]]:
        """(treatment, how the lot was used), newest treatment first; exact, case-sensitive."""
        topical = (
            select(m.TreatmentTopical.treatment_id)
            .where(m.TreatmentTopical.clinic_id == clinic_id, m.TreatmentTopical.lot == lot)
            .scalar_subquery()
        )
        query = (
            select(m.Treatment)
            .where(
                m.Treatment.clinic_id == clinic_id,
                (m.Treatment.needle_cartridge_lot == lot)
                | (m.Treatment.numbing_agent_lot == lot)
                | m.Treatment.id.in_(topical),
            )
            .order_by(m.Treatment.performed_on.desc(), m.Treatment.id.desc())
            .limit(limit)
        )
        found: list[tuple[m.Treatment, str]] = []
        for row in self.session.scalars(query).all():
            uses = []
            if row.needle_cartridge_lot == lot:
                uses.append("needle_cartridge")
            if row.numbing_agent_lot == lot:
                uses.append("numbing_agent")
            uses += [f"topical:{t.code}" for t in row.topicals if t.lot == lot]
            found.append((row, ",".join(uses)))
        return found


def utcnow() -> dt.datetime:
    return m.utcnow()
