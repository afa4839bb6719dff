"""The clinic alerted at once: an emergency check-in reaches the clinic's alert address within
seconds through a real SMTP server; unacknowledged, it goes again to the second address; the
patient is told exactly what the clinic was told."""

from __future__ import annotations

import datetime as dt
import threading
import time
from typing import Any, cast

from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from needlesafe.knowledge.base import Knowledge
from needlesafe.services import treatments
from needlesafe.settings import Settings
from needlesafe.store.followup import ClinicAlert, Message
from needlesafe.store.uow import UnitOfWork
from tests.followup.followkit import Inbox, make_worker, treat_today
from tests.store.dbkit import Staff

EMERGENCY = {"message": "my lips are swelling and I cant breathe"}


def _link(uow: UnitOfWork, settings: Settings, treatment_id: int) -> str:
    link = treatments.issue_checkin_link(
        uow,
        actor=None,
        treatment_id=treatment_id,
        secret_key=settings.secret,
        base_url=settings.public_base_url,
        max_age=settings.checkin_link_max_age,
    )
    assert link is not None
    return link.token


def _set_alerts(client: TestClient, staff: Staff, **values: object) -> dict[str, Any]:
    response = client.patch("/api/v1/clinic", json=values, headers=staff.headers)
    assert response.status_code == 200, response.text
    clinic: dict[str, Any] = response.json()
    return clinic


def test_the_alert_settings_are_the_clinics_and_checked(
    client: TestClient, uow: UnitOfWork, knowledge: Knowledge
) -> None:
    treated = treat_today(uow, knowledge)
    body = _set_alerts(
        client,
        treated.staff,
        alert_email="Front-Desk@Clinic.example",
        alert_email_second="owner@clinic.example",
        realert_minutes=10,
    )
    assert (body["alert_email"], body["alert_email_second"], body["realert_minutes"]) == (
        "front-desk@clinic.example",
        "owner@clinic.example",
        10,
    )
    bad = client.patch(
        "/api/v1/clinic", json={"alert_email": "a@b.c, x@y.z"}, headers=treated.staff.headers
    )
    assert bad.status_code == 422
    assert bad.json()["detail"][0]["path"] == "alert_email"
    assert client.get("/api/v1/clinic", headers=treated.staff.headers).json()["alert_email"] == (
        "front-desk@clinic.example"
    )


def test_an_emergency_check_in_reaches_the_clinic_within_seconds_and_the_patient_is_told(
    client: TestClient,
    uow: UnitOfWork,
    engine: Engine,
    knowledge: Knowledge,
    settings: Settings,
    smtp: tuple[str, Inbox],
) -> None:
    url, inbox = smtp
    treated = treat_today(uow, knowledge)
    _set_alerts(client, treated.staff, alert_email="desk@clinic.example")
    token = _link(uow, settings, treated.treatment_id)
    worker = make_worker(engine, knowledge, settings, url)
    stop = threading.Event()
    thread = threading.Thread(target=worker.run_forever, args=(stop,), kwargs={"poll_seconds": 0.2})
    thread.start()
    try:
        started = time.monotonic()
        answer = client.post(f"/api/v1/checkin/{token}", json=EMERGENCY)
        assert answer.status_code == 201 and answer.json()["triage"]["disposition"] == "emergency"
        checkin_id = answer.json()["checkin_id"]
        while not inbox.to("desk@clinic.example") and time.monotonic() - started < 10:
            time.sleep(0.05)
        elapsed = time.monotonic() - started
    finally:
        stop.set()
        thread.join(10)
    [mail] = inbox.to("desk@clinic.example")
    assert elapsed < 5, f"the alert took {elapsed:.1f} s"
    assert mail["Subject"].startswith("EMERGENCY check-in")
    text = cast(bytes, mail.get_payload(decode=True)).decode()  # a single-part message
    assert f"{settings.public_base_url}/inbox" in text
    assert "Pat Example" not in text and "lips" not in text  # email is not a private channel
    told = client.get(f"/api/v1/checkin/{token}/checkins/{checkin_id}/clinic-told")
    assert told.status_code == 200
    assert told.json()["status"] == "sent"
    assert "We sent your clinic an alert" in told.json()["text"]


def test_an_alert_nobody_acknowledges_goes_to_the_second_address(
    client: TestClient,
    uow: UnitOfWork,
    engine: Engine,
    knowledge: Knowledge,
    settings: Settings,
    smtp: tuple[str, Inbox],
) -> None:
    url, inbox = smtp
    treated = treat_today(uow, knowledge)
    _set_alerts(
        client,
        treated.staff,
        alert_email="desk@clinic.example",
        alert_email_second="owner@clinic.example",
        realert_minutes=15,
    )
    token = _link(uow, settings, treated.treatment_id)
    client.post(f"/api/v1/checkin/{token}", json=EMERGENCY)
    worker = make_worker(engine, knowledge, settings, url)
    now = dt.datetime.now(dt.UTC)
    worker.run_due(now=now)
    assert len(inbox.to("desk@clinic.example")) == 1
    worker.run_due(now=now + dt.timedelta(minutes=14))
    assert inbox.to("owner@clinic.example") == []
    worker.run_due(now=now + dt.timedelta(minutes=16))
    [again] = inbox.to("owner@clinic.example")
    assert "sent again" in again["Subject"]


