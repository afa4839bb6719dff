"""Sign-in protection that holds (issue 16 item 4, issue 11 item 4's lockout): counted in the
database per account and per address, shared by every worker and kept across restarts,
atomic under concurrent guesses, the wait stated, other accounts never locked; failed
sign-ins audited with the client address; password hashing bounded. Both databases."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from needlesafe.app import create_app
from needlesafe.knowledge.base import Knowledge
from needlesafe.services import accounts
from needlesafe.settings import Settings
from needlesafe.store import models as m
from tests.api.apikit import ClinicWorld

WRONG = "not the password"


def _token(client: TestClient, email: str, password: str) -> int:
    # TestClient's methods are typed against httpx2, not installed here: Any to mypy
    response: httpx.Response = client.post(
        "/api/v1/auth/token", json={"email": email, "password": password}
    )
    return response.status_code


@pytest.fixture
def clock(app: FastAPI) -> list[float]:
    now = [time.time()]
    app.state.needlesafe.login_limiter.clock = lambda: now[0]
    return now


def test_an_account_waits_after_five_failures_with_the_wait_stated_and_it_doubles(
    client: TestClient, clinic_a: ClinicWorld, clock: list[float]
) -> None:
    email = clinic_a.admin.email
    assert [_token(client, email, WRONG) for _ in range(5)] == [401] * 5
    refused = client.post("/api/v1/auth/token", json={"email": email, "password": WRONG})
    assert refused.status_code == 429
    assert refused.json()["detail"][0]["message"] == (
        "too many failed sign-ins; try again in 1 minute"
    )
    assert 55 <= int(refused.headers["retry-after"]) <= 60
    right = _token(client, email, clinic_a.admin.password)
    assert right == 429  # the account itself waits, even with the right password
    clock[0] += 61
    assert _token(client, email, WRONG) == 401  # one more try, then a longer wait
    again = client.post("/api/v1/auth/token", json={"email": email, "password": WRONG})
    assert again.json()["detail"][0]["message"].endswith("try again in 2 minutes")
    clock[0] += 121
    assert _token(client, email, clinic_a.admin.password) == 200  # and it starts afresh
    assert _token(client, email, WRONG) == 401


def test_one_accounts_failures_never_lock_another_account_at_the_same_address(
    client: TestClient, clinic_a: ClinicWorld, clock: list[float]
) -> None:
    for _ in range(6):
        _token(client, clinic_a.admin.email, WRONG)
    assert _token(client, clinic_a.admin.email, WRONG) == 429
    practitioner = clinic_a.practitioner
    assert _token(client, practitioner.email, practitioner.password) == 200


def test_a_flood_from_one_address_waits_and_says_so(
    client: TestClient, clinic_a: ClinicWorld, clock: list[float]
) -> None:
    codes = [_token(client, f"guess{i}@example.com", WRONG) for i in range(51)]
    assert codes == [401] * 50 + [429]
    assert _token(client, clinic_a.practitioner.email, clinic_a.practitioner.password) == 429


def test_the_count_is_shared_by_two_workers_and_survives_a_restart(
    settings: Settings, knowledge: Knowledge, clinic_a: ClinicWorld
) -> None:
    first, second = (create_app(settings, knowledge=knowledge) for _ in range(2))
    email = clinic_a.admin.email
    with TestClient(first) as one, TestClient(second) as two:
        codes = [_token(client, email, WRONG) for client in (one, two, one, two, one, two)]
    assert codes == [401] * 5 + [429]
    for app in (first, second):
        app.state.needlesafe.engine.dispose()
    restarted = create_app(settings, knowledge=knowledge)
    with TestClient(restarted) as client:
        assert _token(client, email, clinic_a.admin.password) == 429
    restarted.state.needlesafe.engine.dispose()


def test_forty_concurrent_guesses_get_five_checks(
    client: TestClient, clinic_a: ClinicWorld
) -> None:
    email = clinic_a.admin.email
    with ThreadPoolExecutor(8) as pool:
        codes = list(pool.map(lambda _: _token(client, email, WRONG), range(40)))
    assert codes.count(401) == 5 and codes.count(429) == 35, codes


def test_failed_and_refused_sign_ins_are_audited_with_the_address(
    client: TestClient, clinic_a: ClinicWorld, engine: Engine, clock: list[float]
) -> None:
    for _ in range(6):
        _token(client, clinic_a.admin.email, WRONG)
    _token(client, "nobody@example.com", WRONG)
    _token(client, clinic_a.practitioner.email, clinic_a.practitioner.password)
    with engine.connect() as connection:
        rows = connection.execute(
            select(m.AuditEvent.action, m.AuditEvent.clinic_id, m.AuditEvent.client_address)
            .where(m.AuditEvent.action.like("login%"))
            .order_by(m.AuditEvent.id)
        ).all()
    actions = [r.action for r in rows]
    assert actions == ["login_failed"] * 5 + ["login_locked", "login_failed", "login"]
    assert all(r.client_address == "testclient" for r in rows)
    assert rows[0].clinic_id == clinic_a.clinic_id and rows[6].clinic_id is None


def test_no_more_passwords_are_hashed_at_once_than_the_setting_allows(
    settings: Settings, knowledge: Knowledge, clinic_a: ClinicWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    inside, most, lock = [0], [0], threading.Lock()

    class CountingHasher:
        def verify(self, _hash: str, _password: str) -> bool:
            with lock:
                inside[0] += 1
                most[0] = max(most[0], inside[0])
            time.sleep(0.05)
            with lock:
                inside[0] -= 1
            return False

        def hash(self, _password: str) -> str:
            self.verify("", "")
            return "x"

    monkeypatch.setattr(accounts, "_hasher", CountingHasher)
    app = create_app(
        settings.model_copy(update={"password_hash_concurrency": 2}), knowledge=knowledge
    )
    with TestClient(app) as client, ThreadPoolExecutor(16) as pool:
        emails = [f"u{i}@example.com" for i in range(16)]
        codes = list(pool.map(lambda e: _token(client, e, WRONG), emails))
    app.state.needlesafe.engine.dispose()
    assert codes == [401] * 16, codes
    assert most[0] == 2
