"""Repositories: every query of clinic records takes the caller's clinic id.

A record of another clinic is simply not found: `get` returns None, lists never include it.
Repositories add and flush; they never commit (the services do, through the unit of work).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, bindparam, false, func, select, tuple_
from sqlalchemy.orm import Session, lazyload

from needlesafe.store import models as m
from needlesafe.store.cursors import Shape

# a clinic's table: every model _Scoped is used with has `id` and `clinic_id` columns, which
# m.Base does not declare (hence the attr-defined ignores in _Scoped)
Row = TypeVar("Row", bound=m.Base)
MAX_ID = 2_147_483_647  # ids are 32-bit integers on every database


class Page(Generic[Row]):
    def __init__(self, items: Sequence[Row], total: int, next_cursor: str | None = None) -> None:
        self.items = list(items)
        self.total = total
        self.next_cursor = next_cursor  # the place after the last item, if more may follow


class CursorMismatch(ValueError):
    """A cursor that is not a place in this list's order (the caller says which field)."""


@dataclass(frozen=True)
class Order:
    """A list's order: its sort keys (all one direction, in the order of an index) and the
    cursor shape that names a place in it."""

    shape: Shape
    columns: tuple[Any, ...]
    descending: bool
    keys: Callable[[Any], tuple[Any, ...]]

    def by(self) -> list[Any]:
        return [c.desc() if self.descending else c for c in self.columns]

    def after(self, keys: tuple[Any, ...]) -> Any:
        """Rows after the place `keys` (a row-value comparison: one index range scan)."""
        here = tuple_(*self.columns)
        there = tuple_(
            *(bindparam(None, k, type_=c.type) for c, k in zip(self.columns, keys, strict=True))
        )
        return here < there if self.descending else here > there

    def cursor(self, row: Any) -> str:
        return self.shape.encode(self.keys(row))


def keyset_page(
    session: Session,
    query: Select[Any],
    order: Order,
    *,
    offset: int,
    limit: int,
    cursor: str | None = None,
    total: int | None = None,
) -> Page[Any]:
    """A page in `order`: after `cursor` if given (then `offset` counts from there)."""
    if total is None:
        total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    if cursor is not None:
        keys = order.shape.decode(cursor)
        if keys is None:
            raise CursorMismatch(cursor)
        query = query.where(order.after(keys))
    rows = session.scalars(query.order_by(*order.by()).offset(offset).limit(limit + 1)).all()
    more = len(rows) > limit
    items = list(rows[:limit])
    return Page(items, total, order.cursor(items[-1]) if more and items else None)


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
            self.model.id == record_id,  # type: ignore[attr-defined]  # m.Base has no id (see Row)
            self.model.clinic_id == clinic_id,  # type: ignore[attr-defined]  # m.Base has no clinic_id (see Row)
        )
        return self.session.scalars(query).first()

    def _page(
        self, query: Select[Any], order: Order, *, offset: int, limit: int, cursor: str | None
    ) -> Page[Row]:
        return keyset_page(self.session, query, order, offset=offset, limit=limit, cursor=cursor)

    def _scope(self, clinic_id: int) -> Select[Any]:
        return select(self.model).where(self.model.clinic_id == clinic_id)  # type: ignore[attr-defined]  # m.Base has no clinic_id (see Row)


def _id_filter(column: Any, value: int | None) -> Any:
    """`column == value`, or a false condition for an id no row can have."""
    if value is None:
        return None
    return column == value if 1 <= value <= MAX_ID else false()


AUDIT_ORDER = Order(Shape("l", "i"), (m.AuditEvent.id,), True, lambda r: (r.id,))


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

    ORDER = Order(Shape("u", "i"), (m.User.id,), False, lambda r: (r.id,))

    def list(
        self, clinic_id: int, *, offset: int, limit: int, cursor: str | None = None
    ) -> Page[m.User]:
        return self._page(
            self._scope(clinic_id), self.ORDER, offset=offset, limit=limit, cursor=cursor
        )


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

    def holder(self, token_hash: str) -> Any:
        """What checking a token needs, in one statement: the token's kind, expiry and
        revocation, its user (id, clinic, role, active) and the clinic's time zone; None when
        no token has this hash (nor a user)."""
        return self.session.execute(_TOKEN_HOLDER, {"token_hash": token_hash}).first()


# built once: every request with a bearer token runs it
_TOKEN_HOLDER = (
    select(
        m.AuthToken.kind,
        m.AuthToken.expires_at,
        m.AuthToken.revoked_at,
        m.User.id.label("user_id"),
        m.User.clinic_id,
        m.User.role,
        m.User.active,
        m.Clinic.time_zone,
    )
    .join(m.User, m.User.id == m.AuthToken.user_id)
    .outerjoin(m.Clinic, m.Clinic.id == m.User.clinic_id)
    .where(m.AuthToken.token_hash == bindparam("token_hash"))
)


