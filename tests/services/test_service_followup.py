"""Adverse events followed to the end (updates and closing kept as append-only history; onset
not in the future nor before the treatment; open events by next follow-up) and lot
traceability (a clinic's own treatments only, by cartridge, cream or product lot)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DatabaseError

from needlesafe.errors import InputError
from needlesafe.knowledge.base import Knowledge
from needlesafe.services import adverse_events, lots, patients
from needlesafe.services.context import Actor
from needlesafe.services.errors import Conflict, NotFound
from needlesafe.store import models as m
from needlesafe.store.uow import UnitOfWork
from tests.store.dbkit import add_clinic, add_staff, record_cleared_treatment


def today() -> dt.date:
    """Today (UTC), asked when a test runs: a constant taken at import goes stale when a run
    crosses midnight."""
    return dt.datetime.now(dt.UTC).date()


@pytest.fixture
def two_clinics(uow: UnitOfWork) -> tuple[Actor, Actor]:
    return add_staff(uow, add_clinic(uow)).actor, add_staff(uow, add_clinic(uow)).actor


@pytest.fixture
def treated(
    uow: UnitOfWork, two_clinics: tuple[Actor, Actor], knowledge: Knowledge
) -> tuple[int, Any]:
    a, _ = two_clinics
    patient = patients.create_patient(uow, actor=a, patient={"name": "Pat"})
    return patient.id, record_cleared_treatment(uow, a, knowledge, patient.id)


def _event(patient: int, treatment: int, **changes: Any) -> dict[str, Any]:
    return {
        "patient_id": patient,
        "treatment_id": treatment,
        "complication": "infection",
        "onset_date": today().isoformat(),
        "ctcae_grade": 2,
        **changes,
    }


@pytest.mark.parametrize(
    ("days", "words"),
    [(1, "future"), (-30, "before")],
    ids=["future", "before-the-treatment"],
)
def test_an_onset_in_the_future_or_before_the_treatment_is_refused(
    uow: UnitOfWork,
    two_clinics: tuple[Actor, Actor],
    knowledge: Knowledge,
    treated: tuple[int, Any],
    days: int,
    words: str,
) -> None:
    a, _ = two_clinics
    patient, treatment = treated
    onset = today() + dt.timedelta(days=days)  # not at collection: a run may cross midnight
    with pytest.raises(InputError) as caught:
        adverse_events.record_adverse_event(
            uow,
            actor=a,
            knowledge=knowledge,
            event=_event(patient, treatment.id, onset_date=onset.isoformat()),
        )
    assert caught.value.problems[0].path == "onset_date"
    assert words in caught.value.problems[0].message


def test_an_event_is_updated_and_closed_with_every_change_kept(
    uow: UnitOfWork,
    two_clinics: tuple[Actor, Actor],
    knowledge: Knowledge,
    treated: tuple[int, Any],
) -> None:
    a, b = two_clinics
    patient, treatment = treated
    follow_up = today() + dt.timedelta(days=2)
    event = adverse_events.record_adverse_event(
        uow, actor=a, knowledge=knowledge, event=_event(patient, treatment.id)
    )
    assert event.status == "open" and event.outcome == "unknown"
    updated = adverse_events.update_adverse_event(
        uow,
        actor=a,
        event_id=event.id,
        changes={
            "ctcae_grade": 3,
            "actions": "oral antibiotics",
            "outcome": "recovering",
            "follow_up_on": follow_up.isoformat(),
        },
    )
    assert (updated.ctcae_grade, updated.outcome, updated.follow_up_on) == (
        3,
        "recovering",
        follow_up,
    )
    with pytest.raises(NotFound):
        adverse_events.update_adverse_event(uow, actor=b, event_id=event.id, changes={})
    closed = adverse_events.close_adverse_event(
        uow,
        actor=a,
        event_id=event.id,
        close={"resolved_on": today().isoformat(), "outcome": "recovered"},
    )
    assert (closed.status, closed.outcome, closed.resolved_on) == ("closed", "recovered", today())
    assert closed.follow_up_on is None
    history = adverse_events.adverse_event_history(uow, actor=a, event_id=event.id)
    assert [h.action for h in history] == ["open", "update", "close"]
    assert history[1].changes["ctcae_grade"] == {"from": 2, "to": 3}
    assert history[1].changes["follow_up_on"] == {"from": None, "to": follow_up.isoformat()}
    assert history[2].changes["outcome"] == {"from": "recovering", "to": "recovered"}
    assert all(h.user_id == a.user_id for h in history)
    with pytest.raises(Conflict):
        adverse_events.update_adverse_event(
            uow, actor=a, event_id=event.id, changes={"ctcae_grade": 1}
        )
    with pytest.raises(Conflict):
        adverse_events.close_adverse_event(
            uow,
            actor=a,
            event_id=event.id,
            close={"resolved_on": today().isoformat(), "outcome": "recovered"},
        )


@pytest.mark.parametrize(
    ("resolved_in_days", "outcome", "path"),
    [
        (1, "recovered", "resolved_on"),
        (-1, "recovered", "resolved_on"),
        (0, "recovering", "outcome"),
        (None, "recovered", "resolved_on"),
    ],
    ids=["future", "before-onset", "still-recovering", "no-date"],
)
def test_closing_needs_a_resolution_date_and_a_final_outcome(
    uow: UnitOfWork,
    two_clinics: tuple[Actor, Actor],
    knowledge: Knowledge,
    treated: tuple[int, Any],
    resolved_in_days: int | None,
    outcome: str,
    path: str,
) -> None:
    a, _ = two_clinics
    patient, treatment = treated
    event = adverse_events.record_adverse_event(
        uow, actor=a, knowledge=knowledge, event=_event(patient, treatment.id)
    )
    # the date is taken here, not at collection: a run that crosses midnight saw 'tomorrow'
    # become today and the closing accepted
    close: dict[str, Any] = {"outcome": outcome}
    if resolved_in_days is not None:
        close["resolved_on"] = (today() + dt.timedelta(days=resolved_in_days)).isoformat()
    with pytest.raises(InputError) as caught:
        adverse_events.close_adverse_event(uow, actor=a, event_id=event.id, close=close)
    assert caught.value.problems[0].path == path
    assert adverse_events.get_adverse_event(uow, actor=a, event_id=event.id).status == "open"


def test_the_open_list_puts_the_next_follow_up_first(
    uow: UnitOfWork,
    two_clinics: tuple[Actor, Actor],
    knowledge: Knowledge,
    treated: tuple[int, Any],
) -> None:
    a, b = two_clinics
    patient, treatment = treated
    ids = []
    for days in (None, 5, 1):
        follow = {"follow_up_on": (today() + dt.timedelta(days=days)).isoformat()} if days else {}
        ids.append(
            adverse_events.record_adverse_event(
                uow, actor=a, knowledge=knowledge, event=_event(patient, treatment.id, **follow)
            ).id
        )
    done = adverse_events.record_adverse_event(
        uow, actor=a, knowledge=knowledge, event=_event(patient, treatment.id)
    )
    adverse_events.close_adverse_event(
        uow,
        actor=a,
        event_id=done.id,
        close={"resolved_on": today().isoformat(), "outcome": "unknown"},
    )
    listed = adverse_events.list_adverse_events(uow, actor=a, status="open")
    assert [e.id for e in listed.items] == [ids[2], ids[1], ids[0]]
    assert adverse_events.list_adverse_events(uow, actor=b, status="open").total == 0
    with pytest.raises(InputError):
        adverse_events.list_adverse_events(uow, actor=a, status="pending")


def test_the_history_cannot_be_changed_in_the_database(
    uow: UnitOfWork,
    two_clinics: tuple[Actor, Actor],
    knowledge: Knowledge,
    treated: tuple[int, Any],
) -> None:
    a, _ = two_clinics
    patient, treatment = treated
    adverse_events.record_adverse_event(
        uow, actor=a, knowledge=knowledge, event=_event(patient, treatment.id)
    )
    for statement in (
        "UPDATE adverse_event_changes SET action = 'x'",
        "DELETE FROM adverse_event_changes",
    ):
        with uow, pytest.raises(DatabaseError):
            uow.session.execute(text(statement))
            uow.session.flush()
    with uow:
        assert uow.session.scalars(select(m.AdverseEventChange)).all()


def test_a_lot_traces_to_this_clinics_treatments_only(
    uow: UnitOfWork,
    two_clinics: tuple[Actor, Actor],
    knowledge: Knowledge,
    treated: tuple[int, Any],
) -> None:
    a, b = two_clinics
    patient, treatment = treated
    theirs = patients.create_patient(uow, actor=b, patient={"name": "Other"})
    record_cleared_treatment(uow, b, knowledge, theirs.id)  # the same lots, another clinic
    for lot, used in (
        ("CART-1", "needle_cartridge"),
        ("NUM-1", "numbing_agent"),
        ("HA-1", "topical"),
    ):
        trace = lots.trace_lot(uow, actor=a, lot=lot)
        assert [(u.treatment_id, u.used_as) for u in trace.treatments] == [(treatment.id, [used])]
        assert trace.treatments[0].patient_name == "Pat" and trace.patients == 1
    assert lots.trace_lot(uow, actor=a, lot="cart-1").treatments == []  # exact, as recorded
    csv = lots.trace_csv(lots.trace_lot(uow, actor=a, lot=" HA-1 "))
    assert csv.splitlines()[0].startswith("lot,treatment_id,performed_on,patient_id")
    assert "Pat" in csv and "Other" not in csv
    with pytest.raises(InputError) as caught:
        lots.trace_lot(uow, actor=a, lot="  ")
    assert caught.value.problems[0].path == "lot"


def test_a_lot_export_cannot_carry_a_spreadsheet_formula(
    uow: UnitOfWork, two_clinics: tuple[Actor, Actor], knowledge: Knowledge
) -> None:
    a, _ = two_clinics
    patient = patients.create_patient(uow, actor=a, patient={"name": '=HYPERLINK("x")'})
    record_cleared_treatment(uow, a, knowledge, patient.id)
    csv = lots.trace_csv(lots.trace_lot(uow, actor=a, lot="CART-1"))
    assert "\"'=HYPERLINK" in csv
