"""The clinic's own details: its phone and emergency number, which patients see on their
aftercare plan, check-in pages, warning signs and consent sheet. Admins change them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from needlesafe.errors import InputError, InputProblem
from needlesafe.knowledge.words import clinic_defaults
from needlesafe.services.common import audit, validate
from needlesafe.services.context import Actor
from needlesafe.services.errors import NotFound
from needlesafe.services.schemas import ClinicPublic, ClinicUpdate
from needlesafe.store import models as m
from needlesafe.store.uow import UnitOfWork

# Only for a row written before the clinic kept its own number (migration 0004 fills them in).


@dataclass(frozen=True)
class ClinicContact:
    """What a patient needs to reach help: the clinic's name and numbers."""

    name: str
    phone: str | None
    emergency_number: str
    time_zone: str = "UTC"  # dates and times are shown in it
    temperature_unit: str = "C"  # the unit a check-in asks for first


def contact_of(clinic: m.Clinic | None) -> ClinicContact:
    if clinic is None:
        return ClinicContact(
            name="", phone=None, emergency_number=clinic_defaults().emergency_number
        )
    return ClinicContact(
        name=clinic.name,
        phone=clinic.phone or None,
        emergency_number=clinic.emergency_number or clinic_defaults().emergency_number,
        time_zone=clinic.time_zone,
        temperature_unit=clinic.temperature_unit,
    )


def contact_for(uow: UnitOfWork, clinic_id: int) -> ClinicContact:
    """Inside an open unit of work."""
    return contact_of(uow.clinics.by_id(clinic_id))


def read_contact(uow: UnitOfWork, clinic_id: int) -> ClinicContact:
    """`contact_for` in a unit of work of its own (the page of an expired patient link)."""
    with uow:
        return contact_for(uow, clinic_id)


def _row(uow: UnitOfWork, actor: Actor) -> m.Clinic:
    clinic = uow.clinics.by_id(actor.clinic_id)
    if clinic is None:
        raise NotFound("no such clinic")
    return clinic


def get_clinic(uow: UnitOfWork, *, actor: Actor) -> ClinicPublic:
    with uow:
        clinic = _row(uow, actor)
        audit(uow, actor, "read", "clinic", clinic.id)
        uow.commit()
        return ClinicPublic.model_validate(clinic)


def update_clinic(
    uow: UnitOfWork, *, actor: Actor, changes: ClinicUpdate | dict[str, Any]
) -> ClinicPublic:
    """Set the clinic's phone and/or emergency number (admins only). The phone may be cleared
    with null; the emergency number may not."""
    actor.require_admin()
    data = validate(ClinicUpdate, changes)
    if "emergency_number" in data.model_fields_set and data.emergency_number is None:
        raise InputError(
            [InputProblem("emergency_number", "patients always need an emergency number")]
        )
    with uow:
        clinic = _row(uow, actor)
        if "phone" in data.model_fields_set:
            clinic.phone = data.phone
        if data.emergency_number is not None:
            clinic.emergency_number = data.emergency_number
        for name in ("alert_email", "alert_email_second"):  # null clears it
            if name in data.model_fields_set:
                setattr(clinic, name, getattr(data, name))
        if data.realert_minutes is not None:
            clinic.realert_minutes = data.realert_minutes
        if data.time_zone is not None:
            clinic.time_zone = data.time_zone
        if data.temperature_unit is not None:
            clinic.temperature_unit = data.temperature_unit
        uow.session.flush()
        audit(uow, actor, "update", "clinic", clinic.id)
        uow.commit()
        return ClinicPublic.model_validate(clinic)
