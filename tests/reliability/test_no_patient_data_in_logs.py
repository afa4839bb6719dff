"""Nothing clinical in any log line (issue 16, item 1): `needlesafe serve` in its own process,
its database made to fail every write of a patient's name, phone, check-in and adverse event
(a trigger), on SQLite and PostgreSQL. Every line the server wrote (uvicorn's and ours) is
scanned for the patient's name, phone number and words."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
from sqlalchemy import Engine, text

from tests.api.apikit import ClinicWorld
from tests.reliability.serverkit import free_port
from tests.store.dbkit import SECRET

NAME = "Zelda Quincefield"
PHONE = "+44 7700 900457"
WORDS = "my lips are swelling and Zelda cannot breathe"
NOTES = "blistering on the left cheek after Quincefield serum"
SECRETS = (NAME, "Quincefield", "Zelda", "7700 900457", "900457", "lips are swelling", "blistering")
FAILING = ("patients", "checkins", "adverse_events")


def _fail_writes(engine: Engine) -> None:
    with engine.begin() as connection:
        for table in FAILING:
            if engine.dialect.name == "sqlite":
                connection.execute(
                    text(
                        f"CREATE TRIGGER fail_{table} BEFORE INSERT ON {table} "
                        "BEGIN SELECT RAISE(ABORT, 'forced failure'); END"
                    )
                )
            else:
                connection.execute(
                    text(
                        f"CREATE FUNCTION fail_{table}() RETURNS trigger LANGUAGE plpgsql AS "
                        "$$ BEGIN RAISE EXCEPTION 'forced failure'; END $$"
                    )
                )
                connection.execute(
                    text(
                        f"CREATE TRIGGER fail_{table} BEFORE INSERT ON {table} "
                        f"FOR EACH ROW EXECUTE FUNCTION fail_{table}()"
                    )
                )


def _restore_writes(engine: Engine) -> None:
    """PostgreSQL's test schema is shared by the session's tests: take the triggers away."""
    with engine.begin() as connection:
        for table in FAILING:
            connection.execute(
                text(
                    f"DROP TRIGGER IF EXISTS fail_{table}"
                    + (f" ON {table}" if engine.dialect.name == "postgresql" else "")
                )
            )
            if engine.dialect.name == "postgresql":
                connection.execute(text(f"DROP FUNCTION IF EXISTS fail_{table}()"))


def _serve(db_url: str, tmp_path: Path) -> tuple[subprocess.Popen[str], str]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEEDLESAFE_")}
    env.update(NEEDLESAFE_ENVIRONMENT="test", NEEDLESAFE_SECRET_KEY=SECRET)
    needlesafe = Path(sys.executable).parent / "needlesafe"
    server = subprocess.Popen(
        [str(needlesafe), "serve", "--port", str(port), "--database-url", db_url, "--no-worker"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                return server, base
        except httpx.TransportError:
            time.sleep(0.2)
    server.kill()
    raise AssertionError("the server did not start")


def test_no_log_line_holds_the_patients_name_phone_or_words(
    engine: Engine, clinic_a: ClinicWorld, db_url: str, tmp_path: Path
) -> None:
    _fail_writes(engine)
    try:
        server, base = _serve(db_url, tmp_path)
    except AssertionError:
        _restore_writes(engine)
        raise
    try:
        staff = clinic_a.practitioner.headers
        with httpx.Client(base_url=base, timeout=30) as http:
            made = http.post("/api/v1/patients", json={"name": NAME, "phone": PHONE}, headers=staff)
            assert made.status_code == 500 and "reference" in made.text
            answered = http.post(f"/api/v1/checkin/{clinic_a.link}", json={"message": WORDS})
            assert answered.status_code == 503  # answered, but not saved
            assert answered.json()["triage"]["disposition"] == "emergency"
            event = http.post(
                "/api/v1/adverse-events",
                json={
                    "patient_id": clinic_a.patient,
                    "complication": "infection",
                    "onset_date": "2026-01-02",
                    "ctcae_grade": 2,
                    "notes": NOTES,
                },
                headers=staff,
            )
            assert event.status_code == 500
            page = http.post(
                f"/checkin/{clinic_a.link}",
                data={"message": WORDS},
                headers={"accept": "text/html"},
            )
            assert page.status_code == 403  # no CSRF cookie: refused before anything is read
    finally:
        server.kill()  # every line is written as it is logged: nothing waits for shutdown
        output, _ = server.communicate(timeout=30)
        _restore_writes(engine)
    lines = output.splitlines()
    assert any("not stored: a patient's check-in" in line for line in lines), output
    assert sum("Error on POST" in line for line in lines) >= 2, output
    leaks = [line for line in lines if any(s.lower() in line.lower() for s in SECRETS)]
    assert leaks == []
    assert "Traceback" not in output
