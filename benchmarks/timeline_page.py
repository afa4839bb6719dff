"""The patient's timeline page (`GET /patients/{id}`): SQL statements, transactions and
milliseconds per request, medians.

A clinic with one patient who has 3 screenings, 2 treatments, 4 check-ins and 2 adverse
events (one updated, one closed), in a SQLite file (or NEEDLESAFE_BENCH_DATABASE_URL, an empty
database). Usage: `python benchmarks/timeline_page.py [--requests 60]`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import statistics
import tempfile
import time
from pathlib import Path

from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import event

from needlesafe.app import create_app
from needlesafe.knowledge.loader import default_knowledge, load_knowledge
from needlesafe.services import accounts
from needlesafe.settings import Settings
from needlesafe.store.db import make_engine, make_session_factory
from needlesafe.store.migrate import upgrade
from needlesafe.store.uow import UnitOfWork

EMAIL, PASSWORD = "doc@bench.example", "correct horse battery staple 42"
INTAKE = {
    "patient": {"age": 35, "fitzpatrick": "IV", "conditions": ["cold_sore_history"]},
    "plan": {"areas": ["cheeks"], "needle_depth_mm": 1.0, "device": "pen"},
}


def _treatment(days_ago: int) -> dict[str, object]:
    return {
        "performed_on": (dt.date.today() - dt.timedelta(days=days_ago)).isoformat(),
        "device": "pen",
        "areas": [{"area": "cheeks", "depth_mm": 1.0, "passes": 2}],
        "numbing_agent": "none",
        "override_reason": "benchmark: consent signed on paper",
    }


def seed(client: TestClient) -> int:
    token = client.post("/api/v1/auth/token", json={"email": EMAIL, "password": PASSWORD}).json()[
        "access_token"
    ]
    auth = {"Authorization": f"Bearer {token}"}
    patient = client.post("/api/v1/patients", json={"name": "Pat Bench"}, headers=auth).json()
    pid = patient["id"]
    for _ in range(3):
        made = client.post(f"/api/v1/patients/{pid}/intakes", json=INTAKE, headers=auth)
        assert made.status_code == 201, made.text
    treatments = []
    for days in (10, 3):
        made = client.post(
            f"/api/v1/patients/{pid}/treatments", json=_treatment(days), headers=auth
        )
        assert made.status_code == 201, made.text
        treatments.append(made.json()["id"])
    link = client.post(f"/api/v1/treatments/{treatments[-1]}/checkin-link", headers=auth).json()
    link_token = link["url"].rstrip("/").rsplit("/", 1)[-1]
    for symptoms in (["redness"], ["swelling"], ["pus", "pain"], []):
        sent = client.post(
            f"/api/v1/checkin/{link_token}",
            json={"days_since_treatment": 2, "symptoms": symptoms},
        )
        assert sent.status_code in (200, 201), sent.text
    for complication, closed in (("infection", False), ("hyperpigmentation", True)):
        made = client.post(
            "/api/v1/adverse-events",
            json={
                "patient_id": pid,
                "treatment_id": treatments[-1],
                "complication": complication,
                "onset_date": dt.date.today().isoformat(),
                "ctcae_grade": 1,
            },
            headers=auth,
        )
        assert made.status_code == 201, made.text
        eid = made.json()["id"]
        client.patch(f"/api/v1/adverse-events/{eid}", json={"ctcae_grade": 2}, headers=auth)
        if closed:
            client.post(
                f"/api/v1/adverse-events/{eid}/close",
                json={"outcome": "recovered", "resolved_date": dt.date.today().isoformat()},
                headers=auth,
            )
    return int(pid)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=60)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = os.environ.get("NEEDLESAFE_BENCH_DATABASE_URL") or f"sqlite:///{Path(folder)}/t.db"
        engine = make_engine(url)
        upgrade(engine)
        uow = UnitOfWork(make_session_factory(engine))
        accounts.create_clinic(
            uow, name="Bench Clinic", phone="020 7946 0100", emergency_number="999"
        )
        accounts.create_user_for_clinic(
            uow, clinic_name="Bench Clinic", email=EMAIL, role="practitioner", password=PASSWORD
        )
        engine.dispose()
        settings = Settings(
            environment="test",
            database_url=url,
            secret_key=SecretStr("b" * 40),
            public_base_url="http://testserver",
        )
        app = create_app(
            settings,
            knowledge=(
                load_knowledge(Path(os.environ["H2_KN"]))
                if os.environ.get("H2_KN")
                else default_knowledge()
            ),
        )
        counts = {"statements": 0, "transactions": 0, "audit": 0}
        app_engine = app.state.needlesafe.engine

        @event.listens_for(app_engine, "before_cursor_execute")
        def _count(_c: object, _k: object, statement: str, *_: object) -> None:
            counts["statements"] += 1
            counts["audit"] += statement.lstrip().upper().startswith("INSERT INTO AUDIT_EVENTS")

        @event.listens_for(app_engine, "begin")
        def _begin(*_: object) -> None:
            counts["transactions"] += 1

        with TestClient(app, base_url="http://testserver", follow_redirects=False) as client:
            pid = seed(client)
            page = client.get("/login", headers={"accept": "text/html"}).text
            csrf = re.search(r'name="csrf_token" value="([0-9a-f]+)"', page)
            assert csrf
            signed = client.post(
                "/login", data={"csrf_token": csrf.group(1), "email": EMAIL, "password": PASSWORD}
            )
            assert signed.status_code == 303, signed.text
            statements, transactions, audits, times = [], [], [], []
            for _ in range(args.requests):
                counts.update(statements=0, transactions=0, audit=0)
                started = time.perf_counter()
                response = client.get(f"/patients/{pid}", headers={"accept": "text/html"})
                times.append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200, response.text
                statements.append(counts["statements"])
                transactions.append(counts["transactions"])
                audits.append(counts["audit"])
        app_engine.dispose()
    print(
        f"GET /patients/{{id}} (3 screenings, 2 treatments, 4 check-ins, 2 adverse events), "
        f"{args.requests} requests: median {statistics.median(statements):.0f} statements, "
        f"{statistics.median(transactions):.0f} transactions, "
        f"{statistics.median(audits):.0f} audit rows, "
        f"{statistics.median(times):.1f} ms"
    )


if __name__ == "__main__":
    main()