class PatientRepository(_Scoped[m.Patient]):
    model = m.Patient

    ORDER = Order(Shape("p", "si"), (m.Patient.name, m.Patient.id), False, lambda r: (r.name, r.id))

    def list(
        self,
        clinic_id: int,
        *,
        offset: int,
        limit: int,
        search: str | None = None,
        cursor: str | None = None,
    ) -> Page[m.Patient]:
        query = self._scope(clinic_id)
        if search:
            like = "%" + search.lower().replace("%", r"\%").replace("_", r"\_") + "%"
            query = query.where(
                func.lower(m.Patient.name).like(like, escape="\\")
                | func.lower(func.coalesce(m.Patient.chart_number, "")).like(like, escape="\\")
            )
        return self._page(query, self.ORDER, offset=offset, limit=limit, cursor=cursor)


class IntakeRepository(_Scoped[m.Intake]):
    model = m.Intake

    ORDER = Order(
        Shape("i", "ti"), (m.Intake.created_at, m.Intake.id), True, lambda r: (r.created_at, r.id)
    )

    def list(
        self,
        clinic_id: int,
        *,
        offset: int,
        limit: int,
        patient_id: int | None = None,
        cursor: str | None = None,
    ) -> Page[m.Intake]:
        query = self._scope(clinic_id)
        if patient_id is not None:
            query = query.where(_id_filter(m.Intake.patient_id, patient_id))
        return self._page(query, self.ORDER, offset=offset, limit=limit, cursor=cursor)


class TreatmentRepository(_Scoped[m.Treatment]):
    model = m.Treatment

    def get_with_screening(
        self, clinic_id: int, treatment_id: int
    ) -> tuple[m.Treatment, dict[str, Any] | None] | None:
        """The treatment and the stored input of the screening it follows (None without one),
        in one statement; its areas, topicals and override load only if asked for."""
        if not 1 <= treatment_id <= MAX_ID:
            return None
        found = self.session.execute(
            _TREATMENT_WITH_SCREENING, {"treatment_id": treatment_id, "clinic_id": clinic_id}
        ).first()
        return None if found is None else (found[0], found[1])

    ORDER = Order(
        Shape("t", "di"),
        (m.Treatment.performed_on, m.Treatment.id),
        True,
        lambda r: (r.performed_on, r.id),
    )

    def list(
        self,
        clinic_id: int,
        *,
        offset: int,
        limit: int,
        patient_id: int | None = None,
        cursor: str | None = None,
    ) -> Page[m.Treatment]:
        query = self._scope(clinic_id)
        if patient_id is not None:
            query = query.where(_id_filter(m.Treatment.patient_id, patient_id))
        return self._page(query, self.ORDER, offset=offset, limit=limit, cursor=cursor)


# built once: every check-in runs it
_TREATMENT_WITH_SCREENING = (
    select(m.Treatment, m.Intake.input)
    .outerjoin(
        m.Intake,
        (m.Intake.id == m.Treatment.intake_id) & (m.Intake.clinic_id == bindparam("clinic_id")),
    )
    .where(m.Treatment.id == bindparam("treatment_id"))
    .where(m.Treatment.clinic_id == bindparam("clinic_id"))
    .options(lazyload("*"))
)


