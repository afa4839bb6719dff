"""Nothing acknowledged is lost or stored twice (issue 16, item 10): patients' check-ins and
adverse events sent with Idempotency-Keys and retried until answered, while the server is
killed (SIGKILL) at random moments and started again; afterwards every acknowledged record
is there exactly once. `needlesafe serve` in its own process, on SQLite and PostgreSQL."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine, text

from tests.api.apikit import ClinicWorld
from tests.reliability.serverkit import free_port
from tests.store.dbkit import SECRET

ITEMS = 24
KILLS = 2


class Server:
    def __init__(self, db_url: str, directory: Path) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.db_url, self.directory = db_url, directory
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("NEEDLESAFE_")}
        env.update(NEEDLESAFE_ENVIRONMENT="test", NEEDLESAFE_SECRET_KEY=SECRET)
        needlesafe = Path(sys.executable).parent / "needlesafe"
        command = [str(needlesafe), "serve", "--port", str(self.port)]
        command += ["--database-url", self.db_url, "--no-worker"]
        self.process = subprocess.Popen(
            command,
            cwd=self.directory,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=30)


def _send_until_answered(
    client: httpx.Client, path: str, body: dict[str, object], headers: dict[str, str]
) -> str:
    """The record's id, however many tries and restarts it takes (same key every time)."""
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        try:
            response = client.post(path, json=body, headers=headers)
        except httpx.TransportError:
            time.sleep(0.3)
            continue
        if response.status_code == 201:
            answer = response.json()
            return str(answer.get("checkin_id") or answer.get("id"))
        if response.status_code == 409 and "record_id" in response.json():
            return str(response.json()["record_id"])  # stored; the answer was lost
        time.sleep(0.3)  # 503 while starting, or a failed write: send again
    raise AssertionError(f"no answer for {path}")


@pytest.mark.slow
def test_every_acknowledged_record_is_stored_once_across_kills_and_retries(
    engine: Engine, clinic_a: ClinicWorld, db_url: str, tmp_path: Path
) -> None:
    server = Server(db_url, tmp_path)
    server.start()
    rng = random.Random(16)
    done = threading.Event()

    def killer() -> None:
        for _ in range(KILLS):
            if done.wait(rng.uniform(2.0, 5.0)):
                return
            server.kill()
            server.start()

    chaos = threading.Thread(target=killer)
    chaos.start()
    acknowledged: dict[str, str] = {}
    staff = clinic_a.practitioner.headers
    try:
        with httpx.Client(base_url=server.base, timeout=15) as client:
            for i in range(ITEMS):
                message = f"durability check-in number {i}, a bit red"
                acknowledged[f"c{i}"] = _send_until_answered(
                    client,
                    f"/api/v1/checkin/{clinic_a.link}",
                    {"message": message},
                    {"Idempotency-Key": f"checkin-{i}"},
                )
                event = {
                    "patient_id": clinic_a.patient,
                    "complication": "infection",
                    "onset_date": "2026-01-02",
                    "ctcae_grade": 1,
                    "notes": f"durability event number {i}",
                }
                acknowledged[f"e{i}"] = _send_until_answered(
                    client, "/api/v1/adverse-events", event, {**staff, "Idempotency-Key": f"ae-{i}"}
                )
    finally:
        done.set()
        chaos.join()
        server.kill()
    with engine.connect() as connection:
        for i in range(ITEMS):
            checkins = connection.execute(
                text("SELECT id FROM checkins WHERE CAST(input AS TEXT) LIKE :m"),
                {"m": f"%durability check-in number {i},%"},
            ).all()
            events = connection.execute(
                text("SELECT id FROM adverse_events WHERE notes = :n"),
                {"n": f"durability event number {i}"},
            ).all()
            assert [str(r.id) for r in checkins] == [acknowledged[f"c{i}"]], i
            assert [str(r.id) for r in events] == [acknowledged[f"e{i}"]], i
