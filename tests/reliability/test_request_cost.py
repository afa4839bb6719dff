"""What the requests of the load mix cost the database (issue 16; benchmarks/request_cost.py
measures the CPU): the SQL statements each kind sends, counted, so a change that adds round
trips shows here. The audit rows are still written and chained, the limits still counted."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, cast

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, event, select, text

from needlesafe.api.limits import TokenMemory
from needlesafe.services import links
from needlesafe.settings import Settings
from needlesafe.store import audit, db
from needlesafe.store import models as m
from needlesafe.store.db import make_engine
from needlesafe.store.followup import ClinicAlert
from needlesafe.store.uow import UnitOfWork
from tests.api.apikit import ClinicWorld, app_state
from tests.store.dbkit import INTAKE


@contextmanager
def statements(client: TestClient) -> Iterator[list[str]]:
    engine = app_state(client).engine
    seen: list[str] = []

    def listener(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", listener)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", listener)


def _opaque_link(uow: UnitOfWork, settings: Settings, treatment_id: int) -> str:
    """A check-in link as the service makes them now (a row per link, not a signed payload)."""
    with uow:
        treatment = uow.session.get(m.Treatment, treatment_id)
        assert treatment is not None
        row = links.new_checkin_link(
            uow, settings.secret, treatment, max_age=settings.checkin_link_max_age
        )
        uow.commit()
        return links.checkin_token(settings.secret, row.nonce)


def test_screening_and_triage_with_a_token_seen_lately_send_no_statement(
    client: TestClient, clinic_a: ClinicWorld
) -> None:
    staff = clinic_a.practitioner.headers
    body = {"message": "a little red", "days_since_treatment": 1}
    with statements(client) as first:
        assert client.post("/api/v1/triage", json=body, headers=staff).status_code == 200
    assert len(first) == 1  # the token, its user and clinic: one statement
    with statements(client) as seen:
        assert client.post("/api/v1/triage", json=body, headers=staff).status_code == 200
        assert client.post("/api/v1/screen", json=INTAKE, headers=staff).status_code == 200
    assert seen == []


def test_a_patients_check_in_is_a_few_statements_and_still_audited_in_the_chain(
    client: TestClient, clinic_a: ClinicWorld, uow: UnitOfWork, settings: Settings
) -> None:
    link = _opaque_link(uow, settings, clinic_a.treatment)
    routine = {"message": "it stings a little and my skin is tight and dry"}
    assert client.post(f"/api/v1/checkin/{link}", json=routine).status_code == 201
    with statements(client) as seen:
        answer = client.post(f"/api/v1/checkin/{link}", json=routine)
    assert answer.status_code == 201
    # the link; the treatment with its screening; the check-in; the audit row and its chain
    # (two statements on PostgreSQL, three on SQLite)
    assert len(seen) <= 6, seen
    with uow:
        row = uow.session.scalars(
            select(m.AuditEvent).where(
                m.AuditEvent.record_type == "checkin",
                m.AuditEvent.record_id == str(answer.json()["checkin_id"]),
            )
        ).one()
        assert (row.action, row.actor) == ("create", "patient_link")
        assert audit.verify(uow.session)[1] == []


def test_an_emergency_check_in_still_alerts_the_clinic_once(
    client: TestClient, clinic_a: ClinicWorld, uow: UnitOfWork, settings: Settings
) -> None:
    link = _opaque_link(uow, settings, clinic_a.treatment)
    urgent = {"message": "my lips are swelling and my throat feels tight"}
    answer = client.post(f"/api/v1/checkin/{link}", json=urgent)
    assert answer.status_code == 201
    assert answer.json()["triage"]["disposition"] == "emergency"
    with uow:
        alerts = uow.session.scalars(
            select(ClinicAlert).where(ClinicAlert.checkin_id == answer.json()["checkin_id"])
        ).all()
        assert len(alerts) == 1


def test_the_inbox_is_a_few_statements_whatever_it_lists(
    client: TestClient, clinic_a: ClinicWorld
) -> None:
    staff = clinic_a.practitioner.headers
    with statements(client) as seen:
        page = client.get("/api/v1/checkins?limit=50", headers=staff)
    assert page.status_code == 200 and page.json()["items"]
    # the token; the total; the page (those needing attention, then the rest); the audit row
    assert len(seen) <= 7, seen


def test_a_remembered_token_is_forgotten_after_its_time_and_the_memory_is_bounded() -> None:
    now = [0.0]
    memory = TokenMemory(seconds=30, size=3, clock=lambda: now[0])
    memory.remember("a", "user:1")
    assert memory.key("a") == "user:1" and memory.key("b") is None
    now[0] = 31.0
    assert memory.key("a") is None  # a token revoked meanwhile is looked up again
    for digest in "bcde":
        memory.remember(digest, f"user:{digest}")
    assert len(memory._known) <= 3 and memory.key("e") == "user:e"


def test_a_revoked_token_is_looked_up_again_once_forgotten(
    client: TestClient, clinic_a: ClinicWorld
) -> None:
    staff = clinic_a.practitioner.headers
    body = {"message": "a little red", "days_since_treatment": 1}
    assert client.post("/api/v1/triage", json=body, headers=staff).status_code == 200
    memory: TokenMemory = cast(FastAPI, client.app).state.token_memory
    memory.seconds = 0.0
    memory._known.clear()
    with statements(client) as seen:
        assert client.post("/api/v1/triage", json=body, headers=staff).status_code == 200
    assert len(seen) == 1
    # the routes that need a sign-in check the token every time
    with statements(client) as seen:
        assert client.get("/api/v1/checkins?limit=1", headers=staff).status_code == 200
        assert client.get("/api/v1/checkins?limit=1", headers=staff).status_code == 200
    assert sum("auth_tokens" in s for s in seen) == 2


def test_a_pooled_connection_the_server_dropped_is_replaced_unseen(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A connection unused for `PING_AFTER_IDLE_SECONDS` is asked before it is handed out (not
    every checkout: that was a round trip a request); one the server dropped is replaced."""
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite has no server to drop a connection")
    with engine.connect() as connection:
        pid = connection.execute(text("SELECT pg_backend_pid()")).scalar_one()
    admin = make_engine(engine.url.render_as_string(hide_password=False))
    with admin.begin() as connection:
        connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    admin.dispose()
    monkeypatch.setattr(db, "PING_AFTER_IDLE_SECONDS", 0.0)  # as if it had been idle
    with engine.connect() as connection:  # the pool's dead connection, replaced on checkout
        assert connection.execute(text("SELECT pg_backend_pid()")).scalar_one() != pid
