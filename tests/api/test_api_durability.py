"""A check-in the server acknowledged survives the server being killed (SIGKILL), on the
SQLite default: `needlesafe serve` in its own process, as `make run` starts it."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
from sqlalchemy import text

from needlesafe.store.db import make_engine


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_an_acknowledged_checkin_survives_a_killed_server(tmp_path: Path) -> None:
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEEDLESAFE_")}
    env["NEEDLESAFE_ENVIRONMENT"] = "development"
    needlesafe = Path(sys.executable).parent / "needlesafe"
    server = subprocess.Popen(
        [str(needlesafe), "serve", "--port", str(port)],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        link = None
        deadline = time.monotonic() + 60
        assert server.stdout is not None
        while time.monotonic() < deadline:
            line = server.stdout.readline()
            found = re.search(r"/checkin/(\S+)", line)
            if found:
                link = found.group(1)
            if "Uvicorn running" in line or "Application startup complete" in line:
                break
        assert link, "serve printed no check-in link"
        response = httpx.post(
            f"http://127.0.0.1:{port}/api/v1/checkin/{link}",
            json={"message": "my lips are swelling and I can't breathe"},
            timeout=30,
        )
        assert response.status_code == 201
        checkin_id = response.json()["checkin_id"]
    finally:
        server.send_signal(signal.SIGKILL)
        server.wait(timeout=30)
    assert (tmp_path / ".needlesafe-secret").exists()
    engine = make_engine(f"sqlite:///{tmp_path / 'needlesafe.db'}")
    with engine.connect() as connection:
        row = connection.execute(
            text("SELECT disposition FROM checkins WHERE id = :id"), {"id": checkin_id}
        ).one()
    engine.dispose()
    assert row.disposition == "emergency"
