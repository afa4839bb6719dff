"""The senders: SMS through an HTTP provider (a local fake of the Messages API), SMTP URLs
with TLS and credentials, retries with back-off, and `needlesafe worker --once --now`."""

from __future__ import annotations

import base64
import datetime as dt
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

import pytest
from sqlalchemy import Engine, select
from typer.testing import CliRunner

from needlesafe.cli import app as cli
from needlesafe.knowledge.base import Knowledge
from needlesafe.messaging import OutboxSender, Outgoing, SendError
from needlesafe.messaging.mail import SmtpSender
from needlesafe.messaging.sms import HttpSmsSender
from needlesafe.services.worker import Delivery, Worker
from needlesafe.settings import Settings, get_settings
from needlesafe.store.db import make_session_factory
from needlesafe.store.followup import Job, Message
from needlesafe.store.uow import UnitOfWork
from tests.followup.followkit import Inbox, at, free_port, make_worker, treat_today


class FakeProvider:
    """A local HTTP server shaped like the Messages API; answers what `status` says."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.status = 201
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"])).decode()
                provider.requests.append(
                    {
                        "path": self.path,
                        "auth": self.headers.get("Authorization"),
                        "key": self.headers.get("Idempotency-Key"),
                        "form": {k: v[0] for k, v in parse_qs(body).items()},
                    }
                )
                answer = json.dumps({"sid": f"SM{len(provider.requests):04d}"}).encode()
                self.send_response(provider.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"


@pytest.fixture
def provider() -> Iterator[FakeProvider]:
    fake = FakeProvider()
    thread = threading.Thread(target=fake.server.serve_forever, daemon=True)
    thread.start()
    yield fake
    fake.server.shutdown()
    fake.server.server_close()


def _sms(provider: FakeProvider) -> HttpSmsSender:
    return HttpSmsSender(
        api_url=provider.url, account="AC123", token="s3cret", from_number="+15550100"
    )


def test_the_sms_adapter_speaks_the_messages_api_to_a_local_provider(
    provider: FakeProvider,
) -> None:
    sender = _sms(provider)
    ref = sender.send(Outgoing(to="+15550111", subject="", body="Hello", idempotency_key="k1"))
    assert ref == "SM0001"
    [request] = provider.requests
    assert request["path"] == "/2010-04-01/Accounts/AC123/Messages.json"
    assert request["auth"] == "Basic " + base64.b64encode(b"AC123:s3cret").decode()
    assert request["form"] == {"To": "+15550111", "From": "+15550100", "Body": "Hello"}
    assert request["key"] == "k1"
    assert "s3cret" not in repr(sender)
    provider.status = 503
    with pytest.raises(SendError) as busy:
        sender.send(Outgoing(to="+1", subject="", body="x", idempotency_key="k2"))
    assert busy.value.transient and "503" in busy.value.message
    provider.status = 400
    with pytest.raises(SendError) as refused:
        sender.send(Outgoing(to="+1", subject="", body="x", idempotency_key="k3"))
    assert not refused.value.transient


def test_a_reminder_goes_by_sms_through_the_provider_and_is_recorded(
    uow: UnitOfWork,
    engine: Engine,
    knowledge: Knowledge,
    settings: Settings,
    provider: FakeProvider,
) -> None:
    treated = treat_today(uow, knowledge, email_address=None)
    worker = Worker(
        make_session_factory(engine),
        knowledge=knowledge,
        delivery=Delivery(
            email=OutboxSender("email"),
            sms=_sms(provider),
            secret_key=settings.secret,
            base_url=settings.public_base_url,
            link_max_age=settings.checkin_link_max_age,
        ),
    )
    worker.run_due(now=at(treated.performed_on + dt.timedelta(days=1), 10))
    [request] = provider.requests
    body = request["form"]["Body"]
    assert request["form"]["To"] == "+1 555 0100"
    assert f"{settings.public_base_url}/checkin/" in body and "/reminders" in body
    assert len(body) <= 320  # two SMS segments at most
    with uow:
        message = uow.session.scalars(select(Message)).one()
        assert (message.channel, message.status, message.provider_ref, message.body) == (
            "sms",
            "sent",
            "SM0001",
            "",
        )


def test_a_failed_send_is_retried_with_back_off_then_failed(
    uow: UnitOfWork, engine: Engine, knowledge: Knowledge, settings: Settings
) -> None:
    treated = treat_today(uow, knowledge, phone=None)
    closed = f"smtp://127.0.0.1:{free_port()}"  # nothing listens there
    worker = make_worker(engine, knowledge, settings, closed)
    now = at(treated.performed_on + dt.timedelta(days=1), 10)
    assert worker.run_due(now=now).outcomes["send failed"] == 1
    with uow:
        job = uow.session.scalars(select(Job).where(Job.kind == "send")).one()
        assert (job.status, job.attempts, job.run_at) == (
            "pending",
            1,
            now + dt.timedelta(minutes=1),
        )
        assert job.last_error == "mail not sent: ConnectionRefusedError"
    for minutes in (1, 3, 7, 15):  # back-off 1, 2, 4, 8 minutes
        worker.run_due(now=now + dt.timedelta(minutes=minutes))
    with uow:
        job = uow.session.scalars(select(Job).where(Job.kind == "send")).one()
        message = uow.session.scalars(select(Message)).one()
        assert (job.status, job.attempts, message.status) == ("failed", 5, "failed")


def test_smtp_urls_take_tls_and_credentials_and_never_show_the_password(
    smtp: tuple[str, Inbox],
) -> None:
    secure = SmtpSender("smtps://user%40x:p%40ss@mail.example:2465", mail_from="a@b.example")
    assert (secure.implicit_tls, secure.host, secure.port, secure.username, secure.password) == (
        True,
        "mail.example",
        2465,
        "user@x",
        "p@ss",
    )
    assert "p@ss" not in repr(secure)
    with pytest.raises(ValueError, match="smtp://"):
        SmtpSender("http://mail.example", mail_from="a@b.example")
    # credentials are never sent over a connection without TLS
    url, inbox = smtp
    with_login = SmtpSender(url.replace("smtp://", "smtp://u:p@"), mail_from="a@b.example")
    with pytest.raises(SendError) as refused:
        with_login.send(Outgoing(to="x@y.example", subject="s", body="b", idempotency_key="k"))
    assert not refused.value.transient and inbox.messages == []


def test_the_worker_command_runs_what_is_due_at_a_given_time(
    uow: UnitOfWork,
    knowledge: Knowledge,
    settings: Settings,
    db_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    treated = treat_today(uow, knowledge)
    for name, value in {
        "NEEDLESAFE_DATABASE_URL": db_url,
        "NEEDLESAFE_ENVIRONMENT": "test",
        "NEEDLESAFE_SECRET_KEY": settings.secret,
    }.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    try:
        runner = CliRunner()
        day1 = at(treated.performed_on + dt.timedelta(days=1), 10).isoformat()
        result = runner.invoke(cli, ["worker", "--once", "--now", day1])
        assert result.exit_code == 0, result.output
        assert result.output.startswith("ran 3 jobs:")  # the reminder and its two messages
        assert "outbox 2" in result.output
        again = runner.invoke(cli, ["worker", "--once", "--now", day1])
        assert again.output.strip() == "ran 0 jobs: nothing due"
        bad = runner.invoke(cli, ["worker", "--once", "--now", "tuesday"])
        assert bad.exit_code == 2 and "--now" in bad.output
    finally:
        get_settings.cache_clear()
