"""Check-ins: a patient (through their link) or the clinic reports how healing goes; the
triage engine answers at once; the clinic's inbox lists those that need attention first."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import select

from needlesafe.engine.inputs import parse_checkin
from needlesafe.engine.models import CheckIn, PatientContext, Triage
from needlesafe.errors import InputError, InputProblem
from needlesafe.knowledge.base import Knowledge
from needlesafe.services import alerts
from needlesafe.services.clinics import contact_for
from needlesafe.services.common import audit, page_bounds, paging, public_page
from needlesafe.services.context import Actor, LinkAccess
from needlesafe.services.errors import NotFound
from needlesafe.services.resilience import stored_or_logged
from needlesafe.services.schemas import (
    CheckInPublic,
    Page,
    PatientCheckinView,
)
from needlesafe.store import models as m
from needlesafe.store.uow import UnitOfWork

DISPOSITIONS = tuple(m.DISPOSITION_RANK)


def _days_since(performed_on: dt.date, now: dt.datetime) -> float:
    return max(0.0, float((now.date() - performed_on).days))


def _with_context(
    data: Any, treatment: m.Treatment, screening: dict[str, Any] | None, now: dt.datetime
) -> Any:
    """Fill what the clinic already knows: days since the treatment, and the patient's
    screening (`screening`: its stored input; conditions, medications, ...) as triage context,
    unless the caller gave them."""
    if not isinstance(data, dict):
        return data
    data = dict(data)
    data.setdefault("days_since_treatment", _days_since(treatment.performed_on, now))
    if "patient" not in data and screening is not None:
        data["patient"] = screening.get("patient")
    return data


def _run_triage(checkin: CheckIn, knowledge: Knowledge) -> Triage:
    from needlesafe.engine.triage import triage  # the engine; imported when first needed

    return triage(checkin, knowledge)


def _store(
    uow: UnitOfWork,
    *,
    treatment: m.Treatment,
    checkin: CheckIn,
    result: Triage,
    source: str,
) -> m.CheckIn:
    return uow.checkins.add(
        m.CheckIn(
            clinic_id=treatment.clinic_id,
            patient_id=treatment.patient_id,
            treatment_id=treatment.id,
            source=source,
            input=checkin.model_dump(mode="json", exclude_none=True),
            triage=result.model_dump(mode="json"),
            disposition=result.disposition,
            urgency=m.DISPOSITION_RANK[result.disposition],
            knowledge_version=result.knowledge_version,
        )
    )


def _parse(
    data: Any, treatment: m.Treatment, screening: dict[str, Any] | None, knowledge: Knowledge
) -> CheckIn:
    data = _with_context(data, treatment, screening, dt.datetime.now(dt.UTC))
    checkin = parse_checkin(data, knowledge)
    if checkin.patient is None:
        checkin = checkin.model_copy(update={"patient": PatientContext()})
    return checkin


# ---------------------------------------------------------------- the patient's side


def _treatment_and_screening(
    uow: UnitOfWork, clinic_id: int, treatment_id: int
) -> tuple[m.Treatment, dict[str, Any] | None]:
    """The treatment (without its areas and topicals, which a check-in does not need) and the
    input of the screening it follows, in one statement."""
    found = uow.treatments.get_with_screening(clinic_id, treatment_id)
    if found is None:
        raise NotFound("no such treatment")
    return found


def _linked_treatment(uow: UnitOfWork, access: LinkAccess) -> m.Treatment:
    return _treatment_and_screening(uow, access.clinic_id, access.treatment_id)[0]


def view_for_patient(uow: UnitOfWork, *, access: LinkAccess) -> PatientCheckinView:
    with uow:
        treatment = _linked_treatment(uow, access)
        contact = contact_for(uow, treatment.clinic_id)
        with stored_or_logged(uow, "audit of a patient's page view"):  # shown all the same
            audit(uow, access, "read", "treatment", treatment.id)
            uow.commit()
        return PatientCheckinView(
            clinic_name=contact.name,
            clinic_phone=contact.phone,
            emergency_number=contact.emergency_number,
            performed_on=treatment.performed_on,
            days_since_treatment=_days_since(treatment.performed_on, dt.datetime.now(dt.UTC)),
            time_zone=contact.time_zone,
            temperature_unit=contact.temperature_unit,
        )


def take_patient_checkin(
    uow: UnitOfWork, *, access: LinkAccess, knowledge: Knowledge, data: Any
) -> tuple[int | None, Triage]:
    """Triage the patient's check-in and keep it; committed before the answer is returned.
    When it cannot be stored the answer is returned all the same, with no id (None): the
    patient must be told it was not saved."""
    with uow:
        treatment, screening = _treatment_and_screening(uow, access.clinic_id, access.treatment_id)
        checkin = _parse(data, treatment, screening, knowledge)
        result = _run_triage(checkin, knowledge)
        with stored_or_logged(uow, "a patient's check-in") as stored:  # the answer stands
            row = _store(
                uow, treatment=treatment, checkin=checkin, result=result, source="patient_link"
            )
            # urgent or emergency: the clinic is told (a check-in stored just now has no alert)
            alerts.alert_clinic(uow, checkin=row, new=True)
            # last before the commit: the audit row locks the clinic's chain head until then
            audit(uow, access, "create", "checkin", row.id)
            uow.commit()
        return (row.id if stored.saved else None), result


def correct_patient_checkin(
    uow: UnitOfWork,
    *,
    access: LinkAccess,
    knowledge: Knowledge,
    checkin_id: int,
    symptoms: Sequence[str],
) -> Triage:
    """The patient saw what was read from their words and ticked what it missed. The ticks
    join the check-in's own symptoms and it is triaged again; adding symptoms can only raise
    the answer (the engine is monotonic), so nothing the first answer flagged is lost. The
    check-in keeps what the patient first sent and, beside it, what they added and when."""
    with uow:
        treatment = _linked_treatment(uow, access)
        row = uow.checkins.get(access.clinic_id, checkin_id)
        if row is None or row.treatment_id != treatment.id:
            raise NotFound("no such check-in")
        sent = {k: v for k, v in row.input.items() if k != "correction"}
        known = set(knowledge.codes["symptoms"])
        bad = [s for s in symptoms if s not in known]
        if bad:
            raise InputError([InputProblem("symptoms", f"unknown symptom `{bad[0]}`")])
        before = row.input.get("correction", {})
        read = set(row.triage.get("symptoms", []))  # what the last answer already counted
        added = list(
            dict.fromkeys([*before.get("added", []), *(s for s in symptoms if s not in read)])
        )
        data = {**sent, "symptoms": [*sent.get("symptoms", []), *added]}
        checkin = parse_checkin(data, knowledge)
        result = _run_triage(checkin, knowledge)
        row.input = {
            **sent,
            "correction": {
                "added": added,
                "at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                "before": before.get("before", row.disposition),
            },
        }
        row.triage = result.model_dump(mode="json")
        row.disposition = result.disposition
        row.urgency = m.DISPOSITION_RANK[result.disposition]
        row.knowledge_version = result.knowledge_version
        audit(uow, access, "update", "checkin", row.id)
        alerts.alert_clinic(uow, checkin=row)  # raised to urgent or emergency: the clinic too
        uow.commit()
        return result


# ---------------------------------------------------------------- the clinic's side


def record_checkin(
    uow: UnitOfWork, *, actor: Actor, knowledge: Knowledge, treatment_id: int, data: Any
) -> CheckInPublic:
    """Staff record a check-in for a patient (e.g. taken on the phone)."""
    with uow:
        treatment, screening = _treatment_and_screening(uow, actor.clinic_id, treatment_id)
        checkin = _parse(data, treatment, screening, knowledge)
        result = _run_triage(checkin, knowledge)
        row = _store(uow, treatment=treatment, checkin=checkin, result=result, source="staff")
        audit(uow, actor, "create", "checkin", row.id)
        uow.commit()
        return CheckInPublic.model_validate(row)


def get_checkin(uow: UnitOfWork, *, actor: Actor, checkin_id: int) -> CheckInPublic:
    with uow:
        row = uow.checkins.get(actor.clinic_id, checkin_id)
        if row is None:
            raise NotFound("no such check-in")
        audit(uow, actor, "read", "checkin", row.id)
        uow.commit()
        return CheckInPublic.model_validate(row)


def list_checkins(
    uow: UnitOfWork,
    *,
    actor: Actor,
    disposition: Sequence[str] = (),
    needs_attention: bool | None = None,
    patient_id: int | None = None,
    treatment_id: int | None = None,
    offset: int = 0,
    limit: int = 50,
    cursor: str | None = None,
) -> Page[CheckInPublic]:
    """The inbox: those needing attention first (emergency, urgent, contact clinic), then
    newest first; after `cursor` (a page's `next_cursor`) when given."""
    offset, limit = page_bounds(offset, limit)
    bad = [
        InputProblem(f"disposition[{i}]", f"should be one of {', '.join(DISPOSITIONS)}")
        for i, d in enumerate(disposition)
        if d not in DISPOSITIONS
    ]
    if bad:
        raise InputError(bad)
    with uow:
        result = checkin_page(
            uow,
            actor=actor,
            disposition=disposition,
            needs_attention=needs_attention,
            patient_id=patient_id,
            treatment_id=treatment_id,
            offset=offset,
            limit=limit,
            cursor=cursor,
        )
        uow.commit()
        return result


def checkin_page(
    uow: UnitOfWork,
    *,
    actor: Actor,
    disposition: Sequence[str] = (),
    needs_attention: bool | None = None,
    patient_id: int | None = None,
    treatment_id: int | None = None,
    offset: int = 0,
    limit: int = 50,
    cursor: str | None = None,
) -> Page[CheckInPublic]:
    """`list_checkins` inside an open unit of work (with its audit row; the caller commits)."""
    offset, limit = page_bounds(offset, limit)
    with paging():
        page = uow.checkins.list(
            actor.clinic_id,
            offset=offset,
            limit=limit,
            disposition=disposition,
            needs_attention=needs_attention,
            patient_id=patient_id,
            treatment_id=treatment_id,
            cursor=cursor,
        )
    shown = public_page(page, CheckInPublic, offset=offset, limit=limit)
    # after the rows are validated: the audit row locks the clinic's chain head until the commit
    audit(uow, actor, "list", "checkin", record_ids=[r.id for r in page.items])
    return shown


def patient_names(uow: UnitOfWork, clinic_id: int, patient_ids: Iterable[int]) -> dict[int, str]:
    """The names of the clinic's patients with these ids, in one statement (inside an open
    unit of work): for showing who a check-in is from, not a read of their record."""
    wanted = sorted(set(patient_ids))
    if not wanted:
        return {}
    query = select(m.Patient.id, m.Patient.name).where(
        m.Patient.clinic_id == clinic_id, m.Patient.id.in_(wanted)
    )
    return {pid: name for pid, name in uow.session.execute(query)}


def mark_handled(
    uow: UnitOfWork, *, actor: Actor, checkin_id: int, note: str = ""
) -> CheckInPublic:
    if len(note) > 5000:
        raise InputError([InputProblem("note", "at most 5000 characters")])
    with uow:
        row = uow.checkins.get(actor.clinic_id, checkin_id)
        if row is None:
            raise NotFound("no such check-in")
        row.handled = True
        row.handled_at = dt.datetime.now(dt.UTC)
        row.handled_by = actor.user_id
        row.handled_note = note.strip()
        audit(uow, actor, "update", "checkin", row.id)
        uow.commit()
        return CheckInPublic.model_validate(row)
