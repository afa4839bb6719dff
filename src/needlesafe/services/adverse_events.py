"""Adverse events: graded (CTCAE 1-5), coded (ICD-10-CM), tied to a treatment and a lot, and
followed to the end: opened, updated (grade, actions, outcome, next follow-up) and closed (the
resolution date and outcome). Every change is kept as history (who, when, each field before and
after) in an append-only table; a closed event does not change any more."""

from __future__ import annotations

import datetime as dt
from typing import Any

from needlesafe.errors import InputConflict, InputError, InputProblem
from needlesafe.knowledge.base import Knowledge
from needlesafe.services.common import (
    audit,
    check_code,
    page_bounds,
    paging,
    public_page,
    validate,
)
from needlesafe.services.context import Actor
from needlesafe.services.errors import Conflict, NotFound
from needlesafe.services.schemas import (
    AdverseEventChangePublic,
    AdverseEventClose,
    AdverseEventCreate,
    AdverseEventPublic,
    AdverseEventUpdate,
    Page,
)
from needlesafe.store import models as m
from needlesafe.store.uow import UnitOfWork

STATUSES = ("open", "closed")


def _today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


def _json(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


def _history(
    uow: UnitOfWork, actor: Actor, row: m.AdverseEvent, action: str, changes: dict[str, Any]
) -> None:
    uow.session.add(
        m.AdverseEventChange(
            clinic_id=actor.clinic_id,
            event_id=row.id,
            user_id=actor.user_id,
            action=action,
            changes=changes,
        )
    )


def _check_onset(onset: dt.date, treatment: m.Treatment | None, today: dt.date) -> None:
    if onset > today:
        raise InputConflict([InputProblem("onset_date", "is in the future: when did it start?")])
    if treatment is not None and onset < treatment.performed_on:
        raise InputConflict(
            [
                InputProblem(
                    "onset_date",
                    f"is before the treatment ({treatment.performed_on:%d %b %Y}): an adverse "
                    "event of this treatment starts on its day or later",
                )
            ]
        )


def _check_follow_up(follow_up: dt.date | None, onset: dt.date) -> None:
    if follow_up is not None and follow_up < onset:
        raise InputConflict([InputProblem("follow_up_on", "is before the onset: pick a later day")])


def record_adverse_event(
    uow: UnitOfWork,
    *,
    actor: Actor,
    knowledge: Knowledge,
    event: AdverseEventCreate | dict[str, Any],
    today: dt.date | None = None,
) -> AdverseEventPublic:
    data = validate(AdverseEventCreate, event)
    problem = check_code(data.complication, knowledge.complications, "complication", "complication")
    if problem:
        raise InputError([problem])
    with uow:
        if uow.patients.get(actor.clinic_id, data.patient_id) is None:
            raise NotFound("no such patient")
        treatment = None
        if data.treatment_id is not None:
            treatment = uow.treatments.get(actor.clinic_id, data.treatment_id)
            if treatment is None or treatment.patient_id != data.patient_id:
                raise InputConflict(
                    [InputProblem("treatment_id", "no such treatment for this patient")]
                )
        _check_onset(data.onset_date, treatment, today or _today())
        _check_follow_up(data.follow_up_on, data.onset_date)
        row = uow.adverse_events.add(
            m.AdverseEvent(
                clinic_id=actor.clinic_id, recorded_by=actor.user_id, **data.model_dump()
            )
        )
        opened = {
            name: {"from": None, "to": _json(value)}
            for name, value in data.model_dump().items()
            if name not in ("patient_id", "notes", "actions") and value not in (None, "")
        }
        _history(uow, actor, row, "open", opened)
        audit(uow, actor, "create", "adverse_event", row.id)
        uow.commit()
        return AdverseEventPublic.model_validate(row)


def _open_event(uow: UnitOfWork, actor: Actor, event_id: int) -> m.AdverseEvent:
    row = uow.adverse_events.get(actor.clinic_id, event_id)
    if row is None:
        raise NotFound("no such adverse event")
    if row.status == "closed":
        raise Conflict("this adverse event is closed; a closed event is not changed")
    return row


def _apply(row: m.AdverseEvent, changes: dict[str, Any]) -> dict[str, Any]:
    """Set the changed fields; return what changed, before and after."""
    changed: dict[str, Any] = {}
    for name, value in changes.items():
        before = getattr(row, name)
        if before != value:
            changed[name] = {"from": _json(before), "to": _json(value)}
            setattr(row, name, value)
    return changed


def update_adverse_event(
    uow: UnitOfWork,
    *,
    actor: Actor,
    event_id: int,
    changes: AdverseEventUpdate | dict[str, Any],
) -> AdverseEventPublic:
    """Change an open event's grade, actions, outcome, follow-up date or notes; kept as history."""
    data = validate(AdverseEventUpdate, changes)
    given = {name: getattr(data, name) for name in data.model_fields_set}
    for name in ("ctcae_grade", "serious", "outcome"):
        if name in given and given[name] is None:
            raise InputError([InputProblem(name, "cannot be emptied")])
    for name in ("actions", "notes"):
        if name in given and given[name] is None:
            given[name] = ""
    with uow:
        row = _open_event(uow, actor, event_id)
        _check_follow_up(given.get("follow_up_on"), row.onset_date)
        changed = _apply(row, given)
        if changed:
            row.updated_at = m.utcnow()
            _history(uow, actor, row, "update", changed)
        uow.session.flush()
        audit(uow, actor, "update", "adverse_event", row.id)
        uow.commit()
        return AdverseEventPublic.model_validate(row)


def close_adverse_event(
    uow: UnitOfWork,
    *,
    actor: Actor,
    event_id: int,
    close: AdverseEventClose | dict[str, Any],
    today: dt.date | None = None,
) -> AdverseEventPublic:
    """Close an event: the day it resolved (not before its onset, not in the future) and how it
    ended. Its next follow-up is cleared; it leaves the list of open events."""
    data = validate(AdverseEventClose, close)
    with uow:
        row = _open_event(uow, actor, event_id)
        if data.resolved_on > (today or _today()):
            raise InputConflict([InputProblem("resolved_on", "is in the future")])
        if data.resolved_on < row.onset_date:
            raise InputConflict(
                [InputProblem("resolved_on", "is before the onset: pick the day it resolved")]
            )
        values: dict[str, Any] = {
            "status": "closed",
            "resolved_on": data.resolved_on,
            "outcome": data.outcome,
            "follow_up_on": None,
        }
        if data.notes is not None:
            values["notes"] = data.notes
        changed = _apply(row, values)
        row.updated_at = m.utcnow()
        _history(uow, actor, row, "close", changed)
        uow.session.flush()
        audit(uow, actor, "close", "adverse_event", row.id)
        uow.commit()
        return AdverseEventPublic.model_validate(row)


def adverse_event_history(
    uow: UnitOfWork, *, actor: Actor, event_id: int
) -> list[AdverseEventChangePublic]:
    """Every change of an event, oldest first."""
    with uow:
        row = uow.adverse_events.get(actor.clinic_id, event_id)
        if row is None:
            raise NotFound("no such adverse event")
        changes = uow.adverse_events.history(actor.clinic_id, row.id)
        audit(uow, actor, "read", "adverse_event_history", row.id)
        uow.commit()
        return [AdverseEventChangePublic.model_validate(c) for c in changes]


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
    status: str | None = None,
    offset: int = 0,
    limit: int = 50,
    cursor: str | None = None,
) -> Page[AdverseEventPublic]:
    """Newest onset first; the open ones (`status="open"`) by their next follow-up, soonest
    first, those without a date last."""
    offset, limit = page_bounds(offset, limit)
    if status is not None and status not in STATUSES:
        raise InputError([InputProblem("status", "should be 'open' or 'closed'")])
    with uow, paging():
        page = uow.adverse_events.list(
            actor.clinic_id,
            offset=offset,
            limit=limit,
            patient_id=patient_id,
            treatment_id=treatment_id,
            complication=complication,
            status=status,
            cursor=cursor,
        )
        audit(uow, actor, "list", "adverse_event", record_ids=[r.id for r in page.items])
        uow.commit()
        return public_page(page, AdverseEventPublic, offset=offset, limit=limit)
