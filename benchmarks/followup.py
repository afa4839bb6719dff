"""Follow-up loop benchmark: messages delivered per second through the job queue to a real
SMTP server (aiosmtpd on loopback) with one and two workers, the time from an urgent check-in's
commit to its alert email in the clinic's mailbox, and the photo colour measurement.

    .venv/bin/python benchmarks/followup.py [--messages 300] [--repeats 3] [--alerts 20]
        [--postgres postgresql+psycopg://postgres@127.0.0.1:5432/test]

Each delivery opens its own SMTP connection (as the worker does), so the rate is bounded by
SMTP round trips and one commit per message, not by the claim. The alert latency is measured
with the worker polling every 0.5 s (NEEDLESAFE_WORKER_POLL_SECONDS; the default 2 s adds
about 0.75 s to the median). Prints a markdown table for the README.
"""

from __future__ import annotations

import argparse
import datetime as dt
import platform
import secrets
import socket
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote

import numpy as np
from aiosmtpd.controller import Controller
from sqlalchemy import text

from needlesafe.engine import skin_colour
from needlesafe.knowledge.loader import default_knowledge
from needlesafe.messaging import OutboxSender
from needlesafe.messaging.mail import SmtpSender
from needlesafe.services import alerts
from needlesafe.services.worker import Delivery, Worker
from needlesafe.store import migrate
from needlesafe.store import models as m
from needlesafe.store.db import make_engine, make_session_factory
from needlesafe.store.followup import JobQueue, Message
from needlesafe.store.uow import UnitOfWork


class Mailbox:
    def __init__(self) -> None:
        self.count = 0
        self.arrived: dict[str, float] = {}
        self.lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.lock:
            self.count += 1
            for rcpt in envelope.rcpt_tos:
                self.arrived[rcpt] = time.perf_counter()
        return "250 OK"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def database(kind: str, postgres: str | None) -> tuple[str, Any]:
    """A migrated, empty database: (url, cleanup)."""
    if kind == "sqlite":
        folder = Path(tempfile.mkdtemp())
        url = f"sqlite:///{folder / 'bench.db'}"
        engine = make_engine(url)
        migrate.upgrade(engine)
        engine.dispose()
        return url, lambda: None
    assert postgres
    schema = f"bench_{secrets.token_hex(4)}"
    admin = make_engine(postgres)
    with admin.begin() as c:
        c.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = f"{postgres}?options={quote(f'-csearch_path={schema}')}"
    engine = make_engine(url)
    migrate.upgrade(engine)
    engine.dispose()

    def drop() -> None:
        with admin.begin() as c:
            c.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()

    return url, drop


def worker_for(url: str, smtp: str, knowledge: Any) -> Worker:
    return Worker(
        make_session_factory(make_engine(url)),
        knowledge=knowledge,
        delivery=Delivery(
            email=SmtpSender(smtp, mail_from="bench@clinic.example"),
            sms=OutboxSender("sms"),
            secret_key="x" * 40,
            base_url="https://clinic.example",
            link_max_age=dt.timedelta(days=30),
        ),
    )


def clinic(uow: UnitOfWork, alert_email: str | None = None) -> int:
    with uow:
        row = m.Clinic(name=f"Bench {secrets.token_hex(3)}", alert_email=alert_email)
        uow.clinics.add(row)
        uow.commit()
        return row.id


def queue_messages(uow: UnitOfWork, clinic_id: int, n: int) -> None:
    now = dt.datetime.now(dt.UTC)
    with uow:
        queue = JobQueue(uow.session)
        for i in range(n):
            message = Message(
                clinic_id=clinic_id,
                kind="alert",
                channel="email",
                to_address=f"desk{i}@clinic.example",
                status="queued",
                subject="",
                body="",
                provider_ref="",
                error="",
            )
            uow.session.add(message)
            uow.session.flush()
            queue.enqueue(
                clinic_id=clinic_id,
                kind="send",
                payload={"message_id": message.id},
                run_at=now,
                dedupe_key=f"send:{message.id}",
            )
        uow.commit()


