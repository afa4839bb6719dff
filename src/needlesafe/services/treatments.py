"""Treatments as done (device, lots, areas, depths, products) and their patient links.

Every treatment passes the treatment gate first: it names the screening it follows (of the same
patient, recent enough), and what was done is checked against that screening's decision, the
screened patient and plan (allergies, depth caps, products: `engine.gate`) and the patient's
signed consent. Any conflict refuses it (`TreatmentBlocked`, HTTP 409) with every conflict
listed, and nothing is stored, unless a signed-in practitioner gives an `override_reason`: the
reason, the conflicts overridden, who and when are then kept with the treatment (append-only).
A screening with an absolute contraindication cannot be overridden by anyone: screen again
when it no longer holds.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from needlesafe.engine.gate import AreaDone, TreatmentDone, plan_conflicts
from needlesafe.engine.inputs import parse_intake
from needlesafe.errors import InputError, InputProblem
from needlesafe.knowledge.base import Knowledge
from needlesafe.services import links, reminders
from needlesafe.services.common import (
    audit,
    check_code,
    page_bounds,
    paging,
    public_page,
    screening_of,
    validate,
)
from needlesafe.services.context import Actor
from needlesafe.services.errors import Forbidden, NotFound, TreatmentBlocked
from needlesafe.services.schemas import (
    CheckinLink,
    OverridePublic,
    Page,
    TreatmentCheck,
    TreatmentConflict,
    TreatmentCreate,
    TreatmentPublic,
    TreatmentSafety,
)
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


# ---------------------------------------------------------------- the treatment gate

DEFAULT_SCREENING_MAX_AGE_DAYS = 30
CLEARED = ("proceed", "proceed_with_precautions")  # the decisions that allow a treatment


def _screening_conflicts(
    row: m.Intake, knowledge: Knowledge, performed_on: dt.date, max_age_days: int
) -> list[TreatmentConflict]:
    """The screening itself: its age on the treatment day and its decision."""
    found: list[TreatmentConflict] = []
    screened_on = row.created_at.date()
    age = (performed_on - screened_on).days
    if age < 0:
        found.append(
            TreatmentConflict(
                code="screening_after_treatment",
                field="intake_id",
                message=f"The screening ({screened_on:%d %b %Y}) was made after the treatment "
                f"day ({performed_on:%d %b %Y}).",
            )
        )
    elif age > max_age_days:
        found.append(
            TreatmentConflict(
                code="screening_too_old",
                field="intake_id",
                message=f"The screening is {age} days old on the treatment day; screen again "
                f"(at most {max_age_days} days).",
            )
        )
    if row.decision in CLEARED:
        return found
    contraindications = row.assessment.get("contraindications", [])
    absolute = [c for c in contraindications if c.get("kind") == "absolute"]
    names = ", ".join(
        knowledge.label("contraindications", str(c.get("code", ""))) for c in contraindications
    )
    decision = "do not treat" if row.decision == "do_not_treat" else "defer"
    message = f"The screening said {decision}" + (f": {names}." if names else ".")
    if absolute:
        message += (
            " An absolute contraindication cannot be overridden: screen again when it no "
            "longer holds."
        )
    code = "screening_do_not_treat" if row.decision == "do_not_treat" else "screening_deferred"
    found.append(
        TreatmentConflict(
            code=code,
            field="intake_id",
            message=message,
            overridable=not absolute,
        )
    )
    return found


def _plan_conflicts(
    row: m.Intake, data: TreatmentCreate, knowledge: Knowledge
) -> list[TreatmentConflict]:
    """The treatment as done against the screened patient and plan (the engine decides)."""
    try:
        screened = parse_intake(row.input, knowledge)
    except InputError:  # the knowledge base no longer knows a code of this old screening
        return [
            TreatmentConflict(
                code="screening_outdated",
                field="intake_id",
                message="The screening uses codes the knowledge base no longer has; screen again.",
                overridable=False,
            )
        ]
    done = TreatmentDone(
        device=data.device,
        areas=[AreaDone(a.area, a.depth_mm) for a in data.areas],
        numbing_agent=data.numbing_agent,
        topicals=[t.code for t in data.topicals],
    )
    return [
        TreatmentConflict(code=c.code, field=c.field, message=c.message)
        for c in plan_conflicts(screened, done, knowledge)
    ]


def _gate(
    uow: UnitOfWork,
    actor: Actor,
    knowledge: Knowledge,
    patient_id: int,
    data: TreatmentCreate,
    max_age_days: int,
) -> TreatmentCheck:
    """Every conflict of this treatment with its screening, the knowledge base and the consent.
    Inside an open unit of work; raises NotFound / InputError for bad references."""
    if uow.patients.get(actor.clinic_id, patient_id) is None:
        raise NotFound("no such patient")
    if data.intake_id is None:
        conflict = TreatmentConflict(
            code="no_screening",
            field="intake_id",
            message="No screening is named: screen the patient first, then record the "
            "treatment from that screening.",
        )
        return TreatmentCheck(conflicts=[conflict], can_override=True)
    row = uow.intakes.get(actor.clinic_id, data.intake_id)
    if row is None or row.patient_id != patient_id:
        raise InputError([InputProblem("intake_id", "no such intake for this patient")])
    conflicts = _screening_conflicts(row, knowledge, data.performed_on, max_age_days)
    conflicts += _plan_conflicts(row, data, knowledge)
    signed = uow.consents.for_intake(actor.clinic_id, row.id)
    if signed is None:
        conflicts.append(
            TreatmentConflict(
                code="consent_not_signed",
                field="intake_id",
                message="The patient has not signed the consent for this screening.",
            )
        )
    return TreatmentCheck(
        conflicts=conflicts,
        can_override=all(c.overridable for c in conflicts),
        intake_id=row.id,
        decision=row.decision,
        screened_at=row.created_at,
        consent_signed_at=signed.signed_at if signed else None,
    )


def _blocked(check: TreatmentCheck, *, overriding: bool) -> TreatmentBlocked:
    count = len(check.conflicts)
    what = "conflict" if count == 1 else "conflicts"
    if overriding and not check.can_override:
        message = f"not recorded: {count} {what}, and at least one cannot be overridden"
    elif check.can_override:
        message = (
            f"not recorded: {count} {what} with the screening; to record it anyway, "
            "a practitioner gives an override_reason"
        )
    else:
        message = f"not recorded: {count} {what} with the screening; one cannot be overridden"
    return TreatmentBlocked(message, check.conflicts, can_override=check.can_override)


def gate_of(
    uow: UnitOfWork,
    actor: Actor,
    knowledge: Knowledge,
    patient_id: int,
    treatment: dict[str, Any],
    screening_max_age_days: int,
) -> TreatmentCheck | None:
    """The gate's answer for a treatment as a form holds it so far, inside an open unit of work
    and not audited (the caller's read is); None while it cannot be checked (a field missing
    or invalid)."""
    try:
        data = validate(TreatmentCreate, treatment)
        _check_codes(data, knowledge)
        return _gate(uow, actor, knowledge, patient_id, data, screening_max_age_days)
    except InputError:
        return None


def check_treatment(
    uow: UnitOfWork,
    *,
    actor: Actor,
    knowledge: Knowledge,
    patient_id: int,
    treatment: TreatmentCreate | dict[str, Any],
    screening_max_age_days: int = DEFAULT_SCREENING_MAX_AGE_DAYS,
) -> TreatmentCheck:
    """What the gate would say of this treatment; nothing is recorded but the audit line."""
    data = validate(TreatmentCreate, treatment)
    _check_codes(data, knowledge)
    with uow:
        check = _gate(uow, actor, knowledge, patient_id, data, screening_max_age_days)
        audit(uow, actor, "check", "treatment", data.intake_id)
        uow.commit()
        return check


def record_treatment(
    uow: UnitOfWork,
    *,
    actor: Actor,
    knowledge: Knowledge,
    patient_id: int,
    treatment: TreatmentCreate | dict[str, Any],
    screening_max_age_days: int = DEFAULT_SCREENING_MAX_AGE_DAYS,
) -> TreatmentPublic:
    """Record a treatment that passes the gate, or one whose conflicts a practitioner
    overrides with a reason (kept with the treatment). Otherwise `TreatmentBlocked` (409) with
    every conflict, and nothing is stored."""
    data = validate(TreatmentCreate, treatment)
    _check_codes(data, knowledge)
    with uow:
        check = _gate(uow, actor, knowledge, patient_id, data, screening_max_age_days)
        overriding = data.override_reason is not None
        if check.conflicts and (not overriding or not check.can_override):
            audit(uow, actor, "refused", "treatment", data.intake_id)
            uow.commit()
            raise _blocked(check, overriding=overriding)
        if check.conflicts and actor.kind != "user":
            raise Forbidden("an override needs a signed-in practitioner, who is named with it")
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
        if check.conflicts:
            row.override = m.TreatmentOverride(
                clinic_id=actor.clinic_id,
                reason=data.override_reason,
                conflicts=[c.model_dump() for c in check.conflicts],
                user_id=actor.user_id,
            )
        uow.treatments.add(row)
        audit(uow, actor, "create", "treatment", row.id)
        reminders.schedule_reminders(uow, treatment=row, knowledge=knowledge)
        if check.conflicts:
            audit(uow, actor, "override", "treatment", row.id)
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


def treatment_safety(uow: UnitOfWork, *, actor: Actor, treatment_id: int) -> TreatmentSafety:
    """The treatment's screening decision, consent and override, read in one transaction."""
    with uow:
        row = uow.treatments.get(actor.clinic_id, treatment_id)
        if row is None:
            raise NotFound("no such treatment")
        safety = safety_of(uow, actor, row)
        audit(uow, actor, "read", "treatment_safety", row.id)
        uow.commit()
        return safety


