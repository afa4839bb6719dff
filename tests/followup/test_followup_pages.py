"""The follow-up loop's pages: the alert settings, what the patient is told, photos from the
patient's answer, stopping reminders, the live inbox, the treatment's photos and the outbox."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import Engine

from needlesafe.knowledge.base import Knowledge
from needlesafe.services import treatments
from needlesafe.settings import Settings
from needlesafe.store.uow import UnitOfWork
from tests.followup.followkit import csrf, make_worker, sign_in, treat_today
from tests.store.dbkit import DatabaseUnderTest

EMERGENCY = {"message": "my lips are swelling and I cant breathe"}


def _token(uow: UnitOfWork, settings: Settings, treatment_id: int) -> str:
    link = treatments.issue_checkin_link(
        uow,
        actor=None,
        treatment_id=treatment_id,
        secret_key=settings.secret,
        base_url=settings.public_base_url,
        max_age=settings.checkin_link_max_age,
    )
    assert link is not None  # not only_if_active: a link is always made
    return link.token


def _jpeg() -> bytes:
    out = io.BytesIO()
    image = Image.new("RGB", (120, 60), (205, 150, 135))
    image.paste((215, 120, 110), (0, 0, 60, 60))
    image.save(out, "JPEG", quality=95)
    return out.getvalue()


def test_an_admin_sets_the_alert_addresses_on_the_settings_page(
    client: TestClient, uow: UnitOfWork, knowledge: Knowledge
) -> None:
    treated = treat_today(uow, knowledge)
    sign_in(client, treated.staff)
    page = client.get("/settings/clinic")
    assert 'name="alert_email"' in page.text and 'name="realert_minutes"' in page.text
    token = csrf(client, "/settings/clinic")
    form = {
        "csrf_token": token,
        "emergency_number": "911",
        "time_zone": "UTC",
        "temperature_unit": "C",
    }
    bad = client.post("/settings/clinic", data={**form, "alert_email": "not an address"})
    assert bad.status_code == 422 and "alert_email" in bad.text and "has-error" in bad.text
    saved = client.post(
        "/settings/clinic",
        data={
            **form,
            "alert_email": "desk@clinic.example",
            "alert_email_second": "",
            "realert_minutes": "20",
        },
        follow_redirects=False,
    )
    assert saved.status_code == 303
    shown = client.get("/settings/clinic").text
    assert 'value="desk@clinic.example"' in shown and 'value="20"' in shown


def test_the_patient_answer_says_what_the_clinic_was_told_and_takes_photos(
    client: TestClient, uow: UnitOfWork, engine: Engine, knowledge: Knowledge, settings: Settings
) -> None:
    treated = treat_today(uow, knowledge)
    token = _token(uow, settings, treated.treatment_id)
    base = f"/checkin/{token}"
    page_token = csrf(client, base)
    assert "data-photo-hold" in client.get(base).text  # the photo field in the form
    answer = client.post(base, data={"csrf_token": page_token, **EMERGENCY})
    assert answer.status_code == 200
    found = re.search(r'name="checkin_id" value="(\d+)"', answer.text)
    assert found is not None
    checkin_id = int(found.group(1))
    assert f'hx-get="{base}/{checkin_id}/clinic-told"' in answer.text
    told = client.get(f"{base}/{checkin_id}/clinic-told")
    assert "no alert was sent" in told.text  # this clinic has no alert address
    sent = client.post(
        f"{base}/photos",
        data={"csrf_token": page_token, "checkin_id": str(checkin_id)},
        files=[("photos", ("skin.jpg", _jpeg(), "image/jpeg"))],
        headers={"hx-request": "true"},
    )
    assert sent.status_code == 201, sent.text
    assert "Your clinic can now see 1 photo with this check-in" in sent.text
    too_many = client.post(
        f"{base}/photos",
        data={"csrf_token": page_token, "checkin_id": str(checkin_id)},
        files=[("photos", (f"{i}.jpg", _jpeg(), "image/jpeg")) for i in range(3)],
        headers={"hx-request": "true"},
    )
    assert too_many.status_code == 422 and "At most 3 photos" in too_many.text


def test_a_patient_stops_reminders_from_the_link_in_a_message(
    client: TestClient, uow: UnitOfWork, knowledge: Knowledge, settings: Settings
) -> None:
    treated = treat_today(uow, knowledge)
    base = f"/checkin/{_token(uow, settings, treated.treatment_id)}"
    page = client.get(f"{base}/reminders")
    assert "Do you want to stop the check-in messages" in page.text
    stopped = client.post(f"{base}/reminders", data={"csrf_token": csrf(client, base)})
    assert "We will not send you more check-in messages" in stopped.text
    with uow:
        patient = uow.patients.get(treated.clinic_id, treated.patient_id)
        assert patient is not None
        assert patient.reminders_stopped_at


def test_the_live_inbox_shows_a_new_alert_escaped_and_only_to_its_clinic(
    client: TestClient, uow: UnitOfWork, knowledge: Knowledge, settings: Settings
) -> None:
    treated = treat_today(uow, knowledge, name="<script>alert(1)</script>")
    other = treat_today(uow, knowledge)
    token = _token(uow, settings, treated.treatment_id)
    checkin = client.post(f"/api/v1/checkin/{token}", json=EMERGENCY).json()["checkin_id"]
    sign_in(client, other.staff)
    assert "live-alert" not in client.get("/inbox/live").text
    client.cookies.clear()
    sign_in(client, treated.staff)
    assert 'id="live-inbox"' in client.get("/inbox").text
    live = client.get("/inbox/live").text
    assert f'id="alert-{checkin}"' in live and "<script>alert(1)" not in live
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in live
    assert 'data-open-alerts="1"' in live
    found = re.search(r'action="/alerts/(\d+)/acknowledge"', live)
    assert found is not None
    alert_id = found.group(1)
    done = client.post(
        f"/alerts/{alert_id}/acknowledge", data={"csrf_token": csrf(client, "/inbox")}
    )
    assert done.status_code == 200 and 'data-open-alerts="0"' in done.text


def test_the_treatment_page_shows_photos_and_measures_two_marked_areas(
    client: TestClient, uow: UnitOfWork, knowledge: Knowledge, settings: Settings
) -> None:
    treated = treat_today(uow, knowledge)
    token = _token(uow, settings, treated.treatment_id)
    checkin = client.post(f"/api/v1/checkin/{token}", json={"message": "red"}).json()["checkin_id"]
    client.post(
        f"/api/v1/checkin/{token}/photos",
        data={"checkin_id": str(checkin)},
        files=[("photos", ("skin.jpg", _jpeg(), "image/jpeg"))],
    )
    sign_in(client, treated.staff)
    page = client.get(f"/patients/{treated.patient_id}/treatments/{treated.treatment_id}")
    assert f'hx-get="/treatments/{treated.treatment_id}/photos-panel"' in page.text
    panel = client.get(f"/treatments/{treated.treatment_id}/photos-panel").text
    found = re.search(r'src="/photos/(\d+)/image"', panel)
    assert found is not None
    photo_id = found.group(1)
    image = client.get(f"/photos/{photo_id}/image")
    assert image.status_code == 200 and image.headers["content-type"] == "image/jpeg"
    measured = client.post(
        f"/photos/{photo_id}/measure",
        data={
            "csrf_token": csrf(client, "/inbox"),
            "treatment_id": str(treated.treatment_id),
            "treated": "10,10,40,40",
            "reference": "70,10,40,40",
        },
    )
    assert measured.status_code == 200, measured.text
    assert "Redness Δa* +" in measured.text and "<svg" in measured.text
    strip = client.get(f"/checkins/{checkin}/photos-strip").text
    assert f'src="/photos/{photo_id}/image"' in strip


def test_the_outbox_page_shows_messages_kept_for_staff(
    client: TestClient, uow: UnitOfWork, engine: Engine, knowledge: Knowledge, settings: Settings
) -> None:
    treated = treat_today(uow, knowledge)
    make_worker(engine, knowledge, settings, None).run_due(
        now=dt.datetime.combine(
            treated.performed_on + dt.timedelta(days=1), dt.time(10), tzinfo=dt.UTC
        )
    )
    sign_in(client, treated.staff)
    page = client.get("/outbox")
    assert page.status_code == 200
    assert "pat@patient.example" in page.text and "<td>outbox</td>" in page.text
    assert "How is your skin? A quick check-in from" in page.text


def test_measuring_with_a_card_that_is_not_there_says_so(
    client: TestClient,
    uow: UnitOfWork,
    knowledge: Knowledge,
    settings: Settings,
    database: DatabaseUnderTest,
) -> None:
    if database.kind == "postgresql":
        pytest.skip("the page's message is under test, not the database (test time)")
    treated = treat_today(uow, knowledge)
    token = _token(uow, settings, treated.treatment_id)
    checkin = client.post(f"/api/v1/checkin/{token}", json={"message": "red"}).json()["checkin_id"]
    item = client.post(
        f"/api/v1/checkin/{token}/photos",
        data={"checkin_id": str(checkin)},
        files=[("photos", ("skin.jpg", _jpeg(), "image/jpeg"))],
    ).json()["items"][0]
    sign_in(client, treated.staff)
    answer = client.post(
        f"/photos/{item['id']}/measure",
        data={
            "csrf_token": csrf(client, "/inbox"),
            "treatment_id": str(treated.treatment_id),
            "treated": "10,10,40,40",
            "reference": "70,10,40,40",
            "card": "true",
        },
    )
    assert answer.status_code == 422
    assert "Card: no colour card found in the photo" in answer.text
