"""A demo clinic for a new database in development: staff, patients, screenings, treatments.

The intakes are examples of the contract's input; what they mean clinically comes from the
knowledge base when they are screened.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from needlesafe.knowledge.base import Knowledge
from needlesafe.services import accounts, consents, patients, treatments
from needlesafe.services.context import Actor
from needlesafe.services.schemas import CheckinLink
from needlesafe.store import models as m
from needlesafe.store.uow import UnitOfWork

DEMO_CLINIC = "Demo Clinic"
DEMO_EMAIL = "demo@needlesafe.example"
DEMO_PASSWORD = "needlesafe-demo"
DEMO_PHONE = "555 0100"  # a fictional number (the 555-01xx range is kept for examples)

PATIENTS: list[tuple[str, dict[str, Any], dict[str, Any] | None]] = [
    (
        "Alex Demo",
        {
            "patient": {"age": 34, "fitzpatrick": "IV", "conditions": ["cold_sore_history"]},
            "plan": {
                "areas": ["cheeks", "perioral"],
                "needle_depth_mm": 1.0,
                "device": "pen",
                "numbing_agent": "lidocaine",
                "topicals": ["hyaluronic_acid"],
            },
        },
        {"areas": [("cheeks", 1.0, 2), ("perioral", 0.5, 1)], "days_ago": 2},
    ),
    (
        "Sam Example",
        {
            "patient": {"age": 45, "fitzpatrick": "II"},
            "plan": {
                "areas": ["forehead"],
                "needle_depth_mm": 0.5,
                "device": "pen",
                "patch_test_done": True,
            },
        },
        {"areas": [("forehead", 0.5, 2)], "days_ago": 9},
    ),
    (
        "Robin Sample",
        {
            "patient": {"age": 29, "fitzpatrick": "VI", "conditions": ["keloid_history"]},
            "plan": {"areas": ["chin"], "needle_depth_mm": 1.5, "device": "roller"},
        },
        None,
    ),
]


@dataclass(frozen=True)
class Demo:
    email: str
    password: str
    link: CheckinLink | None


def seed_demo(
    uow: UnitOfWork,
    *,
    knowledge: Knowledge,
    secret_key: str,
    base_url: str,
    link_max_age: dt.timedelta,
    emergency_number: str | None = None,  # none: the default of words.yaml
    today: dt.date | None = None,
) -> Demo:
    today = today or dt.date.today()
    clinic = accounts.create_clinic(
        uow, name=DEMO_CLINIC, phone=DEMO_PHONE, emergency_number=emergency_number
    )
    user = accounts.create_user_for_clinic(
        uow,
        clinic_name=DEMO_CLINIC,
        email=DEMO_EMAIL,
        role="admin",
        password=DEMO_PASSWORD,
        name="Demo Practitioner",
    )
    actor = Actor(user_id=user.id, clinic_id=clinic.id, role=user.role)
    link = None
    for name, intake, done in PATIENTS:
        patient = patients.create_patient(uow, actor=actor, patient={"name": name})
        screening = patients.screen_patient(
            uow, actor=actor, knowledge=knowledge, patient_id=patient.id, intake=intake
        )
        if done is None:
            continue
        performed_on = today - dt.timedelta(days=done["days_ago"])
        _screened_before(uow, actor, screening.id, performed_on - dt.timedelta(days=1))
        sheet, _ = consents.get_consent_sheet(
            uow,
            actor=actor,
            knowledge=knowledge,
            patient_id=patient.id,
            intake_id=screening.id,
            today=today,
        )
        consents.sign_consent(
            uow,
            actor=actor,
            knowledge=knowledge,
            patient_id=patient.id,
            intake_id=screening.id,
            sign={"sheet_version": sheet.version, "patient_signer": name},
            today=today,
        )
        plan = intake["plan"]
        treatment = treatments.record_treatment(
            uow,
            actor=actor,
            knowledge=knowledge,
            patient_id=patient.id,
            treatment={
                "performed_on": performed_on,
                "device": plan["device"],
                "device_make": "Demo Devices",
                "device_model": "Pen 2",
                "needle_cartridge_lot": "CART-DEMO-001",
                "numbing_agent": plan.get("numbing_agent", "none"),
                "numbing_agent_lot": "NUMB-DEMO-01" if plan.get("numbing_agent") else None,
                "topicals": [
                    {"code": code, "lot": "TOP-DEMO-01"} for code in plan.get("topicals", [])
                ],
                "areas": [
                    {"area": area, "depth_mm": depth, "passes": passes}
                    for area, depth, passes in done["areas"]
                ],
                "intake_id": screening.id,
            },
        )
        if link is None:
            link = treatments.issue_checkin_link(
                uow,
                actor=actor,
                treatment_id=treatment.id,
                secret_key=secret_key,
                base_url=base_url,
                max_age=link_max_age,
            )
    return Demo(email=DEMO_EMAIL, password=DEMO_PASSWORD, link=link)


def _screened_before(uow: UnitOfWork, actor: Actor, intake_id: int, day: dt.date) -> None:
    """Date the demo's screening before its treatment, as it would have been made."""
    with uow:
        row = uow.intakes.get(actor.clinic_id, intake_id)
        if row is not None:
            row.created_at = dt.datetime.combine(day, dt.time(10), tzinfo=dt.UTC)
            uow.commit()


def has_clinic(uow: UnitOfWork) -> bool:
    """Whether the database holds any clinic (a new one, migrated or not, holds none)."""
    with uow:
        return uow.session.query(m.Clinic.id).first() is not None


def demo_link(
    uow: UnitOfWork, *, secret_key: str, base_url: str, link_max_age: dt.timedelta
) -> CheckinLink | None:
    """A fresh check-in link to the demo clinic's first treatment, if there is one."""
    with uow:
        clinic = uow.clinics.by_name(DEMO_CLINIC)
        if clinic is None:
            return None
        first = (
            uow.session.query(m.Treatment)
            .filter_by(clinic_id=clinic.id)
            .order_by(m.Treatment.id)
            .first()
        )
        if first is None:
            return None
        treatment_id = first.id
    return treatments.issue_checkin_link(
        uow,
        actor=None,
        treatment_id=treatment_id,
        secret_key=secret_key,
        base_url=base_url,
        max_age=link_max_age,
    )
