"""Adverse events: graded (CTCAE 1-5), coded (ICD-10-CM), tied to a treatment and a lot."""

from __future__ import annotations

from typing import Any

from needlesafe.errors import InputError, InputProblem
from needlesafe.knowledge.base import Knowledge
from needlesafe.services.common import audit, check_code, page_bounds, public_page, validate
from needlesafe.services.context import Actor
from needlesafe.services.errors import NotFound
from needlesafe.services.schemas import AdverseEventCreate, AdverseEventPublic, Page
from needlesafe.store import models as m
from needlesafe.store.uow import UnitOfWork


def record_adverse_event(
    uow: UnitOfWork,
    *,
    actor: Actor,
    knowledge: Knowledge,
    event: AdverseEventCreate | dict[str, Any],
) -> AdverseEventPublic:
    data = validate(AdverseEventCreate, event)
    problem = check_code(data.complication, knowledge.complications, "complication", "complication")
    if problem:
        raise InputError([problem])
    with uow:
        if uow.patients.get(actor.clinic_id, data.patient_id) is None:
            raise NotFound("no such patient")
        if data.treatment_id is not None:
            treatment = uow.treatments.get(actor.clinic_id, data.treatment_id)
            if treatment is None or treatment.patient_id != data.patient_id:
                raise InputError(
                    [InputProblem("treatment_id", "no such treatment for this patient")]
                )
        row = uow.adverse_events.add(
            m.AdverseEvent(
                clinic_id=actor.clinic_id, recorded_by=actor.user_id, **data.model_dump()
            )
        )
        audit(uow, actor, "create", "adverse_event", row.id)
        uow.commit()
        return AdverseEventPublic.model_validate(row)


def get_adverse_event(uow: UnitOfWork, *, actor: Actor, event_id: int) -> AdverseEventPublic:
    with uow:
        row = uow.adverse_events.get(actor.clinic_id, event_id)
        if row is None:
            raise NotFound("no such adverse event")
        audit(uow, actor, "read", "adverse_event", row.id)
        uow.commit()
        return AdverseEventPublic.model_validate(row)


def list_adverse_events(
    uow: UnitOfWork,
    *,
    actor: Actor,
    patient_id: int | None = None,
    treatment_id: int | None = None,
    complication: str | None = None,
    offset: int = 0,
    limit: int = 50,
) -> Page[AdverseEventPublic]:
    offset, limit = page_bounds(offset, limit)
    with uow:
        page = uow.adverse_events.list(
            actor.clinic_id,
            offset=offset,
            limit=limit,
            patient_id=patient_id,
            treatment_id=treatment_id,
            complication=complication,
        )
        audit(uow, actor, "list", "adverse_event")
        uow.commit()
        return public_page(page, AdverseEventPublic, offset=offset, limit=limit)