def delivery_rate(url: str, smtp: str, box: Mailbox, n: int, workers: int, knowledge: Any) -> float:
    uow = UnitOfWork(make_session_factory(make_engine(url)))
    queue_messages(uow, clinic(uow), n)
    before = box.count
    runners = [worker_for(url, smtp, knowledge) for _ in range(workers)]
    started = time.perf_counter()
    threads = [threading.Thread(target=r.run_due) for r in runners]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    if box.count - before != n:
        raise SystemExit(f"expected {n} messages, the server got {box.count - before}")
    return n / elapsed


def alert_latency(url: str, smtp: str, box: Mailbox, samples: int, knowledge: Any) -> list[float]:
    engine = make_engine(url)
    uow = UnitOfWork(make_session_factory(engine))
    runner = worker_for(url, smtp, knowledge)
    stop = threading.Event()
    thread = threading.Thread(target=runner.run_forever, args=(stop,), kwargs={"poll_seconds": 0.5})
    thread.start()
    latencies = []
    try:
        for i in range(samples):
            address = f"alerts{i}-{secrets.token_hex(3)}@clinic.example"
            clinic_id = clinic(uow, alert_email=address)
            with uow:
                patient = uow.patients.add(m.Patient(clinic_id=clinic_id, name="Bench"))
                treatment = uow.treatments.add(
                    m.Treatment(
                        clinic_id=clinic_id,
                        patient_id=patient.id,
                        performed_on=dt.date.today(),
                        device="pen",
                    )
                )
                checkin = uow.checkins.add(
                    m.CheckIn(
                        clinic_id=clinic_id,
                        patient_id=patient.id,
                        treatment_id=treatment.id,
                        source="patient_link",
                        input={},
                        triage={},
                        disposition="urgent",
                        urgency=2,
                        knowledge_version="bench",
                    )
                )
                alerts.alert_clinic(uow, checkin=checkin)
                uow.commit()
                committed = time.perf_counter()
            while address not in box.arrived:
                time.sleep(0.002)
            latencies.append(box.arrived[address] - committed)
            time.sleep(0.3 * (i % 4) / 4)  # arrive at different points of the poll cycle
    finally:
        stop.set()
        thread.join()
        engine.dispose()
    return latencies


def colour_rate(repeats: int = 2000) -> float:
    rng = np.random.default_rng(3)
    treated = rng.integers(150, 230, size=(100, 100, 3)).astype(float)
    reference = rng.integers(150, 230, size=(100, 100, 3)).astype(float)
    started = time.perf_counter()
    for _ in range(repeats):
        skin_colour.measure(treated, reference)
    return (time.perf_counter() - started) / repeats * 1e6


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=300)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--alerts", type=int, default=20)
    parser.add_argument("--postgres")
    args = parser.parse_args()
    knowledge = default_knowledge()
    box = Mailbox()
    port = free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    smtp = f"smtp://127.0.0.1:{port}"
    print(
        f"Python {platform.python_version()}, {sys.platform}; {args.messages} messages, "
        f"median of {args.repeats}\n"
    )
    print("| database | workers | messages/s | alert: commit to mailbox p50 / p95 |")
    print("|---|---:|---:|---:|")
    try:
        for kind in ["sqlite"] + (["postgresql"] if args.postgres else []):
            url, cleanup = database(kind, args.postgres)
            try:
                lat = sorted(alert_latency(url, smtp, box, args.alerts, knowledge))
                p50, p95 = statistics.median(lat), lat[int(0.95 * (len(lat) - 1))]
                for workers in (1, 2):
                    rates = [
                        delivery_rate(url, smtp, box, args.messages, workers, knowledge)
                        for _ in range(args.repeats)
                    ]
                    shown = f"{p50 * 1000:.0f} / {p95 * 1000:.0f} ms" if workers == 1 else ""
                    print(f"| {kind} | {workers} | {statistics.median(rates):.0f} | {shown} |")
            finally:
                cleanup()
    finally:
        controller.stop()
    print(f"\ncolour measurement (two 100 x 100 areas): {colour_rate():.0f} µs")


if __name__ == "__main__":
    main()
