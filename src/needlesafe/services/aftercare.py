"""The aftercare plan of a recorded treatment (JSON and .ics), for the clinic and, through the
check-in link, for the patient.

The plan is made from what was done (the treatment's areas, deepest depth, device, products)
and the patient's screening, re-run on that plan so the risks match the treatment as done.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from needlesafe.engine.models import Assessment, Intake, Plan
from needlesafe.engine.screening import screen
from needlesafe.errors import InputError, InputProblem
from needlesafe.knowledge.base import Knowledge
from needlesafe.services.clinics import contact_for
from needlesafe.services.common import audit, screening_of
from needlesafe.services.context import Actor, LinkAccess
from needlesafe.services.errors import NotFound
from needlesafe.services.resilience import stored_or_logged
from needlesafe.store import models as m
from needlesafe.store.uow import UnitOfWork

if TYPE_CHECKING:
    from needlesafe.engine.aftercare import AftercarePlan


def plan_of(uow: UnitOfWork, treatment: m.Treatment, knowledge: Knowledge) -> AftercarePlan:
    """The treatment's aftercare plan (inside an open unit of work; not audited: the caller's
    read is); InputError when the treatment has no screening."""
    from needlesafe.engine.aftercare import plan_aftercare

    done, assessment = screened_as_done(uow, treatment, knowledge)
    contact = contact_for(uow, treatment.clinic_id)  # the warning signs name who to call
    return plan_aftercare(
        done,
        assessment,
        knowledge,
        treatment_date=treatment.performed_on,
        clinic_phone=contact.phone,
        emergency_number=contact.emergency_number,
    )


def screened_as_done(
    uow: UnitOfWork, treatment: m.Treatment, knowledge: Knowledge
) -> tuple[Plan, Assessment]:
    """The plan as done (areas, deepest depth, device, products) and the patient's screening
    run again on it (inside an open unit of work); InputError when there is no screening."""
    intake = screening_of(treatment)
    if intake is None:
        raise InputError(
            [InputProblem("intake_id", "this treatment has no screening; aftercare needs one")]
        )
    screened = Intake.model_validate(intake.input, context={"knowledge": knowledge})
    done = Plan.model_validate(
        {
            **screened.plan.model_dump(mode="json"),
            "areas": list(dict.fromkeys(a.area for a in treatment.areas)) or screened.plan.areas,
            "needle_depth_mm": max(
                (a.depth_mm for a in treatment.areas), default=screened.plan.needle_depth_mm
            ),
            "device": treatment.device,
            "numbing_agent": treatment.numbing_agent,
            "topicals": list(dict.fromkeys(t.code for t in treatment.topicals)),
        },
        context={"knowledge": knowledge},
    )
    return done, screen(Intake(patient=screened.patient, plan=done), knowledge)


def _calendar(plan: AftercarePlan, knowledge: Knowledge, treatment_id: int) -> bytes:
    from needlesafe.documents.calendar import aftercare_calendar

    return aftercare_calendar(plan, knowledge, uid_key=f"treatment-{treatment_id}")


def _staff_treatment(uow: UnitOfWork, actor: Actor, treatment_id: int) -> m.Treatment:
    treatment = uow.treatments.get(actor.clinic_id, treatment_id)
    if treatment is None:
        raise NotFound("no such treatment")
    return treatment


def _linked_treatment(uow: UnitOfWork, access: LinkAccess) -> m.Treatment:
    treatment = uow.treatments.get(access.clinic_id, access.treatment_id)
    if treatment is None:
        raise NotFound("no such treatment")
    return treatment


def treatment_aftercare(
    uow: UnitOfWork, *, actor: Actor, knowledge: Knowledge, treatment_id: int
) -> AftercarePlan:
    with uow:
        treatment = _staff_treatment(uow, actor, treatment_id)
        plan = plan_of(uow, treatment, knowledge)
        audit(uow, actor, "read", "aftercare", treatment.id)
        uow.commit()
        return plan


def treatment_calendar(
    uow: UnitOfWork, *, actor: Actor, knowledge: Knowledge, treatment_id: int
) -> bytes:
    with uow:
        treatment = _staff_treatment(uow, actor, treatment_id)
        ics = _calendar(plan_of(uow, treatment, knowledge), knowledge, treatment.id)
        audit(uow, actor, "read", "aftercare", treatment.id)
        uow.commit()
        return ics


def patient_aftercare(
    uow: UnitOfWork, *, access: LinkAccess, knowledge: Knowledge
) -> AftercarePlan:
    with uow:
        treatment = _linked_treatment(uow, access)
        plan = plan_of(uow, treatment, knowledge)
        with stored_or_logged(uow, "audit of a patient's aftercare view"):  # shown regardless
            audit(uow, access, "read", "aftercare", treatment.id)
            uow.commit()
        return plan


def patient_calendar(uow: UnitOfWork, *, access: LinkAccess, knowledge: Knowledge) -> bytes:
    with uow:
        treatment = _linked_treatment(uow, access)
        ics = _calendar(plan_of(uow, treatment, knowledge), knowledge, treatment.id)
        with stored_or_logged(uow, "audit of a patient's calendar download"):
            audit(uow, access, "read", "aftercare", treatment.id)
            uow.commit()
        return ics