def safety_of(uow: UnitOfWork, actor: Actor, row: m.Treatment) -> TreatmentSafety:
    """The treatment's screening decision, consent and override (inside an open unit of work;
    not audited: the caller's read is)."""
    intake = screening_of(row)
    signed = uow.consents.for_intake(actor.clinic_id, intake.id) if intake else None
    by = None
    if row.override is not None and row.override.user_id is not None:
        user = uow.users.get(actor.clinic_id, row.override.user_id)
        by = (user.name or user.email) if user else None
    return TreatmentSafety(
        intake_id=intake.id if intake else None,
        decision=intake.decision if intake else None,
        screened_at=intake.created_at if intake else None,
        consent_signed_at=signed.signed_at if signed else None,
        consent_signer=signed.patient_signer if signed else None,
        override=OverridePublic.model_validate(row.override) if row.override else None,
        override_by=by,
    )


def list_treatments(
    uow: UnitOfWork,
    *,
    actor: Actor,
    patient_id: int | None = None,
    offset: int = 0,
    limit: int = 50,
    cursor: str | None = None,
) -> Page[TreatmentPublic]:
    offset, limit = page_bounds(offset, limit)
    with uow, paging():
        if patient_id is not None and uow.patients.get(actor.clinic_id, patient_id) is None:
            raise NotFound("no such patient")
        page = uow.treatments.list(
            actor.clinic_id, offset=offset, limit=limit, patient_id=patient_id, cursor=cursor
        )
        audit(uow, actor, "list", "treatment", record_ids=[r.id for r in page.items])
        uow.commit()
        return public_page(page, TreatmentPublic, offset=offset, limit=limit)