class CheckInRepository(_Scoped[m.CheckIn]):
    model = m.CheckIn

    # Two orders, each of an index (migration 0009), so a page never sorts every check-in the
    # clinic ever had: those needing attention (few) by urgency and time, then the rest by time.
    ATTENTION = Order(
        Shape("a", "uti"),
        (m.CheckIn.urgency, m.CheckIn.created_at, m.CheckIn.id),
        True,
        lambda r: (r.urgency, r.created_at, r.id),
    )
    REST = Order(
        Shape("r", "ti"),
        (m.CheckIn.created_at, m.CheckIn.id),
        True,
        lambda r: (r.created_at, r.id),
    )

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
        cursor: str | None = None,
    ) -> Page[m.CheckIn]:
        """Those needing attention first (most urgent first), then newest first; after
        `cursor` (a place in either part) when given."""
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
        unfiltered = (
            not disposition
            and needs_attention is None
            and patient_id is None
            and treatment_id is None
        )
        if unfiltered:  # the clinic's counter, kept exact by triggers (migration 0013)
            total = self.session.scalar(_CHECKIN_COUNT, {"clinic_id": clinic_id}) or 0
        else:
            total = self.session.scalar(select(func.count()).select_from(query.subquery())) or 0
        urgent = query.where(attention)
        rest = query.where(~attention)
        in_rest = cursor is not None and cursor.startswith(self.REST.shape.kind + ".")
        if in_rest:
            urgent = urgent.where(false())
        elif cursor is not None:
            keys = self.ATTENTION.shape.decode(cursor)
            if keys is None:
                raise CursorMismatch(cursor)
            urgent = urgent.where(self.ATTENTION.after(keys))
        if in_rest:
            assert cursor is not None
            keys = self.REST.shape.decode(cursor)
            if keys is None:
                raise CursorMismatch(cursor)
            rest = rest.where(self.REST.after(keys))
        items: list[m.CheckIn] = []
        if needs_attention is not False and not in_rest:
            items += self.session.scalars(
                urgent.order_by(*self.ATTENTION.by()).offset(offset).limit(limit + 1)
            ).all()
        if len(items) <= limit and needs_attention is not True:
            start = offset
            if items:
                start = 0  # the offset fell among those needing attention
            elif offset and needs_attention is not False and not in_rest:
                start -= (
                    self.session.scalar(select(func.count()).select_from(urgent.subquery())) or 0
                )
            items += self.session.scalars(
                rest.order_by(*self.REST.by()).offset(max(0, start)).limit(limit + 1 - len(items))
            ).all()
        more = len(items) > limit
        items = items[:limit]
        next_cursor = None
        if more and items:
            last = items[-1]
            needs = not last.handled and last.urgency > 0
            next_cursor = (self.ATTENTION if needs else self.REST).cursor(last)
        return Page(items, total, next_cursor)


# built once: every unfiltered inbox page reads it. On PostgreSQL the counter moves when a
# transaction commits (deferred triggers), so it counts committed check-ins only: a transaction
# that wrote check-ins and then lists them sees its own rows but not yet in this total.
_CHECKIN_COUNT = select(m.CheckInCount.n).where(m.CheckInCount.clinic_id == bindparam("clinic_id"))


class AdverseEventRepository(_Scoped[m.AdverseEvent]):
    model = m.AdverseEvent

    ORDER = Order(
        Shape("e", "di"),
        (m.AdverseEvent.onset_date, m.AdverseEvent.id),
        True,
        lambda r: (r.onset_date, r.id),
    )
    # open events: the next follow-up first; those without a date last
    NO_DATE = dt.date.max
    OPEN = Order(
        Shape("o", "ddi"),
        (
            func.coalesce(m.AdverseEvent.follow_up_on, bindparam("no_date", NO_DATE)),
            m.AdverseEvent.onset_date,
            m.AdverseEvent.id,
        ),
        False,
        lambda r: (r.follow_up_on or dt.date.max, r.onset_date, r.id),
    )

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
        cursor: str | None = None,
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
        order = self.OPEN if status == "open" else self.ORDER
        if cursor is not None:
            cursor = self._in_order(order, cursor)
        return self._page(query, order, offset=offset, limit=limit, cursor=cursor)

    def _in_order(self, order: Order, cursor: str) -> str:
        """A cursor of the other order (the status filter changed between pages) names the
        same event: its place in this order."""
        if order is self.OPEN and (keys := self.ORDER.shape.decode(cursor)) is not None:
            return self.OPEN.shape.encode((self.NO_DATE, *keys))
        if order is self.ORDER and (keys := self.OPEN.shape.decode(cursor)) is not None:
            return self.ORDER.shape.encode(keys[1:])
        return cursor

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


class ConsentRepository:
    """Add and read; there is deliberately no update or delete."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, row: m.SignedConsent) -> m.SignedConsent:
        self.session.add(row)
        self.session.flush()
        return row

    def for_intake(self, clinic_id: int, intake_id: int) -> m.SignedConsent | None:
        query = select(m.SignedConsent).where(
            m.SignedConsent.clinic_id == clinic_id, m.SignedConsent.intake_id == intake_id
        )
        return self.session.scalars(query).first()

    def add_patient_signature(self, row: m.PatientConsentSignature) -> m.PatientConsentSignature:
        self.session.add(row)
        self.session.flush()
        return row

    def patient_signature(self, clinic_id: int, intake_id: int) -> m.PatientConsentSignature | None:
        query = select(m.PatientConsentSignature).where(
            m.PatientConsentSignature.clinic_id == clinic_id,
            m.PatientConsentSignature.intake_id == intake_id,
        )
        return self.session.scalars(query).first()


def utcnow() -> dt.datetime:
    return m.utcnow()
