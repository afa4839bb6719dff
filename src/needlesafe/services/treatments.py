"""Treatments as done (device, lots, areas, depths, products) and their patient links."""

from __future__ import annotations

import datetime as dt
from typing import Any

from needlesafe.errors import InputError, InputProblem
from needlesafe.knowledge.base import Knowledge
from needlesafe.services import links
from needlesafe.services.common import audit, check_code, page_bounds, public_page, validate
from needlesafe.services.context import Actor
from needlesafe.services.errors import NotFound
from needlesafe.services.schemas import CheckinLink, Page, TreatmentCreate, TreatmentPublic
from needlesafe.store import models as m
from needlesafe.store.uow import UnitOfWork


def _check_codes(data: TreatmentCreate, knowledge: Knowledge) -> None:
    codes = knowledge.codes
    found = [
        check_code(data.device, codes["devices"], "device", "device"),
        check_code(data.numbing_agent, codes["numbing_agents"], "numbing_agent", "numbing agent"),
        *(
            check_code(a.area, codes["areas"], f"areas[{i}].area", "area")
            for i, a in enumerate(data.areas)
        ),
        *(
            check_code(t.code, codes["topicals"], f"topicals[{i}].code", "topical")
            for i, t in enumerate(data.topicals)
        ),
    ]
    problems = [p for p in found if p is not None]
    if problems:
        raise InputError(problems)


def record_treatment(
    uow: UnitOfWork,
    *,
    actor: Actor,
    knowledge: Knowledge,
    patient_id: int,
    treatment: TreatmentCreate | dict[str, Any],
) -> TreatmentPublic:
    data = validate(TreatmentCreate, treatment)
    _check_codes(data, knowledge)
    with uow:
        if uow.patients.get(actor.clinic_id, patient_id) is None:
            raise NotFound("no such patient")
        if data.intake_id is not None:
            intake = uow.intakes.get(actor.clinic_id, data.intake_id)
            if intake is None or intake.patient_id != patient_id:
                raise InputError([InputProblem("intake_id", "no such intake for this patient")])
        practitioner_id = data.practitioner_id or actor.user_id
        if data.practitioner_id is not None and (
            uow.users.get(actor.clinic_id, data.practitioner_id) is None
        ):
            raise InputError([InputProblem("practitioner_id", "no such practitioner here")])
        row = m.Treatment(
            clinic_id=actor.clinic_id,
            patient_id=patient_id,
            intake_id=data.intake_id,
            practitioner_id=practitioner_id,
            performed_on=data.performed_on,
            device=data.device,
            device_make=data.device_make,
            device_model=data.device_model,
            needle_cartridge_lot=data.needle_cartridge_lot,
            numbing_agent=data.numbing_agent,
            numbing_agent_lot=data.numbing_agent_lot,
            notes=data.notes,
            areas=[
                m.TreatmentArea(clinic_id=actor.clinic_id, **a.model_dump()) for a in data.areas
            ],
            topicals=[
                m.TreatmentTopical(clinic_id=actor.clinic_id, **t.model_dump())
                for t in data.topicals
            ],
        )
        uow.treatments.add(row)
        audit(uow, actor, "create", "treatment", row.id)
        uow.commit()
        return TreatmentPublic.model_validate(row)


def get_treatment(uow: UnitOfWork, *, actor: Actor, treatment_id: int) -> TreatmentPublic:
    with uow:
        row = uow.treatments.get(actor.clinic_id, treatment_id)
        if row is None:
            raise NotFound("no such treatment")
        audit(uow, actor, "read", "treatment", row.id)
        uow.commit()
        return TreatmentPublic.model_validate(row)


def list_treatments(
    uow: UnitOfWork,
    *,
    actor: Actor,
    patient_id: int | None = None,
    offset: int = 0,
    limit: int = 50,
) -> Page[TreatmentPublic]:
    offset, limit = page_bounds(offset, limit)
    with uow:
        if patient_id is not None and uow.patients.get(actor.clinic_id, patient_id) is None:
            raise NotFound("no such patient")
        page = uow.treatments.list(
            actor.clinic_id, offset=offset, limit=limit, patient_id=patient_id
        )
        audit(uow, actor, "list", "treatment")
        uow.commit()
        return public_page(page, TreatmentPublic, offset=offset, limit=limit)


def issue_checkin_link(
    uow: UnitOfWork,
    *,
    actor: Actor | None,
    treatment_id: int,
    secret_key: str,
    base_url: str,
    max_age: dt.timedelta,
) -> CheckinLink:
    """The patient's signed check-in link; `actor=None` is the operator (command line).

    One link per treatment: signed as issued on the treatment day, it is the same every time it
    is shown (viewing the treatment page changes nothing) and expires `max_age` after the
    treatment. Showing it is a read of the link (it opens the patient's pages), so it is
    audited as one.
    """
    with uow:
        if actor is None:
            row = uow.session.get(m.Treatment, treatment_id)
        else:
            row = uow.treatments.get(actor.clinic_id, treatment_id)
        if row is None:
            raise NotFound("no such treatment")
        token = links.issue_checkin_token(
            secret_key,
            clinic_id=row.clinic_id,
            treatment_id=row.id,
            treatment_date=row.performed_on,
        )
        if actor is None:
            uow.audit.record(
                clinic_id=row.clinic_id,
                user_id=None,
                actor="cli",
                action="read",
                record_type="checkin_link",
                record_id=row.id,
            )
        else:
            audit(uow, actor, "read", "checkin_link", row.id)
        uow.commit()
        return CheckinLink(
            treatment_id=row.id,
            token=token,
            url=links.checkin_url(base_url, token),
            expires_at=links.issued_at(row.performed_on) + max_age,
        )
