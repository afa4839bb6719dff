"""Jobs run once: two workers at the same time never send a message twice; a worker killed
with SIGKILL in the middle of a run loses nothing, and its restart sends what was left."""

from __future__ import annotations

import asyncio
import datetime as dt
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from needlesafe.knowledge.base import Knowledge
from needlesafe.settings import Settings
from needlesafe.store.db import make_engine
from needlesafe.store.followup import Job, JobQueue, Message
from needlesafe.store.uow import UnitOfWork
from tests.followup.followkit import Inbox, free_port, make_worker
from tests.store.dbkit import DatabaseUnderTest, add_clinic

N = 30


def _queue_messages(uow: UnitOfWork, clinic_id: int, n: int = N) -> None:
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
                run_at=now - dt.timedelta(seconds=1),
                dedupe_key=f"send:{message.id}",
            )
        uow.commit()


def test_two_workers_at_once_send_each_message_exactly_once(
    uow: UnitOfWork, db_url: str, knowledge: Knowledge, settings: Settings, smtp: tuple[str, Inbox]
) -> None:
    url, inbox = smtp
    _queue_messages(uow, add_clinic(uow))
    engines = [make_engine(db_url) for _ in range(2)]
    workers = [make_worker(e, knowledge, settings, url) for e in engines]
    reports = []
    threads = [threading.Thread(target=lambda w=w: reports.append(w.run_due())) for w in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    for e in engines:
        e.dispose()
    ids = Counter(m["Message-ID"] for m in inbox.messages)
    assert len(ids) == N and max(ids.values()) == 1 and len(inbox.messages) == N
    assert sum(r.outcomes["sent"] for r in reports) == N
    assert all(r.outcomes["sent"] > 0 for r in reports), "both workers took a share"
    with uow:
        statuses = Counter(uow.session.scalars(select(Job.status)))
        assert statuses == {"done": N}


class SlowInbox(Inbox):
    """Takes a moment before each message's recipient is accepted (before its data). With
    `hold_at`, the recipient of that message is held until the test has killed the worker."""

    def __init__(self, hold_at: int | None = None) -> None:
        super().__init__()
        self.hold_at, self.recipients = hold_at, 0
        self.holding = threading.Event()

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        self.recipients += 1
        if self.recipients == self.hold_at:
            self.holding.set()
            await asyncio.sleep(1.5)  # the test kills the worker meanwhile
        await asyncio.sleep(0.02)
        envelope.rcpt_tos.append(address)
        return "250 OK"


# The worker in a process of its own, as `needlesafe worker --once` runs it, without the
# command line's start-up (importing every command takes seconds on a busy machine). Only
# deliveries are queued here, which do not read the knowledge base.
WORKER_SCRIPT = """
import datetime as dt, sys
from needlesafe.messaging import OutboxSender
from needlesafe.messaging.mail import SmtpSender
from needlesafe.services.worker import Delivery, Worker
from needlesafe.store.db import make_engine, make_session_factory

db_url, smtp_url, now = sys.argv[1:]
delivery = Delivery(
    email=SmtpSender(smtp_url, mail_from="alerts@clinic.example"),
    sms=OutboxSender("sms"),
    secret_key="x" * 40,
    base_url="https://clinic.example",
    link_max_age=dt.timedelta(days=30),
)
worker = Worker(make_session_factory(make_engine(db_url)), knowledge=None, delivery=delivery)
print(worker.run_due(now=dt.datetime.fromisoformat(now)).outcomes)
"""


def _worker_process(db_url: str, smtp_url: str, now: dt.datetime) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-c", WORKER_SCRIPT, db_url, smtp_url, now.isoformat()],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=Path(__file__).parent,
    )


@pytest.mark.parametrize("when", ["before_data", "right_after_acceptance"])
def test_a_worker_killed_mid_run_loses_nothing_and_its_restart_sends_the_rest(
    uow: UnitOfWork,
    db_url: str,
    database: DatabaseUnderTest,
    knowledge: Knowledge,
    settings: Settings,
    when: str,
) -> None:
    if when == "right_after_acceptance" and database.kind == "postgresql":
        pytest.skip("the same claim and commit code as on SQLite: once is enough (test time)")
    inbox = SlowInbox(hold_at=6 if when == "before_data" else None)
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    smtp_url = f"smtp://127.0.0.1:{port}"
    try:
        _queue_messages(uow, add_clinic(uow))
        now = dt.datetime.now(dt.UTC)
        first = _worker_process(db_url, smtp_url, now)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if first.poll() is not None:
                assert first.stderr is not None  # started with stderr=PIPE
                pytest.fail(
                    "the worker ended before it was killed: " + first.stderr.read().decode()
                )
            if inbox.holding.is_set() if inbox.hold_at else len(inbox.messages) >= 5:
                break  # mid-send: waiting for the server, or just after its 250 to the data
            time.sleep(0.002)
        first.send_signal(signal.SIGKILL)
        first.wait(10)
        delivered_before = len(inbox.messages)
        assert 5 <= delivered_before < N, "killed in the middle of the run"
        # started again (here in this process, to save a second start-up) after the lease
        # (2 minutes) of the job it was sending ran out
        engine = make_engine(db_url)
        report = make_worker(engine, knowledge, settings, smtp_url).run_due(
            now=now + dt.timedelta(minutes=3)
        )
        engine.dispose()
        assert report.total >= N - delivered_before
    finally:
        controller.stop()
    ids = Counter(m["Message-ID"] for m in inbox.messages)
    assert len(ids) == N, "every message was delivered"
    repeats = len(inbox.messages) - N
    if when == "before_data":
        assert repeats == 0  # each message sent exactly once
    else:
        # killed between the server's acceptance and the commit (a window of milliseconds,
        # hit on purpose here): that one message goes again, with the same Message-ID, which
        # mail clients use to drop the repeat; no other message is repeated
        assert repeats <= 1
    with uow:
        assert Counter(uow.session.scalars(select(Job.status))) == {"done": N}
        assert Counter(uow.session.scalars(select(Message.status))) == {"sent": N}
