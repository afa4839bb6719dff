"""Read models: a page's data read in one unit of work, with one audit row that names the
record viewed (`read patient_timeline 42`, with the ids of any other records shown); counts for
badges are not reads of records and are not audited."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select

from needlesafe.errors import InputError
from needlesafe.knowledge.base import Knowledge
from needlesafe.services import aftercare, checkins, treatments
from needlesafe.services.common import audit
from needlesafe.services.context import Actor
from needlesafe.services.errors import NotFound
from needlesafe.services.schemas import (
    AdverseEventChangePublic,
    AdverseEventPublic,
    CheckinLink,
    CheckInPublic,
    IntakePublic,
    PatientPublic,
    TreatmentCheck,
    TreatmentPublic,
    TreatmentSafety,
)
from needlesafe.store import models as m
from needlesafe.store.uow import UnitOfWork

if TYPE_CHECKING:
    from needlesafe.engine.aftercare import AftercarePlan

TIMELINE_LIMIT = 200  # of each kind of record, newest first


def _inbox_count(uow: UnitOfWork, clinic_id: int) -> int:
    query = select(func.count()).where(
        m.CheckIn.clinic_id == clinic_id, m.CheckIn.handled.is_(False), m.CheckIn.urgency > 0
    )
    return int(uow.session.scalar(query) or 0)


def inbox_badge(uow: UnitOfWork, *, actor: Actor) -> int:
    """How many check-ins need attention (the inbox badge): a count, no audit row."""
    with uow:
        return _inbox_count(uow, actor.clinic_id)


@dataclass(frozen=True)
class PatientTimeline:
    """Everything the patient's page shows, read at one moment."""

    patient: PatientPublic
    intakes: tuple[IntakePublic, ...]  # newest first
    treatments: tuple[TreatmentPublic, ...]
    checkins: tuple[CheckInPublic, ...]
    adverse_events: tuple[AdverseEventPublic, ...]
    changes: dict[int, tuple[AdverseEventChangePublic, ...]] = field(default_factory=dict)
    duplicates: tuple[PatientPublic, ...] = ()  # same name and date of birth
    inbox_count: int = 0

    @property
    def latest(self) -> IntakePublic | None:
        return self.intakes[0] if self.intakes else None


def _same_person(uow: UnitOfWork, row: m.Patient) -> list[m.Patient]:
    if row.date_of_birth is None:
        return []
    query = (
        select(m.Patient)
        .where(
            m.Patient.clinic_id == row.clinic_id,
            m.Patient.date_of_birth == row.date_of_birth,
            func.lower(m.Patient.name) == " ".join(row.name.split()).lower(),
            m.Patient.id != row.id,
        )
        .order_by(m.Patient.id)
        .limit(10)
    )
    return list(uow.session.scalars(query))


