"""Keyset pagination: walking a list by `next_cursor` gives exactly the items offset paging
gives, in the same order, each once; the inbox across its two parts (those needing attention,
then the rest); a cursor of another list is a 422 naming `cursor`; each list's query is served
by an index in its order (SQLite's plan)."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text

from needlesafe.errors import InputError
from needlesafe.knowledge.base import Knowledge
from needlesafe.services import accounts, adverse_events, checkins, patients
from needlesafe.services.schemas import CheckInPublic, Page
from needlesafe.store import models as m
from needlesafe.store.uow import UnitOfWork
from tests.api.apikit import ClinicWorld
from tests.store.dbkit import DatabaseUnderTest, Staff, add_checkin_row, add_clinic, add_staff

DISPOSITIONS = list(m.DISPOSITION_RANK)


def _walk(list_page: Callable[..., Page[Any]], limit: int) -> list[int]:
    seen: list[int] = []
    cursor = None
    for _ in range(1000):
        page = list_page(cursor=cursor, offset=0, limit=limit)
        seen += [item.id for item in page.items]
        cursor = page.next_cursor
        if cursor is None:
            return seen
    raise AssertionError("the walk did not end")


def _by_offset(list_page: Callable[..., Page[Any]], total: int, limit: int) -> list[int]:
    seen: list[int] = []
    for offset in range(0, total + limit, limit):
        seen += [item.id for item in list_page(offset=offset, limit=limit).items]
    return seen


@pytest.fixture
def inbox(uow: UnitOfWork, knowledge: Knowledge) -> Staff:
    """A clinic with 60 check-ins: every disposition, some handled, several at one moment."""
    clinic = add_clinic(uow)
    staff = add_staff(uow, clinic, "admin")
    patient = patients.create_patient(uow, actor=staff.actor, patient={"name": "Pat Example"})
    with uow:
        treatment = uow.treatments.add(
            m.Treatment(
                clinic_id=clinic,
                patient_id=patient.id,
                performed_on=dt.date.today(),
                device="pen",
            )
        )
        uow.commit()
        treatment_id = treatment.id
    rng = random.Random(16)
    base = dt.datetime(2025, 6, 1, 12, tzinfo=dt.UTC)
    for _ in range(60):
        add_checkin_row(
            uow,
            clinic_id=clinic,
            patient_id=patient.id,
            treatment_id=treatment_id,
            disposition=rng.choice(DISPOSITIONS),
            created_at=base - dt.timedelta(minutes=rng.randrange(20)),  # many share a minute
            handled=rng.random() < 0.5,
        )
    return staff


@pytest.mark.parametrize("needs_attention", [None, True, False])
@pytest.mark.parametrize("limit", [1, 7, 50])
def test_walking_the_inbox_by_cursor_gives_what_offsets_give(
    uow: UnitOfWork, inbox: Staff, needs_attention: bool | None, limit: int
) -> None:
    def list_page(**kwargs: Any) -> Page[CheckInPublic]:
        return checkins.list_checkins(
            uow, actor=inbox.actor, needs_attention=needs_attention, **kwargs
        )

    total = list_page(offset=0, limit=1).total
    walked = _walk(list_page, limit)
    assert walked == _by_offset(list_page, total, limit)
    assert len(walked) == len(set(walked)) == total
    if needs_attention is None:
        assert total == 60


def test_an_offset_counts_from_the_cursor(uow: UnitOfWork, inbox: Staff) -> None:
    every = [c.id for c in checkins.list_checkins(uow, actor=inbox.actor, limit=60).items]
    first = checkins.list_checkins(uow, actor=inbox.actor, limit=5)
    for offset in (0, 3, 20, 58):
        page = checkins.list_checkins(
            uow, actor=inbox.actor, cursor=first.next_cursor, offset=offset, limit=10
        )
        assert [c.id for c in page.items] == every[5 + offset : 15 + offset]


def test_a_cursor_of_another_list_is_bad_input_naming_cursor(uow: UnitOfWork, inbox: Staff) -> None:
    users = accounts.list_users(uow, actor=inbox.actor, limit=1)
    add_staff(uow, inbox.actor.clinic_id)
    users = accounts.list_users(uow, actor=inbox.actor, limit=1)
    assert users.next_cursor is not None
    with pytest.raises(InputError) as caught:
        checkins.list_checkins(uow, actor=inbox.actor, cursor=users.next_cursor)
    assert caught.value.problems[0].path == "cursor"


def test_every_list_walks_by_cursor(uow: UnitOfWork, knowledge: Knowledge) -> None:
    clinic = add_clinic(uow)
    staff = add_staff(uow, clinic, "admin")
    names = ["Ana", "Zoë", "Émile", "ana", "Bo", "Bo", "Ana"]
    for name in names:
        patients.create_patient(uow, actor=staff.actor, patient={"name": name})
    for _ in range(3):
        add_staff(uow, clinic)

    def listing(function: Callable[..., Page[Any]], **fixed: object) -> Callable[..., Page[Any]]:
        return lambda **kwargs: function(uow, actor=staff.actor, **fixed, **kwargs)

    for list_page, total in [
        (listing(patients.list_patients), len(names)),
        (listing(accounts.list_users), 4),
        (listing(accounts.list_audit), None),
        (listing(adverse_events.list_adverse_events), 0),
        (listing(adverse_events.list_adverse_events, status="open"), 0),
    ]:
        total = list_page(offset=0, limit=1).total if total is None else total
        for limit in (1, 2, 5):
            walked = _walk(list_page, limit)
            assert walked == _by_offset(list_page, total, limit)
            assert len(set(walked)) == total


@pytest.mark.parametrize(
    ("query", "index"),
    [
        (
            "SELECT id FROM checkins WHERE clinic_id = 1 AND NOT (handled = 0 AND urgency > 0) "
            "AND (created_at, id) < ('2025-01-01', 5) ORDER BY created_at DESC, id DESC LIMIT 51",
            "ix_checkins_clinic_created",
        ),
        (
            "SELECT id FROM checkins WHERE clinic_id = 1 AND handled = 0 AND urgency > 0 "
            "AND (urgency, created_at, id) < (3, '2025-01-01', 5) "
            "ORDER BY urgency DESC, created_at DESC, id DESC LIMIT 51",
            "ix_checkins_clinic_attention",
        ),
        (
            "SELECT id FROM patients WHERE clinic_id = 1 AND (name, id) > ('Bo', 5) "
            "ORDER BY name, id LIMIT 51",
            "ix_patients_clinic_name",
        ),
        (
            "SELECT id FROM audit_events WHERE clinic_id = 1 AND id < 5 ORDER BY id DESC LIMIT 51",
            "ix_audit_events_clinic_id",
        ),
    ],
)
def test_sqlite_pages_from_an_index_without_sorting(
    engine: Engine, database: DatabaseUnderTest, query: str, index: str
) -> None:
    if database.kind != "sqlite":
        pytest.skip("SQLite's query plan")
    with engine.connect() as connection:
        plan = " ".join(row[-1] for row in connection.execute(text("EXPLAIN QUERY PLAN " + query)))
    assert index in plan, plan
    assert "TEMP B-TREE" not in plan, plan


def test_the_api_pages_by_cursor_and_names_a_bad_one(
    client: TestClient, clinic_a: ClinicWorld, uow: UnitOfWork
) -> None:
    for _ in range(4):
        add_checkin_row(
            uow,
            clinic_id=clinic_a.clinic_id,
            patient_id=clinic_a.patient,
            treatment_id=clinic_a.treatment,
            disposition="self_care",
        )
    headers = clinic_a.admin.headers
    every = client.get("/api/v1/checkins?limit=50", headers=headers).json()
    assert every["next_cursor"] is None and every["total"] == 5
    seen, cursor = [], None
    while True:
        query = "/api/v1/checkins?limit=2" + (f"&cursor={cursor}" if cursor else "")
        page = client.get(query, headers=headers).json()
        seen += [item["id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == [item["id"] for item in every["items"]]
    for bad in ("x", "p.00.1"):  # not a cursor; another list's
        answer = client.get(f"/api/v1/checkins?cursor={bad}", headers=headers)
        assert answer.status_code == 422 and answer.json()["detail"][0]["path"] == "cursor"