def test_an_acknowledged_alert_is_not_sent_again_and_another_clinic_cannot_touch_it(
    client: TestClient,
    uow: UnitOfWork,
    engine: Engine,
    knowledge: Knowledge,
    settings: Settings,
    smtp: tuple[str, Inbox],
) -> None:
    url, inbox = smtp
    treated = treat_today(uow, knowledge)
    other = treat_today(uow, knowledge)
    _set_alerts(
        client, treated.staff, alert_email="desk@clinic.example", alert_email_second="o@c.example"
    )
    token = _link(uow, settings, treated.treatment_id)
    client.post(f"/api/v1/checkin/{token}", json=EMERGENCY)
    live = client.get("/api/v1/alerts", headers=treated.staff.headers).json()
    [alert] = live["alerts"]
    assert alert["disposition"] == "emergency" and alert["patient_name"] == "Pat Example"
    assert client.get("/api/v1/alerts", headers=other.staff.headers).json()["alerts"] == []
    url_ack = f"/api/v1/alerts/{alert['id']}/acknowledge"
    assert client.post(url_ack, headers=other.staff.headers).status_code == 404
    assert client.post(url_ack, headers=treated.staff.headers).status_code == 204
    assert client.get("/api/v1/alerts", headers=treated.staff.headers).json()["alerts"] == []
    worker = make_worker(engine, knowledge, settings, url)
    now = dt.datetime.now(dt.UTC)
    worker.run_due(now=now + dt.timedelta(minutes=30))
    assert inbox.to("o@c.example") == []
    assert len(inbox.to("desk@clinic.example")) == 1


def test_with_no_alert_address_the_patient_is_told_no_alert_was_sent(
    client: TestClient, uow: UnitOfWork, knowledge: Knowledge, settings: Settings
) -> None:
    treated = treat_today(uow, knowledge)
    token = _link(uow, settings, treated.treatment_id)
    answer = client.post(f"/api/v1/checkin/{token}", json=EMERGENCY).json()
    told = client.get(f"/api/v1/checkin/{token}/checkins/{answer['checkin_id']}/clinic-told")
    assert told.json()["status"] == "not_alerted"
    assert "no alert was sent" in told.json()["text"]
    # the live inbox still shows it
    assert len(client.get("/api/v1/alerts", headers=treated.staff.headers).json()["alerts"]) == 1
    # a self-care check-in raises no alert and says so
    calm = client.post(f"/api/v1/checkin/{token}", json={"message": "a bit pink, feels fine"})
    told = client.get(f"/api/v1/checkin/{token}/checkins/{calm.json()['checkin_id']}/clinic-told")
    assert told.json()["status"] == "list_only"
    with uow:
        assert len(uow.session.scalars(select(ClinicAlert)).all()) == 1
        assert uow.session.scalars(select(Message).where(Message.kind == "alert")).all() == []


def test_a_patient_link_reaches_only_its_own_check_ins_alert_status(
    client: TestClient, uow: UnitOfWork, knowledge: Knowledge, settings: Settings
) -> None:
    mine = treat_today(uow, knowledge)
    theirs = treat_today(uow, knowledge, clinic_id=mine.clinic_id)
    my_token = _link(uow, settings, mine.treatment_id)
    their_token = _link(uow, settings, theirs.treatment_id)
    their_checkin = client.post(f"/api/v1/checkin/{their_token}", json=EMERGENCY).json()
    response = client.get(
        f"/api/v1/checkin/{my_token}/checkins/{their_checkin['checkin_id']}/clinic-told"
    )
    assert response.status_code == 404


def test_only_a_clinic_admin_sees_its_jobs_and_messages(
    client: TestClient, uow: UnitOfWork, knowledge: Knowledge
) -> None:
    from tests.store.dbkit import add_staff

    mine = treat_today(uow, knowledge)
    other = treat_today(uow, knowledge)
    practitioner = add_staff(uow, mine.clinic_id, "practitioner")
    for path in ("/api/v1/jobs", "/api/v1/messages"):
        assert client.get(path, headers=practitioner.headers).status_code == 403
        assert client.get(path).status_code == 401
    jobs = client.get("/api/v1/jobs?status=pending", headers=mine.staff.headers).json()["items"]
    assert [j["kind"] for j in jobs] == ["reminder"] * 3  # days 7, 3, 1: this clinic's only
    theirs = client.get("/api/v1/jobs", headers=other.staff.headers).json()["items"]
    assert {j["id"] for j in jobs}.isdisjoint({j["id"] for j in theirs})