def patient_timeline(uow: UnitOfWork, *, actor: Actor, patient_id: int) -> PatientTimeline:
    """The patient's record and everything that happened to them, in one transaction, audited
    as one read of the patient's timeline (naming the likely duplicates shown with it)."""
    with uow:
        row = uow.patients.get(actor.clinic_id, patient_id)
        if row is None:
            raise NotFound("no such patient")
        clinic, pid = actor.clinic_id, row.id

        def newest(model: type[m.Base], *order: Any) -> list[Any]:
            query = (
                select(model)
                .where(model.clinic_id == clinic, model.patient_id == pid)  # type: ignore[attr-defined]  # every record model has these
                .order_by(*order)
                .limit(TIMELINE_LIMIT)
            )
            return list(uow.session.scalars(query))

        intakes = newest(m.Intake, m.Intake.created_at.desc(), m.Intake.id.desc())
        treatments = newest(m.Treatment, m.Treatment.performed_on.desc(), m.Treatment.id.desc())
        checkins = newest(m.CheckIn, m.CheckIn.created_at.desc(), m.CheckIn.id.desc())
        events = newest(m.AdverseEvent, m.AdverseEvent.onset_date.desc(), m.AdverseEvent.id.desc())
        changes: dict[int, list[AdverseEventChangePublic]] = defaultdict(list)
        event_ids = [e.id for e in events]
        if event_ids:
            query = (
                select(m.AdverseEventChange)
                .where(
                    m.AdverseEventChange.clinic_id == clinic,
                    m.AdverseEventChange.event_id.in_(event_ids),
                )
                .order_by(m.AdverseEventChange.at, m.AdverseEventChange.id)
            )
            for change in uow.session.scalars(query):
                changes[change.event_id].append(AdverseEventChangePublic.model_validate(change))
        same = _same_person(uow, row)
        view = PatientTimeline(
            patient=PatientPublic.model_validate(row),
            intakes=tuple(IntakePublic.model_validate(r) for r in intakes),
            treatments=tuple(TreatmentPublic.model_validate(r) for r in treatments),
            checkins=tuple(CheckInPublic.model_validate(r) for r in checkins),
            adverse_events=tuple(AdverseEventPublic.model_validate(r) for r in events),
            changes={event: tuple(items) for event, items in changes.items()},
            duplicates=tuple(PatientPublic.model_validate(r) for r in same),
            inbox_count=_inbox_count(uow, clinic),
        )
        audit(uow, actor, "read", "patient_timeline", pid, record_ids=[r.id for r in same] or None)
        uow.commit()
        return view


@dataclass(frozen=True)
class ScreeningView:
    """A screening's page: the patient and the intake with its assessment."""

    patient: PatientPublic
    intake: IntakePublic
    inbox_count: int = 0


def screening(uow: UnitOfWork, *, actor: Actor, patient_id: int, intake_id: int) -> ScreeningView:
    """One read of a patient's screening, audited as `read intake <id>`."""
    with uow:
        patient = uow.patients.get(actor.clinic_id, patient_id)
        if patient is None:
            raise NotFound("no such patient")
        intake = uow.intakes.get(actor.clinic_id, intake_id)
        if intake is None or intake.patient_id != patient.id:
            raise NotFound("no such screening for this patient")
        view = ScreeningView(
            patient=PatientPublic.model_validate(patient),
            intake=IntakePublic.model_validate(intake),
            inbox_count=_inbox_count(uow, actor.clinic_id),
        )
        audit(uow, actor, "read", "intake", intake.id)
        uow.commit()
        return view


@dataclass(frozen=True)
class TreatmentView:
    """A treatment's page: the treatment and its patient, its screening and consent, the
    patient's check-in link and the aftercare plan."""

    patient: PatientPublic
    treatment: TreatmentPublic
    safety: TreatmentSafety
    link: CheckinLink | None  # None: staff stopped the link (it stays stopped until renewed)
    plan: AftercarePlan | None
    plan_problem: str | None = None  # why there is no plan (the treatment has no screening)
    inbox_count: int = 0


def treatment_view(
    uow: UnitOfWork,
    *,
    actor: Actor,
    knowledge: Knowledge,
    patient_id: int,
    treatment_id: int,
    secret_key: str,
    base_url: str,
    link_max_age: dt.timedelta,
) -> TreatmentView:
    """One read of a patient's treatment, audited as `read treatment_page <treatment id>` with
    the patient's id in `record_ids` (the page shows the patient, the treatment's screening,
    consent and check-in link, all the treatment's). The first view makes the patient's link,
    audited as its own create (`treatments.checkin_link_of`)."""
    with uow:
        patient = uow.patients.get(actor.clinic_id, patient_id)
        if patient is None:
            raise NotFound("no such patient")
        row = uow.treatments.get(actor.clinic_id, treatment_id)
        if row is None:
            raise NotFound("no such treatment")
        if row.patient_id != patient.id:
            raise NotFound("no such treatment for this patient")
        link, _ = treatments.checkin_link_of(
            uow,
            actor,
            row,
            secret_key=secret_key,
            base_url=base_url,
            max_age=link_max_age,
            only_if_active=True,
        )
        plan, plan_problem = None, None
        try:
            plan = aftercare.plan_of(uow, row, knowledge)
        except InputError as error:
            plan_problem = error.problems[0].message
        view = TreatmentView(
            patient=PatientPublic.model_validate(patient),
            treatment=TreatmentPublic.model_validate(row),
            safety=treatments.safety_of(uow, actor, row),
            link=link,
            plan=plan,
            plan_problem=plan_problem,
            inbox_count=_inbox_count(uow, actor.clinic_id),
        )
        audit(uow, actor, "read", "treatment_page", row.id, record_ids=[patient.id])
        uow.commit()
        return view