def _link_treatment(
    uow: UnitOfWork, actor: Actor | None, treatment_id: int, patient_id: int | None = None
) -> m.Treatment:
    if actor is None:
        row = uow.session.get(m.Treatment, treatment_id)
    else:
        row = uow.treatments.get(actor.clinic_id, treatment_id)
    if row is None:
        raise NotFound("no such treatment")
    if patient_id is not None and row.patient_id != patient_id:
        raise NotFound("no such treatment for this patient")
    return row


def _audit_link(uow: UnitOfWork, actor: Actor | None, action: str, row: m.Treatment) -> None:
    if actor is None:  # the operator, on the command line
        uow.audit.record(
            clinic_id=row.clinic_id,
            user_id=None,
            actor="cli",
            action=action,
            record_type="checkin_link",
            record_id=row.id,
        )
    else:
        audit(uow, actor, action, "checkin_link", row.id)


def _link_out(secret_key: str, base_url: str, link: m.CheckinLink, now: dt.datetime) -> CheckinLink:
    token = links.checkin_token(secret_key, link.nonce)
    return CheckinLink(
        treatment_id=link.treatment_id,
        token=token,
        url=links.checkin_url(base_url, token),
        expires_at=link.expires_at,
        status="expired" if now >= link.expires_at else "active",
        created_at=link.created_at,
    )