@dataclass(frozen=True)
class TreatmentFormView:
    """The new-treatment form: the patient, the screening it starts from, and the gate's
    answer for the treatment pre-filled from that screening."""

    patient: PatientPublic
    intake: IntakePublic | None
    check: TreatmentCheck | None  # None while the pre-filled treatment cannot be checked
    inbox_count: int


def treatment_form_view(
    uow: UnitOfWork,
    *,
    actor: Actor,
    knowledge: Knowledge,
    patient_id: int,
    intake_id: int | None,
    prefilled: Callable[[IntakePublic | None], dict[str, Any] | None],
    screening_max_age_days: int,
) -> TreatmentFormView:
    """One read for the new-treatment form, audited as `read treatment_form <patient id>` with
    the screening's id in `record_ids`: the screening named (else the patient's latest), and the
    gate's answer for `prefilled(screening)`, the treatment the form starts with (None: no
    check)."""
    with uow:
        patient = uow.patients.get(actor.clinic_id, patient_id)
        if patient is None:
            raise NotFound("no such patient")
        if intake_id is not None:
            row = uow.intakes.get(actor.clinic_id, intake_id)
            if row is None or row.patient_id != patient.id:
                raise NotFound("no such screening for this patient")
        else:
            latest = uow.intakes.list(actor.clinic_id, offset=0, limit=1, patient_id=patient.id)
            row = latest.items[0] if latest.items else None
        intake = IntakePublic.model_validate(row) if row is not None else None
        treatment = prefilled(intake)
        check = (
            None
            if treatment is None
            else treatments.gate_of(
                uow, actor, knowledge, patient.id, treatment, screening_max_age_days
            )
        )
        view = TreatmentFormView(
            patient=PatientPublic.model_validate(patient),
            intake=intake,
            check=check,
            inbox_count=_inbox_count(uow, actor.clinic_id),
        )
        record_ids = [row.id] if row is not None else None
        audit(uow, actor, "read", "treatment_form", patient.id, record_ids=record_ids)
        uow.commit()
        return view


@dataclass(frozen=True)
class InboxView:
    """The inbox page: a page of check-ins and the names of the patients they are from."""

    checkins: tuple[CheckInPublic, ...]
    names: dict[int, str]


def inbox(uow: UnitOfWork, *, actor: Actor, needs_attention: bool | None, limit: int) -> InboxView:
    """The inbox page's check-ins (those needing attention first) and their patients' names,
    read in one unit of work: the names in one statement, one audit row naming the check-ins
    listed (each check-in names its patient)."""
    with uow:
        page = checkins.checkin_page(uow, actor=actor, needs_attention=needs_attention, limit=limit)
        names = checkins.patient_names(uow, actor.clinic_id, (c.patient_id for c in page.items))
        uow.commit()
        return InboxView(checkins=tuple(page.items), names=names)


def names_of(uow: UnitOfWork, *, actor: Actor, patient_ids: Iterable[int]) -> dict[int, str]:
    """Patients' names for a check-in card (one statement; the card's check-in is what was
    read or changed, and that is audited by the call that read or changed it)."""
    with uow:
        return checkins.patient_names(uow, actor.clinic_id, patient_ids)