def issue_checkin_link(
    uow: UnitOfWork,
    *,
    actor: Actor | None,
    treatment_id: int,
    secret_key: str,
    base_url: str,
    max_age: dt.timedelta,
    renew: bool = False,
    only_if_active: bool = False,
    patient_id: int | None = None,
) -> CheckinLink | None:
    """The patient's check-in link (`checkin_link_of`) in a unit of work of its own; `actor=None`
    is the operator (command line). Showing a link is a read of it (it opens the patient's
    pages), so it is audited as one; making one is a create. `patient_id`: the treatment must
    be that patient's (a page's address names both)."""
    with uow:
        row = _link_treatment(uow, actor, treatment_id, patient_id)
        link, made = checkin_link_of(
            uow,
            actor,
            row,
            secret_key=secret_key,
            base_url=base_url,
            max_age=max_age,
            renew=renew,
            only_if_active=only_if_active,
        )
        if not made:
            _audit_link(uow, actor, "read", row)
        uow.commit()
        return link


def checkin_link_of(
    uow: UnitOfWork,
    actor: Actor | None,
    row: m.Treatment,
    *,
    secret_key: str,
    base_url: str,
    max_age: dt.timedelta,
    renew: bool = False,
    only_if_active: bool = False,
) -> tuple[CheckinLink | None, bool]:
    """The treatment's check-in link, and whether it was made now (inside an open unit of work).

    The treatment keeps its link: showing it again gives the same link (viewing the treatment
    page changes nothing) until staff renew it (`renew`: a new link, valid at least `max_age`
    from now; the old one stops). A treatment with no link, or whose link was stopped, gets a
    new one, except with `only_if_active` (the staff page: a stopped link stays stopped until
    someone asks for a new one), which returns None then. A link made is audited here (a
    create); showing one is not: the caller audits its read.
    """
    now = dt.datetime.now(dt.UTC)
    current = links.current_checkin_link(uow, row.id)
    active = current is not None and current.revoked_at is None
    if active and not renew:
        assert current is not None
        return _link_out(secret_key, base_url, current, now), False
    if current is not None and not active and only_if_active and not renew:
        return None, False
    if active:
        assert current is not None
        current.revoked_at = now
        current.revoked_by = actor.user_id if actor else None
    link = links.new_checkin_link(
        uow, secret_key, row, max_age=max_age, replacing=current is not None, now=now
    )
    _audit_link(uow, actor, "create", row)
    return _link_out(secret_key, base_url, link, now), True


def revoke_checkin_link(
    uow: UnitOfWork, *, actor: Actor | None, treatment_id: int, patient_id: int | None = None
) -> bool:
    """Stop the treatment's link (the patient's pages stop opening at once). True when a
    working link was stopped; False when there was none. `patient_id` as for the issue."""
    with uow:
        row = _link_treatment(uow, actor, treatment_id, patient_id)
        current = links.current_checkin_link(uow, row.id)
        if current is None or current.revoked_at is not None:
            return False
        current.revoked_at = dt.datetime.now(dt.UTC)
        current.revoked_by = actor.user_id if actor else None
        _audit_link(uow, actor, "delete", row)
        uow.commit()
        return True
